"""The mail job: one notice (`mail.outbox`) composed (`mail.compose`) and handed to the SMTP
server (`mail.smtp`), at most once; the notice's claim, retry and settling are the outbox's."""

from __future__ import annotations

import logging
from datetime import timedelta

from balise.config import get_settings
from balise.db import read_scope
from balise.i18n import t
from balise.mail import smtp
from balise.mail.compose import letter_for
from balise.mail.outbox import BACKOFF, claim, put_back, settle, waiting_error
from balise.models import OutboxMail, utcnow
from balise.queue.queues import enqueue_mail

log = logging.getLogger(__name__)


def send_notice(notice_id: int) -> str:
    """The mail job: send one notice, once. Returns what became of it."""
    if not get_settings().smtp_url:
        return "no_smtp"  # it waits: `balise tick` queues it again once BALISE_SMTP_URL is set
    attempt = claim(notice_id)
    if attempt is None:
        return "nothing"  # sent, dropped, not due yet, or another sender holds it
    with read_scope() as session:
        notice = session.get(OutboxMail, notice_id)
        assert notice is not None
        post_id, letter = notice.post_id, letter_for(session, notice)
    if letter is None:
        settle(notice_id, "dropped", "pending")
        return "dropped"
    try:
        handed = smtp.send(letter, lambda: settle(notice_id, "sending", "pending", attempt=attempt))
    except smtp.Unsent as exc:
        if exc.final:
            settle(notice_id, "dropped", "pending", error=exc.detail)
            return "dropped"
        retry_at = utcnow() + timedelta(seconds=BACKOFF[min(attempt, len(BACKOFF)) - 1])
        put_back(notice_id, attempt, retry_at, exc.detail)
        log.warning("%s", waiting_error(exc.detail).message())
        enqueue_mail(notice_id, attempt, retry_at)
        return "retry_later"
    except smtp.Uncertain as exc:
        settle(notice_id, "uncertain", "sending", error=exc.detail)
        log.warning("%s", t("notify.mail_cut_log", notice_id=notice_id, post_id=post_id))
        return "uncertain"
    if not handed:
        return "nothing"
    settle(notice_id, "sent", "sending", "uncertain")  # a sweep that found it late does not undo the answer
    return "sent"
