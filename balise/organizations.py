"""Organizations and their members (roles: author, approver, admin)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from balise import audit
from balise.config import AccountOwner, get_settings
from balise.errors import ConfigError, InvalidInput, NotFound, PermissionDenied
from balise.i18n import LANGS, folded, t
from balise.models import Member, Organization

ROLES = ("author", "approver", "admin")
DEMO_SLUG = "demo"
LOGIN_SWITCHES = {"on": True, "off": False, "default": None}
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


def _oldest(session: Session, *, demo: bool) -> Organization | None:
    query = select(Organization).order_by(col(Organization.id))
    return session.exec(query if demo else query.where(Organization.slug != DEMO_SLUG)).first()


def own_organization(session: Session) -> Organization | None:
    """The oldest organization that is not the demo's: the one `balise init` made first."""
    return _oldest(session, demo=False)


def current_organization(session: Session, slug: str | None = None) -> Organization:
    """The organization named by `--org`, else the oldest one that is not the demo's."""
    if slug:
        org = session.exec(select(Organization).where(Organization.slug == slug)).first()
        if org is None:
            raise NotFound("orgs.unknown", slug=slug)
        return org
    org = own_organization(session) or _oldest(session, demo=True)
    if org is None:
        raise NotFound("orgs.none")
    return org


def account_owner(session: Session, org: Organization) -> AccountOwner:
    """Whose accounts `org` publishes with: its own table of the TOML file, and the environment's
    only if it is the default organization (the one commands act on without `--org`)."""
    return AccountOwner(org.slug, org.name, default=current_organization(session).id == org.id)


def _manager(actor: str | Member) -> str:
    """Who changes the members: a member acting (named or logged in) must be an admin; a name
    alone is balise itself (`init`, the demo, a shared account where nobody said who acts)."""
    if isinstance(actor, str):
        return actor
    require_role(actor, "admin")
    return actor.name


def role_named(typed: str) -> str:
    """A role as a person types it: its identifier or a French or English name (« approbatrice »)."""
    wanted = folded(typed)
    for role in ROLES:
        names = {role, *(name for lang in LANGS for name in t(f"orgs.role_names_{role}", lang=lang).split(","))}
        if wanted in {folded(name) for name in names}:
            return role
    raise InvalidInput("orgs.bad_role", role=typed, roles=", ".join(ROLES))


def _check_free_name(session: Session, org: Organization, name: str) -> None:
    """A name says who acted in the history: one member per name, a removed one's included."""
    if not name:
        raise InvalidInput("orgs.empty_name")
    holder = session.exec(select(Member).where(Member.org_id == org.id, Member.name == name)).first()
    if holder is not None:
        raise InvalidInput("orgs.member_exists" if holder.active else "orgs.removed_member_name", name=name)


def add_member(
    session: Session, org: Organization, *, name: str, email: str, role: str, actor: str | Member, channel: str = "cli"
) -> Member:
    name = name.strip()
    actor = _manager(actor)
    role = role_named(role)
    _check_free_name(session, org, name)
    if not EMAIL.match(email):
        raise InvalidInput("orgs.bad_email", email=email)
    assert org.id is not None
    member = Member(org_id=org.id, name=name, email=email, role=role)
    session.add(member)
    session.flush()
    audit.record(session, org_id=org.id, actor=actor, channel=channel, action="member_added", reason=f"{name} ({role})")
    return member


def find_member(session: Session, org: Organization, name: str | None) -> Member:
    """The acting member, from `--as` or BALISE_USER; a clear error when unknown."""
    if not name:
        raise InvalidInput("orgs.who")
    member = session.exec(select(Member).where(Member.org_id == org.id, Member.name == name.strip())).first()
    if member is None:
        raise NotFound("orgs.unknown_member", name=name, org=org.name)
    if not member.active:
        raise NotFound("orgs.removed_member", name=member.name, org=org.name)
    return member


def _keep_an_admin(session: Session, org: Organization, member: Member) -> None:
    """Refuse to remove or demote the last active admin: nobody could manage members after."""
    others = select(func.count()).where(
        Member.org_id == org.id, Member.id != member.id, col(Member.active), Member.role == "admin"
    )
    if member.role == "admin" and session.exec(others).one() == 0:
        raise InvalidInput("orgs.last_admin", name=member.name)


