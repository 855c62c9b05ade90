"""Who acts on the command line. `--as NAME` is a claim anyone can type; `balise login` proves it:
a single-use code mailed to the member, typed back, opens a session kept in this account's own
configuration (a file created 0600, signed with a key from BALISE_SECRET_KEY, expiring).

Where the organization requires login (its `require_login`, by default whenever mail is
configured), the guarded commands (sign-off, override, retraction, consent withdrawal, member and
organization changes) act as the logged-in member only. Without mail no code can reach anyone, so
the four eyes rest on trust in whoever uses the account.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from balise.config import get_settings
from balise.db import session_scope
from balise.errors import ConfigError, InvalidInput, NotFound, PermissionDenied
from balise.i18n import t
from balise.keys import derived_key
from balise.mail import smtp
from balise.mail.letter import Letter
from balise.masking import mask_url_password
from balise.models import LoginCode, Member, Organization, utcnow
from balise.organizations import current_organization, find_member, login_required
from balise.private import write_private

CODE_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
MAX_ATTEMPTS = 5  # per code: then it is dead, and a new one must be asked for
CODES_PER_HOUR = 5  # per member: with MAX_ATTEMPTS, at most 25 guesses an hour at a one-in-a-million code
CODE_DIGITS = 6
CODE_KEY = b"balise.login-code"
SESSION_KEY = b"balise.login-session"


class WrongCode(InvalidInput):
    """A code that does not match; `left` attempts remain on it."""

    def __init__(self, left: int) -> None:
        super().__init__("login.wrong_code" if left else "login.no_attempts_left", left=left)
        self.left = left


@dataclass(frozen=True)
class LoginSession:
    """What the session file says, once its signature is checked."""

    org: str  # the organization's slug
    member_id: int
    name: str
    email: str
    expires_at: datetime


def _key(purpose: bytes) -> bytes:
    key = derived_key(purpose)
    if key is None:
        raise ConfigError("login.no_secret_key")
    return key


def _require_mail() -> None:
    if not get_settings().smtp_url:
        raise ConfigError("login.no_mail")


def _code_hash(member_id: int, code: str) -> str:
    """Keyed: whoever reads the database cannot try the million codes against the hash."""
    return hmac.new(_key(CODE_KEY), f"{member_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_login_member(session: Session, org: Organization, who: str | None) -> Member:
    """The member logging in, by email address or by name."""
    if who and "@" in who:
        query = select(Member).where(Member.org_id == org.id, func.lower(Member.email) == who.strip().lower())
        member = session.exec(query.where(col(Member.active))).first()
        if member is None:
            raise NotFound("login.unknown_email", email=who, org=org.name)
        return member
    return find_member(session, org, who)


def issue_code(session: Session, member: Member) -> str:
    """A new code for `member`, stored hashed; earlier codes not yet used stop working."""
    _require_mail()
    assert member.id is not None
    now = utcnow()
    recent = session.exec(
        select(func.count()).where(LoginCode.member_id == member.id, LoginCode.created_at > now - timedelta(hours=1))
    ).one()
    if recent >= CODES_PER_HOUR:
        raise PermissionDenied("login.too_many_codes", name=member.name, count=CODES_PER_HOUR)
    session.execute(
        sa.update(LoginCode)
        .where(col(LoginCode.member_id) == member.id, col(LoginCode.used_at).is_(None), col(LoginCode.expires_at) > now)
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    session.add(LoginCode(member_id=member.id, code_hash=_code_hash(member.id, code), expires_at=now + CODE_LIFETIME))
    return code


def send_code(org_slug: str | None, who: str | None) -> Member:
    """Mail a new code to the member; the code is committed (hashed) before the mail leaves."""
    _require_mail()
    with session_scope() as session:
        org = current_organization(session, org_slug)
        member = find_login_member(session, org, who)
        code = issue_code(session, member)
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    body = t("login.mail_body", name=member.name, org=org.name, code=code, minutes=minutes, attempts=MAX_ATTEMPTS)
    try:  # straight to the server, not through the outbox, which would keep the code in clear
        smtp.send(Letter(member.email, t("login.mail_subject", org=org.name), body), handing_over=lambda: True)
    except (smtp.Unsent, smtp.Uncertain) as exc:  # uncertain: asking again sends a new code, the old one dies
        url = mask_url_password(get_settings().smtp_url or "")
        raise ConfigError("login.mail_failed", email=member.email, url=url, detail=exc.detail) from exc
    return member


def _try_code(session: Session, member: Member, code: str) -> int | None:
    """Spend one attempt on the member's live code: None when it matched (the code is now used),
    else the attempts left on it. Each step is a compare-and-set, so two tries at once cannot
    both pass nor exceed the count."""
    now = utcnow()
    live = session.exec(
        select(LoginCode)
        .where(LoginCode.member_id == member.id, col(LoginCode.used_at).is_(None), LoginCode.expires_at > now)
        .order_by(col(LoginCode.id).desc())
    ).first()
    if live is None:
        raise InvalidInput("login.no_code", name=member.name)
    attempts = session.execute(
        sa.update(LoginCode)
        .where(col(LoginCode.id) == live.id, col(LoginCode.used_at).is_(None))
        .where(col(LoginCode.attempts) < MAX_ATTEMPTS)
        .values(attempts=col(LoginCode.attempts) + 1)
        .returning(col(LoginCode.attempts))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if attempts is None:
        return 0
    assert member.id is not None
    if hmac.compare_digest(live.code_hash, _code_hash(member.id, code.strip())):
        used = session.execute(
            sa.update(LoginCode)
            .where(col(LoginCode.id) == live.id, col(LoginCode.used_at).is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount == 1:  # type: ignore[attr-defined]
            return None
    return MAX_ATTEMPTS - attempts


def log_in(org_slug: str | None, who: str | None, code: str) -> tuple[Organization, LoginSession]:
    """Check the code and open the session. A wrong code is refused after its attempt is committed:
    the count holds whatever the caller does next."""
    _require_mail()
    with session_scope() as session:
        org = current_organization(session, org_slug)
        member = find_login_member(session, org, who)
        left = _try_code(session, member, code)
    if left is not None:
        raise WrongCode(left)
    return org, open_session(org, member)


def open_session(org: Organization, member: Member, lifetime: timedelta = SESSION_LIFETIME) -> LoginSession:
    """Write this account's session for `member`, signed, created 0600 (never readable by others,
    not even for a moment), replacing any earlier one whole."""
    assert member.id is not None
    grant = LoginSession(org.slug, member.id, member.name, member.email, utcnow() + lifetime)
    payload = _payload(grant)
    payload["signature"] = _sign(payload)
    path = get_settings().session_path
    try:
        write_private(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        raise ConfigError("login.session_unwritable", path=path, detail=exc.strerror or str(exc)) from exc
    return grant


def _payload(grant: LoginSession) -> dict[str, object]:
    return {**asdict(grant), "expires_at": grant.expires_at.isoformat()}


def _sign(payload: dict[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hmac.new(_key(SESSION_KEY), canonical, hashlib.sha256).hexdigest()


def log_out() -> bool:
    """Forget this account's session; False when there was none."""
    try:
        get_settings().session_path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        path = get_settings().session_path
        raise ConfigError("login.session_unwritable", path=path, detail=exc.strerror or str(exc)) from exc
    return True


