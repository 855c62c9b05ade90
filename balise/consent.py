"""The consent registry: the people who may appear in photos and what each agreed to.

The gate reads it (`photo_facts`) before sign-off and the publisher just before the platform
call. What a withdrawal or an expiry does to the posts is the pipeline's consent step
(`balise.pipeline.consent`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from balise import audit
from balise.compliance.photo_rules import ConsentFacts, PersonFacts, PhotoFacts, consent_reasons
from balise.compliance.policy import load_policy
from balise.errors import InvalidInput, NotFound
from balise.i18n import t
from balise.media.evidence import keep_evidence
from balise.models import Consent, Organization, Person, Post, utcnow
from balise.organizations import org_zone
from balise.platforms import canonical_platforms
from balise.posts import people_in, photos_of, platforms_of
from balise.timeparse import check_year, parse_when


def add_person(
    session: Session,
    org: Organization,
    *,
    name: str,
    minor: bool,
    guardian: str | None,
    guardian_email: str | None,
    actor: str,
    channel: str = "cli",
) -> Person:
    """A person who may appear in photos; a minor needs the guardian who signs for them."""
    name = name.strip()
    if not name:
        raise InvalidInput("consent.empty_name")
    if minor and not (guardian or "").strip():
        raise InvalidInput("consent.guardian_required", name=name)
    if guardian_email is not None and "@" not in guardian_email:
        raise InvalidInput("consent.bad_email", email=guardian_email)
    if session.exec(select(Person).where(Person.org_id == org.id, Person.name == name)).first():
        raise InvalidInput("consent.person_exists", name=name)
    assert org.id is not None
    person = Person(
        org_id=org.id, name=name, is_minor=minor, guardian_name=(guardian or "").strip() or None,
        guardian_email=guardian_email,
    )  # fmt: skip
    session.add(person)
    detail = f"{name} (mineur·e, parent ou tuteur : {person.guardian_name})" if minor else name
    audit.record(session, org_id=org.id, actor=actor, channel=channel, action="person_added", reason=detail)
    return person


def people(session: Session, org: Organization) -> list[Person]:
    return list(session.exec(select(Person).where(Person.org_id == org.id).order_by(col(Person.name))))


def find_person(session: Session, org: Organization, name: str) -> Person:
    person = session.exec(select(Person).where(Person.org_id == org.id, Person.name == name.strip())).first()
    if person is None:
        raise NotFound("consent.unknown_person", name=name)
    return person


def find_people(session: Session, org: Organization, names: Sequence[str]) -> list[Person]:
    """The registry's people for `names`, once each, in the order given."""
    found: dict[int, Person] = {}
    for name in names:
        person = find_person(session, org, name)
        assert person.id is not None
        found.setdefault(person.id, person)
    return list(found.values())


def grant(
    session: Session,
    org: Organization,
    person_name: str,
    *,
    platforms: Sequence[str],
    until: datetime | None,
    by_guardian: bool,
    evidence: Path | None,
    evidence_dir: Path,
    actor: str,
    channel: str = "cli",
) -> Consent:
    """Record a signed consent; the form itself, if given, is kept in the media store by its SHA-256."""
    person = find_person(session, org, person_name)
    if not platforms:
        raise InvalidInput("consent.no_platform")
    assert person.id is not None and org.id is not None
    consent = Consent(
        person_id=person.id,
        platforms=list(canonical_platforms(tuple(platforms))),
        given_by="guardian" if by_guardian else "self",
        valid_until=until,
        evidence_sha256=keep_evidence(evidence, evidence_dir) if evidence is not None else None,
    )
    session.add(consent)
    signer = f"son parent ou tuteur ({person.guardian_name})" if by_guardian else "la personne elle-même"
    ends = last_day(until, org_zone(org)).isoformat() if until else "sans échéance"
    audit.record(
        session, org_id=org.id, actor=actor, channel=channel, action="consent_granted",
        reason=f"{person.name} : {', '.join(consent.platforms)}; {ends}; signé par {signer}",
    )  # fmt: skip
    return consent


def consent_problems(session: Session, post: Post, at: datetime, platforms: Sequence[str] | None = None) -> list[str]:
    """What the registry says against publishing `post` (on `platforms`, default all) at `at`."""
    org = session.get(Organization, post.org_id)
    assert org is not None
    rules = load_policy(org.policy_override).codes["PHOTO_CONSENT"]
    where = tuple(platforms) if platforms is not None else tuple(platforms_of(session, post))
    return [reason.message for reason in consent_reasons(photo_facts(session, post, at), where, rules)]


def consents_of(session: Session, person: Person) -> list[Consent]:
    return list(session.exec(select(Consent).where(Consent.person_id == person.id).order_by(col(Consent.id))))


def consents(
    session: Session, org: Organization, expiring_within: timedelta | None = None
) -> list[tuple[Person, Consent]]:
    """Every consent of the organization; with `expiring_within`, those current and ending that soon."""
    query = (
        select(Person, Consent)
        .join(Consent, col(Consent.person_id) == Person.id)
        .where(Person.org_id == org.id)
        .order_by(col(Person.name), col(Consent.id))
    )
    if expiring_within is not None:
        now = utcnow()
        query = query.where(
            col(Consent.revoked_at).is_(None),
            col(Consent.valid_until).is_not(None),
            col(Consent.valid_until) > now,
            col(Consent.valid_until) <= now + expiring_within,
        )
    return [(person, consent) for person, consent in session.exec(query)]


