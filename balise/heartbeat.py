"""Signs of life: `publish-due` (cron) and each worker write when they last ran."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from balise.models import Heartbeat, utcnow

WORKER_ALIVE = timedelta(minutes=2)
CRON_STALLED = timedelta(minutes=5)


def beat(session: Session, name: str, kind: str, detail: str | None = None) -> None:
    row = session.get(Heartbeat, name)
    if row is None:
        row = Heartbeat(name=name, kind=kind, last_seen=utcnow(), detail=detail)
    else:
        row.last_seen, row.detail = utcnow(), detail
    session.add(row)


def last(session: Session, kind: str) -> list[Heartbeat]:
    return list(session.exec(select(Heartbeat).where(Heartbeat.kind == kind).order_by(Heartbeat.last_seen.desc())))  # type: ignore[attr-defined]


def alive(row: Heartbeat, now: datetime | None = None) -> bool:
    return (now or utcnow()) - row.last_seen <= WORKER_ALIVE
