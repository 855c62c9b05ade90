"""`publish-due`, the cron entry point: enqueue from the database everything that is due.

Safe to run every minute from several machines: the queue skips jobs already waiting, and
the database claim decides who publishes. It also rebuilds the queues after Redis lost them.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from balise.db import session_scope
from balise.heartbeat import beat
from balise.models import Post, Target, utcnow
from balise.notify import tell_responsible
from balise.queue.connection import get_redis
from balise.queue.queues import enqueue_check, enqueue_publish
from balise.states import State, TargetState

OVERDUE = timedelta(minutes=2)


@dataclass(frozen=True)
class DueReport:
    publish: int
    reconcile: int
    checks: int
    overdue: int


def publish_due(now: datetime | None = None) -> DueReport:
    now = now or utcnow()
    get_redis()  # a broken REDIS_URL must fail cron loudly, even on a quiet minute
    live_posts = col(Post.state).in_([State.SCHEDULED.value, State.PUBLISHING.value])
    with session_scope() as session:
        due = session.exec(
            select(Target.id, Target.attempts)
            .join(Post, col(Post.id) == Target.post_id)
            .where(Target.state == TargetState.PENDING.value, col(Target.due_at) <= now, live_posts)
        ).all()
        stale = session.exec(
            select(Target.id, Target.attempts)
            .join(Post, col(Post.id) == Target.post_id)
            .where(Target.state == TargetState.PUBLISHING.value, col(Target.lease_until) <= now, live_posts)
        ).all()
        unchecked = session.exec(select(Post.id, Post.version).where(Post.state == State.PENDING_CHECK.value)).all()
        overdue = list(
            session.exec(
                select(Post)
                .join(Target, col(Target.post_id) == Post.id)
                .where(Target.state == TargetState.PENDING.value, col(Target.due_at) <= now - OVERDUE, live_posts)
                .distinct()
            )
        )
        for post in overdue:
            # Once per post, not every minute.
            tell_responsible(
                session, post, "overdue", f"La publication n° {post.id} est en retard sur son heure prévue."
            )
    publish = sum(enqueue_publish(tid, attempts) for tid, attempts in due if tid is not None)
    reconcile = sum(enqueue_publish(tid, attempts) for tid, attempts in stale if tid is not None)
    checks = sum(enqueue_check(pid, version) for pid, version in unchecked if pid is not None)
    with session_scope() as session:
        beat(session, f"cron@{socket.gethostname()}", "cron")  # only once the queues took the work
    return DueReport(publish, reconcile, checks, len(overdue))
