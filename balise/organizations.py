"""Organizations and their members (roles: author, approver, admin)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from balise import audit
from balise.config import AccountOwner
from balise.errors import InvalidInput, NotFound, PermissionDenied
from balise.models import Member, Organization

ROLES = ("author", "approver", "admin")
DEMO_SLUG = "demo"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_organization(session: Session, *, slug: str, name: str, timezone: str) -> Organization:
    if session.exec(select(Organization).where(Organization.slug == slug)).first():
        raise InvalidInput("orgs.exists", slug=slug)
    org = Organization(slug=slug, name=name, timezone=timezone)
    session.add(org)
    session.flush()
    assert org.id is not None
    audit.record(session, org_id=org.id, actor="balise", channel="cli", action="org_created", reason=name)
    return org


def current_organization(session: Session, slug: str | None = None) -> Organization:
    """The organization named by `--org`, else the oldest one that is not the demo's."""
    query = select(Organization).order_by(Organization.id)  # type: ignore[arg-type]
    if slug:
        org = session.exec(query.where(Organization.slug == slug)).first()
        if org is None:
            raise NotFound("orgs.unknown", slug=slug)
        return org
    orgs = list(session.exec(query))
    real = [o for o in orgs if o.slug != DEMO_SLUG]
    if real or orgs:
        return (real or orgs)[0]
    raise NotFound("orgs.none")


def account_owner(session: Session, org: Organization) -> AccountOwner:
    """Whose accounts `org` publishes with: its own table of the TOML file, and the environment's
    only if it is the default organization (the one commands act on without `--org`)."""
    return AccountOwner(org.slug, org.name, default=current_organization(session).id == org.id)


def add_member(session: Session, org: Organization, *, name: str, email: str, role: str, actor: str) -> Member:
    name = name.strip()
    if role not in ROLES:
        raise InvalidInput("orgs.bad_role", role=role, roles=", ".join(ROLES))
    if not name:
        raise InvalidInput("orgs.empty_name")
    if not EMAIL.match(email):
        raise InvalidInput("orgs.bad_email", email=email)
    if session.exec(select(Member).where(Member.org_id == org.id, Member.name == name)).first():
        raise InvalidInput("orgs.member_exists", name=name)
    assert org.id is not None
    member = Member(org_id=org.id, name=name, email=email, role=role)
    session.add(member)
    session.flush()
    audit.record(session, org_id=org.id, actor=actor, channel="cli", action="member_added", reason=f"{name} ({role})")
    return member


def find_member(session: Session, org: Organization, name: str | None) -> Member:
    """The acting member, from `--as` or BALISE_USER; a clear error when unknown."""
    if not name:
        raise InvalidInput("orgs.who")
    member = session.exec(select(Member).where(Member.org_id == org.id, Member.name == name.strip())).first()
    if member is None or not member.active:
        raise NotFound("orgs.unknown_member", name=name, org=org.name)
    return member


def members(session: Session, org: Organization) -> list[Member]:
    return list(session.exec(select(Member).where(Member.org_id == org.id).order_by(Member.name)))


def require_role(member: Member, *roles: str) -> None:
    if member.role not in roles:
        raise PermissionDenied("orgs.role_required", name=member.name, role=member.role, needed=" ou ".join(roles))


def org_zone(org: Organization) -> ZoneInfo:
    """The organization's time zone: times are entered and shown in it, stored in UTC."""
    return ZoneInfo(org.timezone)


def set_policy(session: Session, org: Organization, member: Member, text: str | None) -> str:
    """Store the organization's own policy (None: ROEQ's alone), validated first; its version.

    Drafts already checked keep their verdict; the new policy applies to the next check.
    """
    from balise.compliance import load_policy

    require_role(member, "approver", "admin")
    version = load_policy(text).version  # raises PolicyError before anything is written
    org.policy_override = text
    session.add(org)
    assert org.id is not None
    audit.record(session, org_id=org.id, actor=member.name, channel="cli", action="policy", reason=version)
    return version


def new_calendar_address(session: Session, org: Organization, member: Member) -> None:
    """Replace the calendar's secret address (the old one stops working at once), audited."""
    require_role(member, "approver", "admin")
    org.calendar_generation += 1
    session.add(org)
    assert org.id is not None
    audit.record(session, org_id=org.id, actor=member.name, channel="cli", action="calendar_address")
