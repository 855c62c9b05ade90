"""`balise tick`, the one periodic entry point: everything the clock makes due, every minute.

Cron (or the compose file's `cron` service) runs one command, so consent expiries and sign-off
reminders run wherever publishing runs. Each part runs in its own transactions, and one that
fails (Redis down, SMTP down) does not stop the others: the report says which failed and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from balise.db import session_scope
from balise.errors import BaliseError
from balise.mail.outbox import mail_trouble, queue_waiting
from balise.masking import mask_url_password
from balise.models import utcnow
from balise.notify import remind_waiting
from balise.pipeline.after_commit import run_after_commit
from balise.pipeline.consent import Consequences, sweep
from balise.pipeline.due import DueReport, publish_due

# The order the parts run in. The sweep comes first so that a post whose consent has just
# expired goes back to the gate instead of to the publisher; mail comes last so that it queues
# what the other parts wrote to the outbox (the mail worker sends it).
PARTS = ("consent", "due", "reminders", "mail")

T = TypeVar("T")


@dataclass(frozen=True)
class TickReport:
    """What each part did; None for a part that failed, its error in `failures`."""

    swept: Consequences | None
    due: DueReport | None
    reminders: int | None
    mail: int | None  # notices put on the mail queue
    failures: dict[str, BaliseError]


def tick(now: datetime | None = None) -> TickReport:
    """Run every part once, in `PARTS` order. Safe every minute and from several machines: each
    part is (the queue skips jobs already waiting, a reminder goes once per version and approver,
    the queue holds one job per notice and the mail job claims it)."""
    now = now or utcnow()
    failures: dict[str, BaliseError] = {}
    swept = _attempt("consent", _sweep, failures)
    due = _attempt("due", lambda: publish_due(now), failures)  # leaves the cron heartbeat
    reminders = _attempt("reminders", _remind, failures)
    mail = _attempt("mail", _queue_mail, failures)
    return TickReport(swept, due, reminders, mail, failures)


def _attempt(part: str, run: Callable[[], T], failures: dict[str, BaliseError]) -> T | None:
    """Run one part; a failure the database, Redis or the network can cause is noted, not raised.
    Anything else is a bug and stops the command with its traceback."""
    try:
        return run()
    except BaliseError as exc:
        failures[part] = exc
    except (SQLAlchemyError, RedisError, OSError) as exc:
        failures[part] = BaliseError("tick.failed_other", detail=mask_url_password(str(exc) or type(exc).__name__))
    return None


def _sweep() -> Consequences:
    """Every organization's posts whose consent expired go back to the gate, then to its queue."""
    with session_scope() as session:
        done = sweep(session, actor="cron")
    run_after_commit(done.after)
    return done


def _remind() -> int:
    """Every minute, yet a reminder goes once per version and approver (`notify.once`)."""
    with session_scope() as session:
        return remind_waiting(session)


def _queue_mail() -> int:
    """Every notice that may go now on the mail queue, its retries too (the mail worker renders
    and sends them); a failure when mail was last tried is this part's, with what to fix."""
    queued = queue_waiting()
    problem = mail_trouble()
    if problem is not None:
        raise problem
    return queued
