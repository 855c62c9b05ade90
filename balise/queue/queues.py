"""The four queues and the one way to put a job on each. Jobs carry ids only.

Job ids are deterministic, and a job already waiting or running is not enqueued again; the
database still decides (RQ is at-least-once), so a duplicate job would change nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from balise.config import get_settings
from balise.queue.connection import get_redis

COMPLIANCE, PUBLISH, TAKEDOWN, MAIL = "compliance", "publish", "takedown", "mail"
QUEUES = (TAKEDOWN, COMPLIANCE, PUBLISH, MAIL)  # the order a worker serves them in
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
JOB_TIMEOUT = 180  # seconds; a publish job also stays under half its lease (`_publish_timeout`)
MAIL_TIMEOUT = 120  # a few exchanges of `mail.smtp.TIMEOUT` each; under the notice's claim (`mail.outbox.CLAIM_FOR`)


def queue(name: str) -> Queue:
    return Queue(name, connection=get_redis())


def _status(job_id: str) -> JobStatus | None:
    try:
        return Job.fetch(job_id, connection=get_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return None


def _live(job_id: str) -> bool:
    return _status(job_id) in LIVE


def _waiting(job_id: str) -> bool:
    """Queued or running now (not scheduled for later)."""
    return _status(job_id) in {JobStatus.QUEUED, JobStatus.STARTED}


def _enqueue(
    name: str, func: str, job_id: str, args: tuple[object, ...], at: datetime | None, timeout: int = JOB_TIMEOUT
) -> bool:
    """Enqueue unless a job with this id is already waiting or running; True if enqueued."""
    if _live(job_id):
        return False
    q = queue(name)
    if at is None:
        q.enqueue(func, *args, job_id=job_id, job_timeout=timeout, result_ttl=3600, failure_ttl=7 * 86400)
    else:
        q.enqueue_at(at, func, *args, job_id=job_id, job_timeout=timeout, result_ttl=3600, failure_ttl=7 * 86400)
    return True


def _publish_timeout() -> int:
    """RQ stops a publish job well before its claim's lease runs out, so a second worker that
    takes over an expired lease never races a first one still talking to the platform."""
    return min(JOB_TIMEOUT, get_settings().publish_lease_seconds // 2)


def enqueue_check(post_id: int, version: int) -> bool:
    return _enqueue(COMPLIANCE, "balise.queue.jobs.check", f"check-{post_id}-v{version}", (post_id, version), None)


def _enqueue_attempt(name: str, func: str, key: str, attempt: int, arg: int, at: datetime | None, timeout: int) -> bool:
    """Attempt `attempt` of `key`, now or at `at` through RQ's scheduler (a distinct id: cron's
    safety net may also run it)."""
    if at is not None and at <= datetime.now(UTC):
        at = None
    if at is not None and at.microsecond:
        # RQ's scheduler keeps whole seconds (rq/registry.py: timegm) and moves a job once its
        # second has begun: up to a second early, when the claim would find it not yet due.
        at = at.replace(microsecond=0) + timedelta(seconds=1)
    if at is None and _waiting(f"{key}-{attempt}-at"):
        return False  # RQ's scheduler already moved this attempt to the queue: one job is enough
    suffix = "-at" if at is not None else ""
    return _enqueue(name, func, f"{key}-{attempt}{suffix}", (arg,), at, timeout)


def enqueue_publish(target_id: int, attempt: int, at: datetime | None = None) -> bool:
    return _enqueue_attempt(
        PUBLISH, "balise.queue.jobs.publish", f"publish-{target_id}", attempt, target_id, at, _publish_timeout()
    )


def enqueue_mail(notice_id: int, attempt: int, at: datetime | None = None) -> bool:
    """The mail job of a notice (`OutboxMail`): after the commit that wrote it, or its next try."""
    return _enqueue_attempt(MAIL, "balise.queue.jobs.mail", f"mail-{notice_id}", attempt, notice_id, at, MAIL_TIMEOUT)


def enqueue_takedown(target_id: int, at: datetime | None = None) -> bool:
    """Now, or at `at` after a platform asked to wait (a distinct id per time: the job that asks is still running)."""
    if at is None:
        return _enqueue(TAKEDOWN, "balise.queue.jobs.takedown", f"takedown-{target_id}", (target_id,), None)
    at = max(at, datetime.now(UTC) + timedelta(seconds=1))
    return _enqueue_attempt(
        TAKEDOWN, "balise.queue.jobs.takedown", f"takedown-{target_id}", int(at.timestamp()), target_id, at, JOB_TIMEOUT
    )


def depths() -> dict[str, int]:
    return {name: queue(name).count for name in QUEUES}
