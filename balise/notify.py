"""Telling people: approvers when a draft waits for them, the responsible person when something
needs a hand. Each piece of news about a post is sent once (the `Notice` table), by email when
SMTP is configured; it is always visible in `balise status` and the audit log."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

import sqlalchemy as sa
from sqlmodel import Session, col, select

from balise.config import get_settings
from balise.errors import ConfigError
from balise.i18n import t
from balise.models import Member, Notice, Post

log = logging.getLogger(__name__)


def send_mail(to: list[str], subject: str, body: str, html: str | None = None) -> bool:
    """Send one message through BALISE_SMTP_URL; False when no SMTP is configured."""
    settings = get_settings()
    if not settings.smtp_url or not to:
        return False
    url = urlparse(settings.smtp_url)
    if url.scheme not in {"smtp", "smtps"} or not url.hostname:
        raise ConfigError("notify.bad_smtp_url", url=settings.smtp_url)
    message = EmailMessage()
    message["From"] = settings.mail_from or f"balise@{url.hostname}"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    port = url.port or (465 if url.scheme == "smtps" else 25)
    client: smtplib.SMTP
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(url.hostname, port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(url.hostname, port, timeout=30)
    with client:
        if url.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
    return True


def once(session: Session, post_id: int, kind: str) -> bool:
    """Claim the right to send news `kind` about a post; False if it was already sent."""
    if session.exec(select(Notice).where(Notice.post_id == post_id, Notice.kind == kind)).first():
        return False
    session.add(Notice(post_id=post_id, kind=kind))
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def _emails(session: Session, org_id: int, roles: tuple[str, ...]) -> list[str]:
    query = select(Member.email).where(
        Member.org_id == org_id, Member.active, col(Member.role).in_(roles)
    )
    return list(session.exec(query))


def _deliver(to: list[str], subject: str, body: str) -> None:
    try:
        send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        # The news is recorded (Notice, audit, status); a mail server down must not undo it.
        log.warning("courriel non envoyé : %s", exc)


def announce_awaiting_signoff(session: Session, post: Post) -> None:
    assert post.id is not None
    if not once(session, post.id, f"awaiting_signoff-v{post.version}"):
        return
    to = [e for e in _emails(session, post.org_id, ("approver", "admin"))]
    _deliver(
        to, t("notify.awaiting_subject", post_id=post.id), t("notify.awaiting_body", post_id=post.id, text=post.text)
    )


def tell_responsible(session: Session, post: Post, kind: str, problem: str) -> None:
    """A post needs a person (token expired, outcome uncertain, late): admins hear it once."""
    assert post.id is not None
    if not once(session, post.id, kind):
        return
    to = _emails(session, post.org_id, ("admin",)) or _emails(session, post.org_id, ("approver",))
    _deliver(
        to, t("notify.attention_subject", post_id=post.id), t("notify.attention_body", post_id=post.id, problem=problem)
    )


def tell_author(session: Session, post: Post, kind: str, news: str) -> None:
    assert post.id is not None
    if not once(session, post.id, kind):
        return
    author = session.get(Member, post.author_id)
    if author is not None:
        _deliver([author.email], t("notify.author_subject", post_id=post.id), news)
