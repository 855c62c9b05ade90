"""Telling people: approvers when a draft waits for them (and a reminder when it waits too long),
the responsible person when something needs a hand, the author when a decision is made. Each
piece of news is sent once (the `Notice` table), by email when SMTP is configured; it is always
visible in `balise status` and the audit log."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlparse

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from balise.config import get_settings
from balise.errors import ConfigError
from balise.i18n import t
from balise.models import Approval, Member, Notice, Post, PostAuthor, utcnow
from balise.states import State

log = logging.getLogger(__name__)

REMIND_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class InlineImage:
    """A photo shown inside the HTML part (`cid:` address), read from the media store."""

    cid: str
    path: Path
    mime: str
    name: str


def send_mail(
    to: list[str], subject: str, body: str, html: str | None = None, images: Sequence[InlineImage] = ()
) -> bool:
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
        html_part = message.get_body(("html",))
        assert html_part is not None
        for image in images:
            maintype, subtype = image.mime.split("/", 1)
            html_part.add_related(
                image.path.read_bytes(), maintype, subtype, cid=f"<{image.cid}>", filename=image.name,
                disposition="inline",
            )  # fmt: skip
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
    """Claim the right to send news `kind` about a post; False if it was already sent. One
    statement: the unique (post, kind) decides, even between two workers at the same moment."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    claim = insert(Notice).values(post_id=post_id, kind=kind, created_at=utcnow()).on_conflict_do_nothing()
    return session.execute(claim.returning(col(Notice.id))).first() is not None


def _emails(session: Session, org_id: int, roles: tuple[str, ...]) -> list[str]:
    query = select(Member.email).where(
        Member.org_id == org_id, Member.active, col(Member.role).in_(roles)
    )
    return list(session.exec(query))


def _deliver(
    to: list[str], subject: str, body: str, html: str | None = None, images: Sequence[InlineImage] = ()
) -> None:
    try:
        send_mail(to, subject, body, html, images)
    except (OSError, smtplib.SMTPException) as exc:
        # The news is recorded (Notice, audit, status); a mail server down must not undo it.
        log.warning("courriel non envoyé : %s", exc)


def waiting_on(session: Session, post: Post) -> list[Member]:
    """Who the post still waits for: active approvers and admins, never one who wrote part of it,
    not those who already signed this exact version off."""
    signed = select(Approval.member_id).where(
        Approval.post_id == post.id, Approval.content_hash == post.content_hash, col(Approval.voided_at).is_(None)
    )
    wrote = select(PostAuthor.member_id).where(PostAuthor.post_id == post.id)
    query = select(Member).where(
        Member.org_id == post.org_id,
        Member.active,
        col(Member.role).in_(("approver", "admin")),
        Member.id != post.author_id,
        col(Member.id).not_in(signed),
        col(Member.id).not_in(wrote),
    )
    return list(session.exec(query.order_by(col(Member.id))))


def _ask_signoff(session: Session, post: Post, member: Member, *, reminder: bool) -> None:
    from balise.web.mail import signoff_mail  # here: balise.web imports balise.signoff, which imports this module

    if not get_settings().smtp_url:
        return  # no mail server: `balise inbox` shows the post; no mail to build
    mail = signoff_mail(session, post, member, reminder=reminder)
    _deliver([member.email], mail.subject, mail.text, mail.html, mail.preview.photos)


def announce_awaiting_signoff(session: Session, post: Post) -> None:
    """Each approver gets the post, the gate's findings and their own approve/reject links."""
    assert post.id is not None
    if not once(session, post.id, f"awaiting_signoff-v{post.version}"):
        return
    for member in waiting_on(session, post):
        _ask_signoff(session, post, member, reminder=False)


def remind_waiting(session: Session, after: timedelta = REMIND_AFTER) -> int:
    """Remind approvers of drafts waiting longer than `after`: once per version and approver."""
    waiting = session.exec(
        select(Post).where(Post.state == State.AWAITING_SIGNOFF.value, Post.updated_at <= utcnow() - after)
    )
    sent = 0
    for post in list(waiting):
        assert post.id is not None
        for member in waiting_on(session, post):
            if once(session, post.id, f"remind-v{post.version}-m{member.id}"):
                _ask_signoff(session, post, member, reminder=True)
                sent += 1
    return sent


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
