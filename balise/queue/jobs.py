"""The job functions RQ runs: ids in, a short outcome out. Each calls one pipeline step, then,
its transactions committed, runs what the step left (`pipeline.after_commit`)."""

from __future__ import annotations

import logging
import socket

from redis.exceptions import RedisError
from rq import get_current_job

from balise.errors import BaliseError
from balise.mail.send import send_notice
from balise.pipeline.after_commit import AfterCommit, run_after_commit
from balise.pipeline.check import check_post
from balise.pipeline.publish import publish_target
from balise.pipeline.takedown import take_down_target

log = logging.getLogger(__name__)


def _worker_name() -> str:
    job = get_current_job()
    return job.worker_name if job is not None and job.worker_name else socket.gethostname()


def _after(done: tuple[str, AfterCommit]) -> str:
    """The step's work is committed: a failure to queue what follows is logged, not the job's
    failure (`balise tick` queues it again from the database)."""
    outcome, after = done
    try:
        run_after_commit(after)
    except (BaliseError, RedisError, OSError) as exc:
        log.warning("travail suivant non mis en file (%s) ; « balise tick » s'en chargera : %s", outcome, exc)
    return outcome


def check(post_id: int, version: int) -> str:
    return _after(check_post(post_id, version))


def publish(target_id: int) -> str:
    return _after(publish_target(target_id, _worker_name()))


def takedown(target_id: int) -> str:
    return _after(take_down_target(target_id, _worker_name()))


def mail(notice_id: int) -> str:
    return send_notice(notice_id)
