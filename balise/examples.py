"""The decisions people make on the gate's verdicts, kept as the organization's labelled drafts.

An override of a `needs_review` says the draft was fine; a refusal at sign-off, with its policy
code, says the gate let a violation through. Both are exported in the corpus format of
`tests/data/writers/` so an organization's own decisions become its test cases and training data.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from balise.compliance import load_policy
from balise.compliance.learned import CODES
from balise.errors import InvalidInput
from balise.models import GateExample, Member, Organization, Post
from balise.posts import current_check, platforms_of


def checked_code(code: str) -> str:
    """A policy code a person may give when refusing: one the gate judges text by."""
    upper = code.strip().upper()
    if upper not in CODES:
        raise InvalidInput("posts.unknown_code", code=code, known=", ".join(CODES))
    return upper


def _keep(
    session: Session, post: Post, member: Member, *, expected: str, codes: list[str], decision: str, reason: str
) -> None:
    check = current_check(session, post)
    assert post.id is not None
    session.add(
        GateExample(
            org_id=post.org_id, post_id=post.id, text=post.text, platforms=platforms_of(session, post),
            gate_verdict=check.verdict if check else "unchecked", expected=expected, codes=codes,
            decision=decision, decided_by=member.name, reason=reason,
        )
    )  # fmt: skip


def overridden(session: Session, post: Post, member: Member, reason: str) -> None:
    """A responsible person judged compliant a draft the gate sent to review."""
    _keep(session, post, member, expected="approved", codes=[], decision="override", reason=reason)


def refused(session: Session, org: Organization, post: Post, member: Member, code: str, reason: str) -> None:
    """An approver refused, for policy `code`, a draft the gate had let through."""
    severity = load_policy(org.policy_override).codes[code].severity
    _keep(session, post, member, expected=severity, codes=[code], decision="refusal", reason=reason)


def examples(session: Session, org: Organization) -> list[dict[str, Any]]:
    """The organization's examples in the corpus format (`balise check --jsonl` input plus labels)."""
    rows = session.exec(select(GateExample).where(GateExample.org_id == org.id).order_by(col(GateExample.id)))
    return [
        {
            "id": f"{org.slug}-{row.id}",
            "writer": f"org:{org.slug}",
            "text": row.text,
            "platforms": row.platforms,
            "expected": row.expected,
            "codes": row.codes,
            "gate_verdict": row.gate_verdict,
            "decision": row.decision,
            "decided_by": row.decided_by,
            "reason": row.reason,
            "post_id": row.post_id,
            "created_at": row.created_at.isoformat(),
        }  # fmt: skip
        for row in rows
    ]
