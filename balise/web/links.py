"""Signed addresses: sign-off links checked against the database, the CSRF tokens of their forms,
the calendar's address.

A link is a bearer credential (its token: `balise.mail.links`) and decides once (`UsedToken`). The calendar
address only reads: a MAC of the organization and its `calendar_generation`, so raising the
generation replaces a leaked address without storing any secret in the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlmodel import Session, select

from balise.config import get_settings
from balise.mail.links import BadLink, Link, read_token, require_secret
from balise.models import Member, Organization, Post, UsedToken
from balise.states import State

FORM_LIFETIME = timedelta(days=1)  # a page left open overnight still submits
CSRF_SALT = "balise.signoff-form"
CALENDAR_SALT = "balise.calendar-address"


@dataclass(frozen=True)
class Opened:
    """A link checked against the database: the post, the approver and their organization."""

    link: Link
    post: Post
    member: Member
    org: Organization


class LinkRefused(Exception):
    """A link that must not decide: `key` names the French page, `status` its HTTP code."""

    def __init__(self, key: str, status: int, **params: object) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


def open_link(session: Session, post_id: int, token: str) -> Opened:
    """Check a link against the post it is used on; anything but a decidable post is refused."""
    try:
        link = read_token(token)
    except BadLink as exc:
        refused = LinkRefused("web.link_expired", 410) if exc.expired else LinkRefused("web.link_invalid", 400)
        raise refused from exc
    if link.post_id != post_id:
        raise LinkRefused("web.link_foreign", 403)
    post, member = session.get(Post, post_id), session.get(Member, link.member_id)
    org = session.get(Organization, post.org_id) if post else None
    if post is None or member is None or org is None or not member.active or member.org_id != post.org_id:
        raise LinkRefused("web.link_foreign", 403)
    if session.get(UsedToken, link.token_id) is not None:
        raise LinkRefused("web.link_used", 410)
    if post.content_hash != link.content_hash:
        raise LinkRefused("web.post_changed", 409, post_id=post_id)
    if post.state != State.AWAITING_SIGNOFF:
        raise LinkRefused("web.not_awaiting", 409, post_id=post_id, state=post.state)
    return Opened(link, post, member, org)


def use_link(session: Session, opened: Opened) -> None:
    """Spend the link in the deciding transaction: a rollback gives it back, a second use fails."""
    session.add(UsedToken(token_id=opened.link.token_id, post_id=opened.link.post_id, member_id=opened.link.member_id))
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError as exc:
        raise LinkRefused("web.link_used", 410) from exc


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def form_token(link: Link, nonce: str) -> str:
    """The CSRF token of a page: bound to this link and to the browser's cookie nonce."""
    return URLSafeTimedSerializer(require_secret(), salt=CSRF_SALT).dumps({"j": link.token_id, "n": nonce})


def check_form_token(link: Link, token: str, cookie_nonce: str | None) -> None:
    """Refuse a POST that did not come from the page this browser was shown for this link."""
    try:
        data: Any = URLSafeTimedSerializer(require_secret(), salt=CSRF_SALT).loads(
            token, max_age=int(FORM_LIFETIME.total_seconds())
        )
        bound, nonce = str(data["j"]), str(data["n"])
    except (BadData, KeyError, TypeError) as exc:
        raise LinkRefused("web.form_invalid", 403) from exc
    if not cookie_nonce or bound != link.token_id or not hmac.compare_digest(nonce, cookie_nonce):
        raise LinkRefused("web.form_invalid", 403)


def calendar_token(org: Organization) -> str:
    """The secret part of the organization's calendar address (144 bits)."""
    message = f"{CALENDAR_SALT}:{org.slug}:{org.calendar_generation}".encode()
    digest = hmac.new(require_secret().encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def calendar_url(org: Organization) -> str:
    """Where a calendar application subscribes to the organization's planned posts."""
    return f"{get_settings().public_url.rstrip('/')}/calendrier/{org.slug}/{calendar_token(org)}.ics"


def calendar_org(session: Session, slug: str, token: str) -> Organization | None:
    """The organization whose current calendar address this is; None for any other."""
    org = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if org is None or not hmac.compare_digest(token.encode(), calendar_token(org).encode()):
        return None
    return org
