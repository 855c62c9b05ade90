"""What goes into the gate (a draft) and what comes out (a verdict with its reasons)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from balise.platforms import PUBLIC

if TYPE_CHECKING:
    from balise.compliance.photo_rules import PhotoFacts

SEVERITY_ORDER = {"approved": 0, "needs_review": 1, "rejected": 2}


@dataclass(frozen=True)
class Draft:
    """A post as the gate sees it: its text, where it goes, the topic its author chose, its
    photos with the people declared in each (resolved from the consent registry by the caller),
    and when it goes out (aware; `timezone` is the organization's, for its quiet hours)."""

    text: str
    platforms: tuple[str, ...] = PUBLIC
    category: str | None = None
    id: str | None = None
    photos: tuple[PhotoFacts, ...] = ()
    at: datetime | None = None
    timezone: str = "America/Toronto"


@dataclass(frozen=True)
class Reason:
    """Why a draft is not simply approved: a stable code, the words concerned, the policy clause."""

    code: str
    message: str
    span: tuple[int, int] | None
    clause: str
    suggestion: str | None = None
    severity: str = "rejected"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "span": list(self.span) if self.span is not None else None,
            "clause": self.clause,
            "suggestion": self.suggestion,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Verdict:
    """The gate's decision: the most severe of its reasons, `approved` when there is none."""

    verdict: str
    reasons: tuple[Reason, ...]
    policy_version: str
    topics: tuple[str, ...] = ()

    @classmethod
    def from_reasons(cls, reasons: list[Reason], policy_version: str, topics: tuple[str, ...] = ()) -> Verdict:
        worst = max((r.severity for r in reasons), key=SEVERITY_ORDER.__getitem__, default="approved")
        return cls(worst, tuple(reasons), policy_version, topics)

    def to_dict(self, id: object = None) -> dict[str, Any]:
        """The object `balise check --jsonl` writes for one draft."""
        return {
            "id": id,
            "verdict": self.verdict,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "topics": list(self.topics),
            "policy_version": self.policy_version,
        }
