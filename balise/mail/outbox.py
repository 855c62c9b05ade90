"""The outbox: each notice row (`OutboxMail`) waits here until the mail job (`mail.send`) puts it
in words and sends it after the commit that wrote it, on the `mail` queue, retried on its own, at
most once. This module keeps the notices' states only, so that every command can queue mail
without importing what composes it (templates, the meeting, the platforms' figures).

- After each commit that may have written notices (a command, a job, the web app) and every
  minute from `balise tick` (or `publish-due`), `queue_waiting` puts a job on the mail queue for each notice
  that may go now (`queue.queues.enqueue_mail`).
- A job claims its notice (compare-and-set, a lease of `CLAIM_FOR`; each claim counts an
  attempt), reads and renders it outside any transaction, connects to the server, records the
  notice `sending` just before handing the message over, then `sent`.
- A failure that leaves nothing at the server (no connection, a refusal, a wrong BALISE_SMTP_URL)
  puts the notice back with its error and a time to try again (`BACKOFF`), queued on RQ's
  scheduler and found by `balise tick` as well.
- At most once: a hand-over cut before the server answered (a timeout, a lost connection, or the
  worker killed while `sending`) may have delivered the mail, so it is never sent again. The
  notice becomes `uncertain`, with its error, and the log says which post to look at.
  At-least-once would mail the same sign-off request (with fresh links) or the same news twice
  whenever a worker dies at the wrong moment; a notice lost this way is rarer (only the seconds
  of the hand-over are at risk) and its news is also in `balise draft show` and the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, func, select

from balise.config import get_settings
from balise.db import read_scope, session_scope
from balise.errors import ConfigError
from balise.i18n import t
from balise.masking import mask_url_password
from balise.models import OutboxMail, utcnow
from balise.queue.queues import enqueue_mail

log = logging.getLogger(__name__)
# Seconds before the next try after each failure, then every hour: a server down for a day
# costs each notice about thirty tries, and a corrected BALISE_SMTP_URL is used within the hour.
BACKOFF = (30, 60, 300, 900, 1800, 3600)
# A claim outlives the job's run (`queues.MAIL_TIMEOUT` + RQ's 60 s grace): a live sender never
# loses its notice to a second one, and a dead one's notice is taken up (or found uncertain) after it.
CLAIM_FOR = timedelta(minutes=5)
QUEUE_AT_ONCE = 100


class MailWaiting(ConfigError):
    """Mail could not be sent: the decision stands, its mails wait in the outbox and are retried."""


def queue_waiting(now: datetime | None = None) -> int:
    """Queue a mail job for each notice that may go now; a notice left `sending` by a sender that
    died becomes `uncertain`. Returns how many jobs were queued."""
    if not get_settings().smtp_url:
        return 0
    now = now or utcnow()
    free = sa.or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now)
    with read_scope() as session:
        waiting = session.exec(
            select(OutboxMail.id, OutboxMail.attempts)
            .where(OutboxMail.state == "pending", free)
            .where(sa.or_(col(OutboxMail.send_after).is_(None), col(OutboxMail.send_after) <= now))
            .order_by(col(OutboxMail.id))
            .limit(QUEUE_AT_ONCE)
        ).all()
        cut = session.exec(select(OutboxMail.id, OutboxMail.post_id).where(OutboxMail.state == "sending", free)).all()
    for notice_id, post_id in cut:
        if notice_id is not None and settle(notice_id, "uncertain", "sending", error=t("notify.mail_cut", lang="fr")):
            log.warning("%s", t("notify.mail_cut_log", notice_id=notice_id, post_id=post_id))
    return sum(enqueue_mail(notice_id, attempts) for notice_id, attempts in waiting if notice_id is not None)


def mail_trouble() -> MailWaiting | None:
    """What to tell the person at the command line or in the log: notices wait because sending failed."""
    if not get_settings().smtp_url:
        return None
    with read_scope() as session:
        failed = (OutboxMail.state == "pending", col(OutboxMail.last_error).is_not(None))
        latest = session.exec(select(OutboxMail.last_error).where(*failed).order_by(col(OutboxMail.id).desc())).first()
    return waiting_error(latest) if latest else None


def waiting_error(detail: str) -> MailWaiting:
    with read_scope() as session:
        count = session.exec(select(func.count()).where(OutboxMail.state == "pending")).one()
    url = mask_url_password(get_settings().smtp_url or "")
    return MailWaiting("notify.mail_waiting", url=url, count=count, detail=detail)


def claim(notice_id: int) -> int | None:
    """Take the notice for CLAIM_FOR; the attempt's number, which the later steps check."""
    now = utcnow()
    with session_scope() as session:
        claimed = session.execute(
            sa.update(OutboxMail)
            .where(col(OutboxMail.id) == notice_id, col(OutboxMail.state) == "pending")
            .where(sa.or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now))
            .where(sa.or_(col(OutboxMail.send_after).is_(None), col(OutboxMail.send_after) <= now))
            .values(claimed_until=now + CLAIM_FOR, attempts=col(OutboxMail.attempts) + 1)
            .returning(col(OutboxMail.attempts))
        ).first()
    return int(claimed[0]) if claimed is not None else None


def put_back(notice_id: int, attempt: int, retry_at: datetime, error: str) -> None:
    with session_scope() as session:
        session.execute(
            sa.update(OutboxMail)
            .where(col(OutboxMail.id) == notice_id, col(OutboxMail.attempts) == attempt)
            .where(col(OutboxMail.state).in_(("pending", "sending")))  # refused at the hand-over: not delivered
            .values(state="pending", claimed_until=None, send_after=retry_at, last_error=error)
        )


def settle(notice_id: int, state: str, *was: str, attempt: int | None = None, error: str | None = None) -> bool:
    """Move the notice to `state` if it is in one of `was` (and still this attempt's); True if it moved."""
    values: dict[str, object] = {"state": state}
    if state != "sending":
        values["claimed_until"] = None
    if error is not None:
        values["last_error"] = error
    if state == "sent":
        values["sent_at"] = utcnow()
    query = sa.update(OutboxMail).where(col(OutboxMail.id) == notice_id, col(OutboxMail.state).in_(was))
    if attempt is not None:
        query = query.where(col(OutboxMail.attempts) == attempt)
    with session_scope() as session:
        return session.execute(query.values(**values)).rowcount == 1  # type: ignore[attr-defined]