def state_of(consent: Consent, now: datetime) -> str:
    """ "revoked", "expired" or "current", as `balise consent list` shows it."""
    if consent.revoked_at is not None:
        return "revoked"
    return "expired" if consent.valid_until is not None and consent.valid_until <= now else "current"


def person_facts(session: Session, person: Person) -> PersonFacts:
    return PersonFacts(
        name=person.name,
        is_minor=person.is_minor,
        consents=tuple(
            ConsentFacts(tuple(c.platforms), c.given_by, c.valid_until, c.revoked_at)
            for c in consents_of(session, person)
        ),
    )


def photo_facts(session: Session, post: Post, at: datetime) -> tuple[PhotoFacts, ...]:
    """The post's photos with the people declared in each, as the gate judges them at `at`."""
    return tuple(
        PhotoFacts(photo.stored_path, tuple(person_facts(session, p) for p in people_in(session, photo)), at)
        for photo in photos_of(session, post)
    )


def declared_photos(
    session: Session, org: Organization, entries: Sequence[tuple[str, Sequence[str]]], at: datetime
) -> tuple[PhotoFacts, ...]:
    """Photos as `balise check --jsonl` gives them (a path, names); a name not in the registry
    is judged as a person without consent, not refused."""
    facts = []
    for path, names in entries:
        declared = []
        for name in dict.fromkeys(names):
            person = session.exec(select(Person).where(Person.org_id == org.id, Person.name == name.strip())).first()
            declared.append(person_facts(session, person) if person else PersonFacts(name, known=False))
        facts.append(PhotoFacts(path, tuple(declared), at))
    return tuple(facts)


def parse_until(value: str, zone: ZoneInfo) -> datetime:
    """`--until`: a date means through the end of that day in the organization's zone."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return parse_when(value, zone)
    check_year(day, value)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    if end <= utcnow():
        raise InvalidInput("consent.past_date", value=value)
    return end


def last_day(valid_until: datetime, zone: ZoneInfo) -> date:
    """The last day a consent holds, as it was typed: `valid_until` is the first instant it no longer
    holds (midnight after `--until`'s day), whose own date is the day after."""
    return (valid_until - timedelta(microseconds=1)).astimezone(zone).date()


MAX_DAYS = 3660  # ten years, longer than any consent form; a far larger number overflows the date


def parse_days(value: str) -> timedelta:
    """`--expiring-within 30d` (or 30j, or 30)."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*[dj]?\s*", value.lower())
    if match is None or int(match.group(1)) > MAX_DAYS:
        raise InvalidInput("consent.bad_duration", value=value, most=MAX_DAYS)
    return timedelta(days=int(match.group(1)))


@dataclass(frozen=True)
class SheetConsent:
    by_guardian: bool
    valid_until: str | None  # the last day covered, ISO
    platforms: list[str]


@dataclass(frozen=True)
class SheetPerson:
    name: str
    minor: bool
    guardian: str | None
    consents: list[SheetConsent]


@dataclass(frozen=True)
class SheetPhoto:
    number: int
    name: str
    people: list[SheetPerson]


def photo_sheet(session: Session, post: Post, zone: ZoneInfo) -> list[SheetPhoto]:
    """Each photo of the post by its number, the people declared in it and their current consents,
    so whoever signs off sees who is shown and on what authority (`draft show`, `inbox`, sign-off page)."""
    now = utcnow()
    return [
        SheetPhoto(
            number,
            photo.original_name,
            [
                SheetPerson(
                    person.name,
                    person.is_minor,
                    person.guardian_name,
                    [
                        SheetConsent(
                            c.given_by == "guardian",
                            last_day(c.valid_until, zone).isoformat() if c.valid_until else None,
                            list(c.platforms),
                        )
                        for c in consents_of(session, person)
                        if state_of(c, now) == "current"
                    ],
                )
                for person in people_in(session, photo)
            ],
        )
        for number, photo in enumerate(photos_of(session, post), 1)
    ]


def photo_lines(sheet: Sequence[SheetPhoto], lang: str | None = None) -> list[str]:
    """The photo sheet as plain lines, one per photo and one per person, in the user's language."""
    lines = []
    for photo in sheet:
        lines.append(t("consent.sheet_photo", lang=lang, number=photo.number, name=photo.name))
        if not photo.people:
            lines.append("    " + t("consent.sheet_nobody", lang=lang))
        for person in photo.people:
            age = t("consent.sheet_minor" if person.minor else "consent.sheet_adult", lang=lang)
            consents = [
                t(
                    "consent.sheet_consent",
                    lang=lang,
                    by=t("consent.sheet_by_guardian" if c.by_guardian else "consent.sheet_by_self", lang=lang),
                    until=c.valid_until or t("consent.sheet_no_end", lang=lang),
                    platforms=", ".join(c.platforms),
                )
                for c in person.consents
            ] or [t("consent.sheet_no_consent", lang=lang)]
            lines.append(f"    {person.name} ({age}) : {'; '.join(consents)}")
    return lines
