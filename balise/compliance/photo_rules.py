"""Photo checks: every person shown has a current consent covering each platform (a guardian's
for a minor), no more faces than people declared, and a file the platforms accept.

The caller resolves the facts (the consent registry, the declared people); the rules only judge
them, so the same rules serve the compliance worker, `balise check --jsonl` and the publisher's
last look before the platform call. Reading the image is left to `balise.media`, imported only
when a draft has photos, so a text-only check never loads Pillow or OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from balise.compliance.policy import CodeRules, Policy
from balise.compliance.verdicts import Draft, Reason
from balise.i18n import t


@dataclass(frozen=True)
class ConsentFacts:
    """One signed consent as the registry holds it."""

    platforms: tuple[str, ...]
    given_by: str  # "self" | "guardian"
    valid_until: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class PersonFacts:
    """A person declared in a photo and every consent they (or their guardian) gave."""

    name: str
    known: bool = True  # False: the name is not in the organization's registry
    is_minor: bool = False
    consents: tuple[ConsentFacts, ...] = ()


@dataclass(frozen=True)
class PhotoFacts:
    """A photo of a draft, the people declared in it, and the moment consents are judged at."""

    path: str
    people: tuple[PersonFacts, ...]
    at: datetime


# Problems, in the order reasons are given for one person.
MISSING, UNKNOWN, WITHDRAWN, EXPIRED, MINOR_SELF, NOT_COVERED = (
    "missing", "unknown", "withdrawn", "expired", "minor_self", "not_covered",
)  # fmt: skip
_ORDER = (UNKNOWN, MISSING, WITHDRAWN, EXPIRED, MINOR_SELF, NOT_COVERED)


def _message(key: str, **params: object) -> str:
    return t(f"consent.{key}", lang="fr", **params)


def _problem(person: PersonFacts, platform: str, at: datetime) -> str | None:
    """Why `person`'s photo may not go to `platform` at `at`; None when a consent allows it."""
    if not person.known:
        return UNKNOWN
    if not person.consents:
        return MISSING
    covering = [c for c in person.consents if platform in c.platforms]
    if not covering:
        return NOT_COVERED
    current = [
        c
        for c in covering
        if (c.revoked_at is None or c.revoked_at > at) and (c.valid_until is None or c.valid_until > at)
    ]
    if not current:
        return WITHDRAWN if any(c.revoked_at is not None and c.revoked_at <= at for c in covering) else EXPIRED
    if person.is_minor and not any(c.given_by == "guardian" for c in current):
        return MINOR_SELF
    return None


def consent_reasons(photos: tuple[PhotoFacts, ...], platforms: tuple[str, ...], rules: CodeRules) -> list[Reason]:
    """One reason per (person, problem), naming the person and the platforms concerned."""
    found: dict[tuple[str, str], list[str]] = {}
    for photo in photos:
        for person in photo.people:
            for platform in platforms:
                problem = _problem(person, platform, photo.at)
                if problem is not None:
                    where = found.setdefault((person.name, problem), [])
                    where.extend([platform] if platform not in where else [])
    reasons = []
    for (name, problem), where in sorted(found.items(), key=lambda item: _ORDER.index(item[0][1])):
        text = _message(f"problem_{problem}", name=name, platforms=", ".join(where))
        suggestion = _message(f"suggestion_{problem}", name=name, platforms=" ".join(f"--platform {p}" for p in where))
        reasons.append(Reason(rules.code, text, None, rules.clause, suggestion, rules.severity))
    return reasons


def photo_consent(draft: Draft, policy: Policy) -> list[Reason]:
    """PHOTO_CONSENT: « avoir des autorisations avant la publication de photos »."""
    if not draft.photos:
        return []
    return consent_reasons(draft.photos, draft.platforms, policy.codes["PHOTO_CONSENT"])


def photo_file(draft: Draft, policy: Policy) -> list[Reason]:
    """PHOTO_FORMAT for files no platform takes; FACE_COUNT when more faces than people declared."""
    if not draft.photos:
        return []
    from balise.media.faces import count_faces  # Pillow and OpenCV: only for drafts with photos
    from balise.media.images import inspect

    reasons = []
    fmt, faces_rules = policy.codes["PHOTO_FORMAT"], policy.codes["FACE_COUNT"]
    for number, photo in enumerate(draft.photos, 1):
        name = str(number)  # as `draft show` numbers photos: the stored file's name is a hash
        info = inspect(Path(photo.path))
        if info.problem is not None:
            text = _message(f"file_{info.problem}", name=name, format=info.format or "?")
            reasons.append(Reason(fmt.code, text, None, fmt.clause, _message("file_suggestion"), fmt.severity))
            continue
        for platform in draft.platforms:
            limit = policy.limits(platform).get("photo_max_bytes")
            if info.animated and limit is not None and info.size > int(limit):
                text = _message(
                    "file_too_heavy", name=name, platform=platform, size=_mb(info.size), limit=_mb(int(limit))
                )
                suggestion = _message("file_too_heavy_suggestion")
                reasons.append(Reason(fmt.code, text, None, fmt.clause, suggestion, fmt.severity))
        faces, declared = count_faces(Path(photo.path)), len(photo.people)
        if faces > declared:
            text = _message("face_count", name=name, faces=faces, declared=declared)
            suggestion = _message("face_count_suggestion", number=number)
            reasons.append(Reason(faces_rules.code, text, None, faces_rules.clause, suggestion, faces_rules.severity))
    return reasons


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f} Mo".replace(".", ",")
