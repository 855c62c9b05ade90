"""The three queues and the one way to put a job on each. Jobs carry ids only.

Job ids are deterministic, and a job already waiting or running is not enqueued again; the
database still decides (RQ is at-least-once), so a duplicate job would change nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from balise.queue.connection import get_redis

COMPLIANCE, PUBLISH, TAKEDOWN = "compliance", "publish", "takedown"
QUEUES = (TAKEDOWN, COMPLIANCE, PUBLISH)  # the order a worker serves them in
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
JOB_TIMEOUT = 180  # seconds; shorter than the publish lease (balise.publisher.publish.LEASE)


def queue(name: str) -> Queue:
    return Queue(name, connection=get_redis())


def _live(job_id: str) -> bool:
    try:
        status = Job.fetch(job_id, connection=get_redis()).get_status(refresh=False)
    except NoSuchJobError:
        return False
    return status in LIVE


def _enqueue(name: str, func: str, job_id: str, args: tuple[object, ...], at: datetime | None) -> bool:
    """Enqueue unless a job with this id is already waiting or running; True if enqueued."""
    if _live(job_id):
        return False
    q = queue(name)
    if at is None:
        q.enqueue(func, *args, job_id=job_id, job_timeout=JOB_TIMEOUT, result_ttl=3600, failure_ttl=7 * 86400)
    else:
        q.enqueue_at(at, func, *args, job_id=job_id, job_timeout=JOB_TIMEOUT, result_ttl=3600, failure_ttl=7 * 86400)
    return True


def enqueue_check(post_id: int, version: int) -> bool:
    return _enqueue(COMPLIANCE, "balise.queue.jobs.check", f"check-{post_id}-v{version}", (post_id, version), None)


def enqueue_publish(target_id: int, attempt: int, at: datetime | None = None) -> bool:
    """Now, or at `at` through RQ's scheduler (a distinct id: cron's safety net may also run it)."""
    if at is not None and at <= datetime.now(UTC):
        at = None
    suffix = "-at" if at is not None else ""
    return _enqueue(PUBLISH, "balise.queue.jobs.publish", f"publish-{target_id}-{attempt}{suffix}", (target_id,), at)


def enqueue_takedown(target_id: int) -> bool:
    return _enqueue(TAKEDOWN, "balise.queue.jobs.takedown", f"takedown-{target_id}", (target_id,), None)


def depths() -> dict[str, int]:
    return {name: queue(name).count for name in QUEUES}