def read_session() -> LoginSession | None:
    """This account's session, its signature and expiry checked; None when nobody logged in."""
    path = get_settings().session_path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        signature = data.pop("signature")
        grant = LoginSession(
            org=str(data["org"]), member_id=int(data["member_id"]), name=str(data["name"]),
            email=str(data["email"]), expires_at=datetime.fromisoformat(str(data["expires_at"])),
        )  # fmt: skip
    except FileNotFoundError:
        return None
    except OSError as exc:  # a folder, or a file this account may not read
        raise ConfigError("login.session_unreadable", path=path, detail=exc.strerror or str(exc)) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PermissionDenied("login.session_forged", path=path) from exc
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(data)):
        raise PermissionDenied("login.session_forged", path=path)
    if grant.expires_at <= utcnow():
        raise PermissionDenied("login.session_expired", name=grant.name)
    return grant


def _session_member(session: Session, org: Organization, grant: LoginSession) -> Member:
    """The member the session names, still in this organization, active, at the same address."""
    if grant.org != org.slug:
        raise PermissionDenied("login.other_org", name=grant.name, logged=grant.org, org=org.slug)
    member = session.get(Member, grant.member_id)
    if member is None or member.org_id != org.id or not member.active or member.email != grant.email:
        raise PermissionDenied("login.session_stale", name=grant.name)
    return member


def logged_in(session: Session) -> tuple[Organization, Member, LoginSession]:
    """Who is logged in on this account, and in which organization (`balise whoami`)."""
    grant = read_session()
    if grant is None:
        raise PermissionDenied("login.nobody")
    org = current_organization(session, grant.org)
    return org, _session_member(session, org, grant), grant


def acting_member_or_none(session: Session, org: Organization, named: str | None, *, guarded: bool) -> Member | None:
    """Who acts. For a guarded command of an organization that requires login: the logged-in
    member, whom `named` (`--as`, BALISE_USER) may only repeat. Otherwise the member named, else
    the logged-in one, else None."""
    if guarded and login_required(org):
        grant = read_session()
        if grant is None:
            raise PermissionDenied("login.required", org=org.name, who=named or t("login.your_name"))
        member = _session_member(session, org, grant)
        if named and named.strip() != member.name:
            raise PermissionDenied("login.not_you", named=named, name=member.name)
        return member
    if named:
        return find_member(session, org, named)
    grant = read_session()
    return _session_member(session, org, grant) if grant is not None and grant.org == org.slug else None


def acting_member(session: Session, org: Organization, named: str | None, *, guarded: bool) -> Member:
    """`acting_member_or_none`, for a command that needs someone."""
    member = acting_member_or_none(session, org, named, guarded=guarded)
    if member is None:
        raise InvalidInput("orgs.who")
    return member
