"""Signing in to the workspace without a password: a member types their email, receives a
single-use link (15 minutes), and the POST of the page it opens starts a session.

The link's token is signed like a sign-off link's (`balise.mail.links`'s secret, its own salt);
its row (`SignInLink`) is the single-use store and what the limits count: a few links an hour per
email and per asking address, unknown emails included, so the page neither mails a stranger in a
loop nor says which emails are members. The session is a `WebSession` row named by the cookie
(`balise.web.sessions`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadData, URLSafeSerializer
from sqlmodel import Session, col, func, select

from balise.config import get_settings
from balise.db import session_scope
from balise.i18n import t
from balise.mail import smtp
from balise.mail.letter import Letter
from balise.mail.links import require_secret
from balise.models import Member, Organization, SignInLink, WebSession, utcnow
from balise.web.links import LinkRefused

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=15)
LINK_SALT = "balise.signin-link"
PER_EMAIL_PER_HOUR = 5
PER_ADDRESS_PER_HOUR = 20  # a shared office connection: several people, a few tries each


class TooManyAsks(Exception):
    """The sign-in page was asked too often, for this email or from this address."""


@dataclass(frozen=True)
class SignInClaim:
    member_id: int
    token_id: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(require_secret(), salt=LINK_SALT)


def make_sign_in_token(member_id: int, token_id: str) -> str:
    expires = int((utcnow() + LINK_LIFETIME).timestamp())
    return _serializer().dumps({"m": member_id, "j": token_id, "x": expires})


def read_sign_in_token(token: str) -> SignInClaim:
    """The link's claims; a tampered or expired token is refused before the database is read."""
    try:
        data: Any = _serializer().loads(token)
        claim = SignInClaim(int(data["m"]), str(data["j"]))
        expires = int(data["x"])
    except (BadData, KeyError, TypeError, ValueError) as exc:
        raise LinkRefused("workspace.link_invalid", 400) from exc
    if utcnow().timestamp() > expires:
        raise LinkRefused("workspace.link_expired", 410)
    return claim


def sign_in_url(token: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/connexion/{token}"


def _count_since(session: Session, column: Any, value: str) -> int:
    since = utcnow() - timedelta(hours=1)
    query = select(func.count()).select_from(SignInLink).where(column == value, col(SignInLink.created_at) > since)
    return int(session.exec(query).one())


def _ask(email: str, address: str) -> list[tuple[Member, Organization, str]]:
    """Record the ask within the limits; for each active membership of this email, a new link."""
    with session_scope() as session:
        if _count_since(session, col(SignInLink.address), address) >= PER_ADDRESS_PER_HOUR:
            raise TooManyAsks
        if _count_since(session, col(SignInLink.email), email) >= PER_EMAIL_PER_HOUR:
            raise TooManyAsks
        rows = session.exec(
            select(Member, Organization)
            .join(Organization, col(Organization.id) == Member.org_id)
            .where(func.lower(Member.email) == email, col(Member.active))
        ).all()
        if not rows:
            session.add(SignInLink(email=email, address=address))
            return []
        letters = []
        for member, org in rows:
            token_id = secrets.token_urlsafe(12)
            session.add(SignInLink(token_id=token_id, member_id=member.id, email=email, address=address))
            assert member.id is not None
            letters.append((member, org, make_sign_in_token(member.id, token_id)))
        return letters


def ask_for_link(email: str, address: str) -> None:
    """Mail a sign-in link to each membership of `email`; silent for an unknown email (the page
    says the same either way). Raises `TooManyAsks`."""
    email = email.strip().lower()
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    for member, org, token in _ask(email, address):
        body = t("workspace.mail_body", name=member.name, org=org.name, url=sign_in_url(token), minutes=minutes)
        letter = Letter(member.email, t("workspace.mail_subject", org=org.name), body)
        try:  # straight to the server: the outbox would keep a live link in the database
            smtp.send(letter, handing_over=lambda: True)
        except (smtp.Unsent, smtp.Uncertain) as exc:
            log.warning("lien de connexion non envoyé au membre %s : %s", member.id, exc.detail)


def _live_link(session: Session, token: str) -> tuple[SignInLink, Member]:
    claim = read_sign_in_token(token)
    row = session.exec(select(SignInLink).where(SignInLink.token_id == claim.token_id)).first()
    member = session.get(Member, claim.member_id)
    if row is None or member is None or row.member_id != member.id or not member.active:
        raise LinkRefused("workspace.link_invalid", 400)
    if row.used_at is not None:
        raise LinkRefused("workspace.link_used", 410)
    return row, member


def open_sign_in(token: str) -> Member:
    """The member a link would sign in; reading it spends nothing (mail scanners open links)."""
    with session_scope() as session:
        _, member = _live_link(session, token)
        session.expunge(member)
        return member


def sign_in(token: str, replacing: str | None) -> str:
    """Spend the link (compare-and-set: one use) and open a new session, ending the one the
    browser had (`replacing`): a session id planted before sign-in never becomes signed in."""
    with session_scope() as session:
        row, member = _live_link(session, token)
        spent = session.execute(
            sa.update(SignInLink)
            .where(col(SignInLink.id) == row.id, col(SignInLink.used_at).is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            raise LinkRefused("workspace.link_used", 410)
        if replacing:
            end_session(session, replacing)
        assert member.id is not None
        session_id = secrets.token_urlsafe(32)
        session.add(WebSession(id=session_id, member_id=member.id))
        return session_id


def end_session(session: Session, session_id: str) -> None:
    session.execute(
        sa.update(WebSession)
        .where(col(WebSession.id) == session_id, col(WebSession.ended_at).is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
