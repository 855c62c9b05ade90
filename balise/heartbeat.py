"""Signs of life: `publish-due` (cron) and each worker write when they last ran."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from balise.models import Heartbeat, utcnow

WORKER_ALIVE = timedelta(minutes=2)
CRON_STALLED = timedelta(minutes=5)


def beat(session: Session, name: str, kind: str, detail: str | None = None) -> None:
    # An UPDATE, then an INSERT if the row is gone: `forget_stopped` may have just deleted it, and
    # the ORM's read-then-write would fail on a row deleted in between.
    now = utcnow()
    found = session.execute(update(Heartbeat).where(col(Heartbeat.name) == name).values(last_seen=now, detail=detail))
    if not found.rowcount:  # type: ignore[attr-defined]
        session.add(Heartbeat(name=name, kind=kind, last_seen=now, detail=detail))


def last(session: Session, kind: str) -> list[Heartbeat]:
    return list(session.exec(select(Heartbeat).where(Heartbeat.kind == kind).order_by(col(Heartbeat.last_seen).desc())))


def forget_stopped(session: Session, now: datetime) -> list[tuple[str, datetime]]:
    """Workers silent for longer than WORKER_ALIVE, deleted: (name, last beat) of each.

    One DELETE ... RETURNING, so of two `balise status` at the same moment only the one whose
    transaction deleted a row lists it: a stopped worker is reported once, then forgotten (its
    row comes back with its next beat if it was only slow)."""
    stale = delete(Heartbeat).where(col(Heartbeat.kind) == "worker", col(Heartbeat.last_seen) < now - WORKER_ALIVE)
    rows = session.execute(stale.returning(col(Heartbeat.name), col(Heartbeat.last_seen))).all()
    return sorted(((name, seen) for name, seen in rows), key=lambda row: row[1], reverse=True)
