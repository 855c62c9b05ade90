"""Telling people: approvers when a draft waits for them (and a reminder when it waits too long),
the responsible person when something needs a hand, the author when a decision is made. Each
piece of news is decided once (the `Notice` table) and always visible in `balise status` and the
audit log; when SMTP is configured its mails are written to the outbox (`OutboxMail`) in the
deciding transaction and sent after the commit by `send_pending`, so a mail server that is slow,
down or misconfigured never holds the database nor undoes a decision."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlparse

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from balise.config import get_settings
from balise.db import read_scope, session_scope
from balise.errors import BaliseError, ConfigError
from balise.i18n import t
from balise.masking import mask_url_password
from balise.models import Approval, Member, Notice, OutboxMail, Post, PostAuthor, utcnow
from balise.states import State

REMIND_AFTER = timedelta(hours=24)
CLAIM_FOR = timedelta(minutes=2)  # a sender that died mid-send leaves its mail to the next one after this


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
        raise ConfigError("notify.bad_smtp_url", url=settings.smtp_url)  # masked by send_pending, its only caller
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


def _write_mail(
    session: Session, post: Post, *, member: Member | None = None, reminder: bool = False, to: str = "",
    subject: str = "", body: str = "",
) -> None:
    """Put a mail about `post` in the outbox, in the caller's transaction; none without SMTP."""
    if not get_settings().smtp_url or not (member or to):
        return
    assert post.id is not None
    session.add(OutboxMail(
        post_id=post.id, version=post.version, member_id=member.id if member else None, reminder=reminder,
        recipients=to, subject=subject, body=body,
    ))  # fmt: skip


class MailWaiting(ConfigError):
    """Mail could not be sent: the decision stands, its mails wait in the outbox for the next send."""


def send_pending(limit: int = 100) -> MailWaiting | None:
    """Send the outbox's waiting mails, oldest first, each claimed so that two senders never send
    one twice. At a failure that holds for every mail (BALISE_SMTP_URL, the server) stop and
    return what to fix (the caller shows or logs it): the mails wait for the next send
    (`balise publish-due`, every minute)."""
    if not get_settings().smtp_url:
        return None
    with read_scope() as session:
        waiting = session.exec(
            select(OutboxMail.id).where(OutboxMail.state == "pending").order_by(col(OutboxMail.id)).limit(limit)
        )
        mail_ids = [mail_id for mail_id in waiting if mail_id is not None]
    for mail_id in mail_ids:
        if not _claim(mail_id):
            continue
        try:
            sent = _send_one(mail_id)
        except smtplib.SMTPRecipientsRefused as exc:
            _settle(mail_id, "dropped", error=mask_url_password(str(exc.recipients)))  # this mail only; never accepted
        except (ConfigError, OSError, smtplib.SMTPException) as exc:
            said = exc.message() if isinstance(exc, BaliseError) else str(exc) or type(exc).__name__
            detail = mask_url_password(said)
            _settle(mail_id, "pending", error=detail)
            with read_scope() as session:
                count = session.exec(select(func.count()).where(OutboxMail.state == "pending")).one()
            url = mask_url_password(get_settings().smtp_url or "")
            return MailWaiting("notify.mail_waiting", url=url, count=count, detail=detail)
        else:
            _settle(mail_id, "sent" if sent else "dropped")
    return None


def _claim(mail_id: int) -> bool:
    now = utcnow()
    with session_scope() as session:
        claimed = session.execute(
            sa.update(OutboxMail)
            .where(col(OutboxMail.id) == mail_id, col(OutboxMail.state) == "pending")
            .where(sa.or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now))
            .values(claimed_until=now + CLAIM_FOR)
        )
        return claimed.rowcount == 1  # type: ignore[attr-defined]


def _send_one(mail_id: int) -> bool:
    """Build the mail from the database as it is now and send it; False for a sign-off request
    the post no longer needs (decided, edited, or the approver left)."""
    from balise.mail.compose import signoff_mail  # here: balise.mail imports balise.signoff, which imports this module

    html: str | None = None
    images: Sequence[InlineImage] = ()
    with read_scope() as session:
        mail = session.get(OutboxMail, mail_id)
        assert mail is not None
        if mail.member_id is None:
            to, subject, body = mail.recipients.split(", "), mail.subject, mail.body
        else:
            post, member = session.get(Post, mail.post_id), session.get(Member, mail.member_id)
            if post is None or member is None or not member.active:
                return False
            if post.version != mail.version or post.state != State.AWAITING_SIGNOFF:
                return False
            request = signoff_mail(session, post, member, reminder=mail.reminder)
            to, subject, body = [member.email], request.subject, request.text
            html, images = request.html, request.preview.photos
    return send_mail(to, subject, body, html, images)


def _settle(mail_id: int, state: str, error: str | None = None) -> None:
    with session_scope() as session:
        mail = session.get(OutboxMail, mail_id)
        assert mail is not None
        mail.state, mail.claimed_until = state, None
        if error is not None:
            mail.attempts, mail.last_error = mail.attempts + 1, error
        if state == "sent":
            mail.sent_at = utcnow()
        session.add(mail)


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
    """A sign-off request is built when sent: its links are personal and signed, never stored."""
    _write_mail(session, post, member=member, reminder=reminder)


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
    _write_mail(
        session, post, to=", ".join(to), subject=t("notify.attention_subject", post_id=post.id),
        body=t("notify.attention_body", post_id=post.id, problem=problem),
    )  # fmt: skip


def tell_author(session: Session, post: Post, kind: str, news: str) -> None:
    assert post.id is not None
    if not once(session, post.id, kind):
        return
    author = session.get(Member, post.author_id)
    if author is not None:
        _write_mail(session, post, to=author.email, subject=t("notify.author_subject", post_id=post.id), body=news)