def set_role(
    session: Session, org: Organization, name: str, role: str, *, actor: str | Member, channel: str = "cli"
) -> Member:
    """Change a member's role, audited; an acting member must be an admin."""
    actor = _manager(actor)
    role = role_named(role)
    member = find_member(session, org, name)
    if role != "admin":
        _keep_an_admin(session, org, member)
    previous, member.role = member.role, role
    session.add(member)
    assert org.id is not None
    audit.record(
        session, org_id=org.id, actor=actor, channel=channel, action="member_role",
        reason=f"{member.name} ({previous} → {role})",
    )  # fmt: skip
    return member


def remove_member(session: Session, org: Organization, name: str, *, actor: str | Member) -> Member:
    """Deactivate a member (their history stays; they can no longer act nor log in), audited."""
    actor = _manager(actor)
    member = find_member(session, org, name)
    _keep_an_admin(session, org, member)
    member.active = False
    session.add(member)
    assert org.id is not None
    audit.record(session, org_id=org.id, actor=actor, channel="cli", action="member_removed", reason=member.name)
    return member


def rename_member(session: Session, org: Organization, name: str, new_name: str, *, actor: str | Member) -> Member:
    """Give a member another name, audited: their posts and approvals follow (they hold the
    member's id); the audit log keeps the names as they were, with this change in it."""
    actor = _manager(actor)
    member = find_member(session, org, name)
    new_name = new_name.strip()
    _check_free_name(session, org, new_name)
    previous, member.name = member.name, new_name
    session.add(member)
    assert org.id is not None
    audit.record(
        session, org_id=org.id, actor=actor, channel="cli", action="member_renamed", reason=f"{previous} → {new_name}"
    )
    return member


def members(session: Session, org: Organization) -> list[Member]:
    """The active members; removed ones stay in the database for the history."""
    query = select(Member).where(Member.org_id == org.id, col(Member.active)).order_by(col(Member.name))
    return list(session.exec(query))


def require_role(member: Member, *roles: str) -> None:
    if member.role not in roles:
        raise PermissionDenied(
            "orgs.role_required", name=member.name, role=member.role, needed=" ou ".join(roles), suggested=roles[0]
        )


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


def login_required(org: Organization) -> bool:
    """Whether guarded commands act as the logged-in member only (`balise.login`): the
    organization's choice, else yes exactly when mail is configured, so codes can be sent."""
    return org.require_login if org.require_login is not None else bool(get_settings().smtp_url)


def login_switch(text: str) -> bool | None:
    """`on`, `off` or `default` (None: on exactly when mail is configured)."""
    if text not in LOGIN_SWITCHES:
        raise InvalidInput("login.bad_switch", value=text, known=", ".join(LOGIN_SWITCHES))
    return LOGIN_SWITCHES[text]


def set_require_login(session: Session, org: Organization, member: Member, value: bool | None) -> bool:
    """Set the organization's choice (None: the default), admins only, audited; on needs mail, or
    nobody could log in. Returns whether login is now required."""
    require_role(member, "admin")
    if value and not get_settings().smtp_url:
        raise ConfigError("login.needs_mail")
    org.require_login = value
    session.add(org)
    assert org.id is not None
    switch = next(name for name, known in LOGIN_SWITCHES.items() if known is value)
    audit.record(session, org_id=org.id, actor=member.name, channel="cli", action="require_login", reason=switch)
    return login_required(org)


PHONE = re.compile(r"^[0-9 ()+.\-]{7,25}$")


def set_phone(session: Session, org: Organization, member: Member, phone: str) -> str:
    """The number a person asking for help is invited to call (the suggested replies to comments);
    admins only, audited. Empty clears it."""
    require_role(member, "admin")
    phone = " ".join(phone.split())
    if phone and (not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7):
        raise InvalidInput("orgs.bad_phone", phone=phone)
    org.phone = phone or None
    session.add(org)
    assert org.id is not None
    audit.record(session, org_id=org.id, actor=member.name, channel="cli", action="org_phone", reason=phone or "—")
    return phone
