"""The audit log: append-only, each event chained to the previous one of its organization.

Editing, deleting or inserting a row by hand breaks the chain, and `verify` says where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from balise.models import AuditEvent, Organization, utcnow


def _digest(event: AuditEvent) -> str:
    payload = {
        "org_id": event.org_id,
        "post_id": event.post_id,
        "actor": event.actor,
        "channel": event.channel,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "at": event.created_at.isoformat(timespec="microseconds"),
        "prev": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    session: Session,
    *,
    org_id: int,
    actor: str,
    channel: str,
    action: str,
    post_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, chained to the organization's last one."""
    # Serialize writers of one organization's chain: a row lock on PostgreSQL. SQLite has no row
    # locks, and its transactions already begin IMMEDIATE (balise.db).
    if session.get_bind().dialect.name != "sqlite":
        session.exec(select(Organization.id).where(Organization.id == org_id).with_for_update())
    last = session.exec(
        select(AuditEvent.hash).where(AuditEvent.org_id == org_id).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    event = AuditEvent(
        org_id=org_id,
        post_id=post_id,
        actor=actor,
        channel=channel,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        created_at=utcnow(),
        prev_hash=last or "",
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the event id and what is wrong with it."""

    event_id: int
    problem: str  # "modified" | "missing_before" | "inserted"


def verify(session: Session, org_id: int) -> list[Break]:
    """Every place the organization's chain is broken; empty when the log is intact."""
    breaks: list[Break] = []
    previous = ""
    events = session.exec(select(AuditEvent).where(AuditEvent.org_id == org_id).order_by(col(AuditEvent.id)))
    for event in events:
        assert event.id is not None
        if event.hash != _digest(event):
            breaks.append(Break(event.id, "modified"))
        elif event.prev_hash != previous:
            # A row removed before this one, or this one slipped in with a forged link.
            breaks.append(Break(event.id, "missing_before"))
        previous = event.hash
    return breaks


def history(session: Session, post_id: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(col(AuditEvent.id))))
