"""The job functions RQ runs: ids in, a short outcome out; the logic lives in the package."""

from __future__ import annotations

import socket

from rq import get_current_job


def _worker_name() -> str:
    job = get_current_job()
    return job.worker_name if job is not None and job.worker_name else socket.gethostname()


def _mail_after(outcome: str) -> str:
    """The job's transactions are committed: queue the mail job for the notices they wrote."""
    from balise.mail.outbox import queue_waiting

    queue_waiting()
    return outcome


def check(post_id: int, version: int) -> str:
    from balise.checking import check_post

    return _mail_after(check_post(post_id, version))


def publish(target_id: int) -> str:
    from balise.publisher.publish import publish_target

    return _mail_after(publish_target(target_id, _worker_name()))


def takedown(target_id: int) -> str:
    from balise.publisher.takedown import take_down_target

    return _mail_after(take_down_target(target_id, _worker_name()))


def mail(notice_id: int) -> str:
    from balise.mail.outbox import send_notice

    return send_notice(notice_id)
