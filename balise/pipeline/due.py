"""The due step, `publish-due`: enqueue from the database everything that is due.

Safe to run every minute from several machines: the queue skips jobs already waiting, and
the database claim decides who publishes. It also rebuilds the queues after Redis lost them.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from balise.db import session_scope
from balise.heartbeat import beat
from balise.models import Post, Target, utcnow
from balise.notify import News, tell_responsible
from balise.pipeline.after_commit import AfterCommit, Publish, run_after_commit
from balise.queue.connection import get_redis
from balise.states import LIVE, State, TargetState

OVERDUE = timedelta(minutes=2)


@dataclass(frozen=True)
class DueReport:
    """What is on the queues once `publish-due` ran (queued now, or already waiting there)."""

    publish: int
    reconcile: int
    checks: int
    overdue: int


@dataclass(frozen=True)
class DueWork:
    """What the database says is due: the selection `publish-due` makes, apart from enqueueing."""

    due: list[tuple[int, int]]  # (target id, attempts) of pending targets whose time has come
    stale: list[tuple[int, int]]  # publishing targets whose lease ran out: reconcile them
    unchecked: list[tuple[int, int]]  # (post id, version) of drafts waiting for the gate
    overdue: list[Post]  # posts late by more than OVERDUE


def due_work(session: Session, now: datetime) -> DueWork:
    """Read from the live posts outward: targets of cancelled or rejected posts stay `pending`
    for ever, and a query led by `ix_target_due` would read all those years of them every minute."""
    live = col(Post.state).in_([s.value for s in LIVE])
    of_live_post = col(Target.post_id).in_(select(Post.id).where(live))
    due = session.exec(
        select(Target.id, Target.attempts)
        .where(Target.state == TargetState.PENDING.value, col(Target.due_at) <= now, of_live_post)
        .order_by(col(Target.due_at))  # the queue is first in, first out: the longest-waiting go first
    ).all()
    stale = session.exec(
        select(Target.id, Target.attempts).where(
            Target.state == TargetState.PUBLISHING.value, col(Target.lease_until) <= now, of_live_post
        )
    ).all()
    unchecked = session.exec(select(Post.id, Post.version).where(Post.state == State.PENDING_CHECK.value)).all()
    late_target = (
        select(Target.id)
        .where(Target.post_id == Post.id, Target.state == TargetState.PENDING.value)
        .where(col(Target.due_at) <= now - OVERDUE)
    )
    overdue = session.exec(select(Post).where(live, late_target.exists())).all()
    return DueWork(
        [(i, a) for i, a in due if i is not None],
        [(i, a) for i, a in stale if i is not None],
        [(i, v) for i, v in unchecked if i is not None],
        list(overdue),
    )


def due(session: Session, now: datetime) -> tuple[DueReport, AfterCommit]:
    """Everything due at `now`, to queue after the commit; an overdue post's responsible person is told."""
    work = due_work(session, now)
    for post in work.overdue:
        # Once per post, not every minute.
        tell_responsible(session, post, "overdue", News("notify.overdue", {"post_id": post.id}))
    report = DueReport(len(work.due), len(work.stale), len(work.unchecked), len(work.overdue))
    publishes = [Publish(target_id, attempts) for target_id, attempts in (*work.due, *work.stale)]
    return report, AfterCommit(checks=work.unchecked, publishes=publishes)


def publish_due(now: datetime | None = None) -> DueReport:
    """The cron entry point: the due step, its jobs, then cron's heartbeat."""
    get_redis()  # a broken REDIS_URL must fail cron loudly, even on a quiet minute
    with session_scope() as session:
        report, after = due(session, now or utcnow())
    run_after_commit(after)
    with session_scope() as session:
        beat(session, f"cron@{socket.gethostname()}", "cron")  # only once the queues took the work
    return report
