"""What `balise status` reports: counts, queues, signs of life, and what needs a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from balise.heartbeat import CRON_STALLED, forget_stopped, last
from balise.models import Organization, Post, PostCount, Target, utcnow
from balise.pipeline.due import OVERDUE
from balise.states import LIVE, State, TargetState

RECENT = timedelta(days=30)  # failed targets older than this no longer clutter the status
# `balise status`'s exit code, for a monitoring tool (README): the worst that applies.
EXIT_NEEDS_PERSON = 1
EXIT_STALLED = 2


@dataclass
class Problem:
    post_id: int
    platform: str
    kind: str  # overdue | stuck | uncertain | needs_person | failed
    since: datetime
    detail: str | None


@dataclass
class StatusReport:
    counts: dict[str, int]
    queues: dict[str, int] | None
    queue_error: str | None
    cron_last: datetime | None
    workers: list[tuple[str, datetime, bool]]  # name, last beat, alive (else stopped: listed this once)
    problems: list[Problem] = field(default_factory=list)
    stalled: bool = False
    stall_reasons: list[str] = field(default_factory=list)
    needs_person: bool = False

    def exit_code(self) -> int:
        return EXIT_STALLED if self.stalled else EXIT_NEEDS_PERSON if self.needs_person else 0


def build_status(session: Session, org: Organization) -> StatusReport:
    now = utcnow()
    rows = session.exec(select(PostCount.state, PostCount.count).where(PostCount.org_id == org.id)).all()
    counts = {s.value: 0 for s in State} | {state: n for state, n in rows}
    try:
        from balise.queue.queues import depths

        queues, queue_error = depths(), None
    except Exception as exc:  # noqa: BLE001 - status must still print when Redis is down
        queues, queue_error = None, str(exc)
    crons = last(session, "cron")
    stopped = forget_stopped(session, now)  # what is left beat within WORKER_ALIVE
    workers = [(w.name, w.last_seen, True) for w in last(session, "worker")] + [(n, s, False) for n, s in stopped]
    report = StatusReport(counts, queues, queue_error, crons[0].last_seen if crons else None, workers)
    report.problems = _problems(session, org, now)
    active = sum(counts[s] for s in LIVE)
    if report.cron_last is not None and now - report.cron_last > CRON_STALLED:
        report.stall_reasons.append("cron")
    if report.cron_last is None and active and not any(a for _, _, a in workers):
        report.stall_reasons.append("cron_never")
    if any(p.kind in {"overdue", "stuck"} for p in report.problems):
        report.stall_reasons.append("overdue")
    report.stalled = bool(report.stall_reasons)
    report.needs_person = any(p.kind == "needs_person" for p in report.problems)
    return report


def _problems(session: Session, org: Organization, now: datetime) -> list[Problem]:
    # Three narrow queries rather than one OR that makes the database read every target of the
    # organization's history. Overdue and running targets are looked up from the few live posts
    # (a cancelled post's targets stay `pending` forever: starting from targets reads them all).
    running = [s.value for s in LIVE]
    live = col(Target.post_id).in_(select(Post.id).where(Post.org_id == org.id, col(Post.state).in_(running)))
    conditions = (
        sa.and_(col(Target.state) == TargetState.PENDING.value, col(Target.due_at) <= now - OVERDUE, live),
        sa.and_(col(Target.state) == TargetState.PUBLISHING.value, live),
        sa.and_(col(Target.state) == TargetState.FAILED.value, col(Target.updated_at) >= now - RECENT),
    )
    rows = [
        row
        for condition in conditions
        for row in session.exec(
            select(Target, Post).join(Post, col(Post.id) == Target.post_id).where(Post.org_id == org.id, condition)
        ).all()
    ]
    rows.sort(key=lambda row: row[0].due_at)
    problems = []
    for target, post in rows:
        assert post.id is not None
        if target.state == TargetState.PENDING:
            kind, since = "overdue", target.due_at
        elif target.state == TargetState.FAILED:
            kind, since = ("needs_person" if target.error_kind == "needs_person" else "failed"), target.updated_at
        elif target.error_kind == "needs_person":
            kind, since = "needs_person", target.updated_at
        elif target.needs_reconcile:
            kind, since = "uncertain", target.updated_at
        elif target.lease_until is not None and target.lease_until < now:
            kind, since = "stuck", target.updated_at
        else:
            continue  # publishing right now, within its lease
        problems.append(Problem(post.id, target.platform, kind, since, target.last_error))
    return problems
