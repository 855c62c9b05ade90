"""Who is signed in to the workspace: the session cookie, its row, inactivity, and the CSRF token
of every workspace form.

The cookie holds the session's id signed with BALISE_SECRET_KEY; it is `HttpOnly`,
`SameSite=Lax`, `Secure` when BALISE_PUBLIC_URL is https. The row decides: a session ended by
signing out, idle for `IDLE`, older than `LONGEST` or whose member left is refused, whatever the
cookie says.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlmodel import Session

from balise.config import get_settings
from balise.errors import ConfigError
from balise.keys import derived_key
from balise.mail.links import require_secret
from balise.models import Member, Organization, WebSession, utcnow

COOKIE = "balise_session"
ANON_COOKIE = "balise_visite"  # binds the forms shown before sign-in (CSRF)
SESSION_SALT = "balise.web-session"
FORM_KEY = b"balise.web-form"
IDLE = timedelta(hours=2)
LONGEST = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # `last_seen` is written at most this often


@dataclass(frozen=True)
class Visitor:
    """A signed-in member, their organization and their session's id."""

    member: Member
    org: Organization
    session_id: str


def cookie_value(session_id: str) -> str:
    return URLSafeSerializer(require_secret(), salt=SESSION_SALT).dumps(session_id)


def session_id_of(cookie: str | None) -> str | None:
    """The session id a cookie names, if balise signed it."""
    if not cookie:
        return None
    try:
        value = URLSafeSerializer(require_secret(), salt=SESSION_SALT).loads(cookie)
    except BadData:
        return None
    return value if isinstance(value, str) else None


def visitor(session: Session, session_id: str | None) -> Visitor | None:
    """The member this live session belongs to; None for no, ended, idle or stale sessions."""
    if not session_id:
        return None
    row = session.get(WebSession, session_id)
    now = utcnow()
    if row is None or row.ended_at is not None or row.last_seen < now - IDLE or row.created_at < now - LONGEST:
        return None
    member = session.get(Member, row.member_id)
    org = session.get(Organization, member.org_id) if member else None
    if member is None or org is None or not member.active:
        return None
    if row.last_seen < now - TOUCH_EVERY:
        row.last_seen = now
        session.add(row)
    return Visitor(member, org, session_id)


def secure_cookies() -> bool:
    return get_settings().public_url.startswith("https://")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def form_token(binding: str) -> str:
    """The CSRF token of a form: a MAC of the session id (or, before sign-in, of the visit's nonce)."""
    key = derived_key(FORM_KEY)
    if key is None:
        raise ConfigError("web.no_secret_key")
    return hmac.new(key, binding.encode(), hashlib.sha256).hexdigest()


def form_token_ok(binding: str | None, token: str) -> bool:
    return bool(binding) and hmac.compare_digest(form_token(binding or ""), token)
