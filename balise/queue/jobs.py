"""The job functions RQ runs: ids in, a short outcome out; the logic lives in the package."""

from __future__ import annotations

import logging
import socket

from rq import get_current_job

log = logging.getLogger(__name__)


def _worker_name() -> str:
    job = get_current_job()
    return job.worker_name if job is not None and job.worker_name else socket.gethostname()


def _sent_after(outcome: str) -> str:
    """The job's transactions are committed: send the mails they wrote (a failure waits in the outbox)."""
    from balise.notify import send_pending

    problem = send_pending()
    if problem is not None:
        log.warning("%s", problem.message())
    return outcome


def check(post_id: int, version: int) -> str:
    from balise.checking import check_post

    return _sent_after(check_post(post_id, version))


def publish(target_id: int) -> str:
    from balise.publisher.publish import publish_target

    return _sent_after(publish_target(target_id, _worker_name()))


def takedown(target_id: int) -> str:
    from balise.publisher.takedown import take_down_target

    return _sent_after(take_down_target(target_id, _worker_name()))
