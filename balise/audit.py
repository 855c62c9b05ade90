"""The audit log: append-only, each event chained to the previous one of its organization.

Each event's hash is an HMAC keyed from BALISE_SECRET_KEY, so whoever rewrites a row cannot
recompute the chain after it without the key. The chain's last event (its head) is also written
to a file in the data directory after each commit, and printed by `balise audit verify --json`:
deleting the last rows leaves a valid chain that no longer reaches its head.

Events written before the key existed carry the former unkeyed SHA-256. They still verify, but
only before the first keyed event, whose HMAC covers the last of them and so seals them all.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from balise.config import get_settings
from balise.errors import ConfigError
from balise.keys import derived_key
from balise.models import AuditEvent, Organization, utcnow
from balise.private import private_dir, write_private

log = logging.getLogger(__name__)

KEYED = "hmac:"  # a keyed hash starts with this; an unkeyed one is 64 hex digits
KEY_SALT = b"balise.audit-chain"
PENDING_HEADS = "balise.audit_heads"  # session.info: heads to write once the transaction commits


def _chain_key() -> bytes | None:
    """The chain's own key, derived so that it signs nothing else BALISE_SECRET_KEY signs."""
    return derived_key(KEY_SALT)


def _digest(event: AuditEvent, key: bytes | None) -> str:
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
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return KEYED + hmac.new(key, canonical, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    """The last event of an organization's chain: its id and hash."""

    event_id: int
    hash: str


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
    """Append one event in the caller's transaction, chained to the organization's last one;
    its head file follows when the transaction commits."""
    # Serialize writers of one organization's chain: a row lock on PostgreSQL. SQLite has no row
    # locks, and its transactions already begin IMMEDIATE (balise.db).
    if session.get_bind().dialect.name != "sqlite":
        session.exec(select(Organization.id).where(Organization.id == org_id).with_for_update())
    last = session.exec(
        select(AuditEvent.hash).where(AuditEvent.org_id == org_id).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    key = _chain_key()
    if key is None and last and last.startswith(KEYED):
        raise ConfigError("audit.key_missing")  # an unkeyed event after keyed ones would read as forged
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
    event.hash = _digest(event, key)
    session.add(event)
    session.flush()
    assert event.id is not None
    session.info.setdefault(PENDING_HEADS, {})[org_id] = Head(event.id, event.hash)
    return event


def head_path(org_id: int) -> Path:
    return get_settings().data_path / "audit" / f"head-{org_id}.json"


def read_head(path: Path) -> Head | None:
    """A head written by balise or kept from `audit verify --json`; None if there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data.get("head", data)  # a kept `audit verify --json` output holds it under "head"
        return Head(int(data["event_id"]), str(data["hash"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError("audit.head_unreadable", path=path, detail=str(exc)) from exc


def _advance_head(org_id: int, head: Head) -> None:
    """Write the head file unless it already names a later event. Workers and commands commit in
    any order on one data directory, so the file lock and the id comparison keep it moving forward."""
    path = head_path(org_id)
    private_dir(path.parent)
    with os.fdopen(os.open(path.parent / ".lock", os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = read_head(path)
        except ConfigError:
            current = None  # a damaged head file is replaced by a good one
        if current is not None and current.event_id >= head.event_id:
            return
        write_private(path, json.dumps({"org_id": org_id, **asdict(head)}).encode("utf-8"))


@sa.event.listens_for(Session, "after_commit")
def _write_heads(session: Session) -> None:
    for org_id, head in session.info.pop(PENDING_HEADS, {}).items():
        try:
            _advance_head(org_id, head)
        except OSError as exc:
            # The events are committed; a head file left behind only weakens the truncation check.
            log.warning("fichier de tête du journal d'audit non écrit : %s", exc)


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the event id and what is wrong with it."""

    event_id: int
    problem: str  # "modified" | "missing_before" | "truncated"


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: the breaks, the chain's head, and how much of it is keyed."""

    breaks: list[Break]
    head: Head | None
    events: int
    unkeyed: int  # events written before BALISE_SECRET_KEY existed, sealed by the first keyed one


def verify(session: Session, org_id: int, anchors: list[Head]) -> Verdict:
    """Every place the organization's chain is broken, including an anchor (the head file, a kept
    `--json` output) it no longer reaches; no breaks when the log is intact."""
    key = _chain_key()
    breaks: list[Break] = []
    previous = ""
    keyed_seen = False
    unkeyed = 0
    events = list(session.exec(select(AuditEvent).where(AuditEvent.org_id == org_id).order_by(col(AuditEvent.id))))
    for event in events:
        assert event.id is not None
        keyed = event.hash.startswith(KEYED)
        if keyed and key is None:
            raise ConfigError("audit.key_missing")
        unkeyed += not keyed
        if event.hash != _digest(event, key if keyed else None) or (keyed_seen and not keyed):
            breaks.append(Break(event.id, "modified"))
        elif event.prev_hash != previous:
            # A row removed before this one, or this one slipped in with a forged link.
            breaks.append(Break(event.id, "missing_before"))
        keyed_seen = keyed_seen or keyed
        previous = event.hash
    hashes = {event.id: event.hash for event in events}
    for anchor in anchors:
        if anchor.event_id not in hashes:
            breaks.append(Break(anchor.event_id, "truncated"))
        elif hashes[anchor.event_id] != anchor.hash and Break(anchor.event_id, "modified") not in breaks:
            breaks.append(Break(anchor.event_id, "modified"))
    head = Head(events[-1].id or 0, events[-1].hash) if events else None
    return Verdict(breaks, head, len(events), unkeyed)


def history(session: Session, post_id: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(col(AuditEvent.id))))
