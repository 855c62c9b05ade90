"""The comments kept in the database: stored once each, their states, the inbox's order.

A comment's state only moves by `settle`, a compare-and-set, so two people acting on the same
comment at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select, update

from balise.comments.triage import triage
from balise.errors import NotFound
from balise.models import Comment, Organization, utcnow
from balise.publisher.base import CommentThread

NEW, REPLIED, HIDDEN, DELETED, DONE = "new", "replied", "hidden", "deleted", "done"
STATES = (NEW, REPLIED, HIDDEN, DELETED, DONE)


@dataclass(frozen=True)
class Thread:
    """Where a fetched thread belongs: the organization's post on one platform."""

    org_id: int
    post_id: int
    target_id: int
    platform: str


@dataclass
class Kept:
    """What storing one thread changed."""

    new: list[Comment]
    gone: int = 0


def keep_thread(session: Session, where: Thread, thread: CommentThread, now: datetime | None = None) -> Kept:
    """Store the comments not seen before (triaged once, here) and mark those the platform no
    longer has. Run in one write transaction: fetching twice stores nothing twice."""
    now = now or utcnow()
    known = {
        c.remote_id: c
        for c in session.exec(
            select(Comment).where(
                Comment.org_id == where.org_id, Comment.platform == where.platform, Comment.post_id == where.post_id
            )
        )
    }
    kept = Kept(new=[])
    for remote in thread.comments:
        if remote.remote_id in known:
            continue
        verdict = triage(remote.text)
        comment = Comment(
            org_id=where.org_id, post_id=where.post_id, target_id=where.target_id, platform=where.platform,
            remote_id=remote.remote_id, author=remote.author, text=remote.text, written_at=remote.written_at,
            fetched_at=now, category=verdict.category, urgent=verdict.urgent, clause=verdict.clause,
            proposed=verdict.action, evidence=verdict.evidence, hidden_on_platform=remote.hidden,
        )  # fmt: skip
        session.add(comment)
        known[remote.remote_id] = comment
        kept.new.append(comment)
    if thread.complete:
        seen = {remote.remote_id for remote in thread.comments}
        for comment in known.values():
            searched = thread.since is None or comment.written_at >= thread.since
            if comment.remote_id not in seen and comment.gone_at is None and searched:
                mark_gone(comment, now)
                kept.gone += 1
    session.flush()
    return kept


def mark_gone(comment: Comment, now: datetime) -> None:
    """Deleted on the platform (by its author, or by hand there): nothing is left to do about it."""
    comment.gone_at = now
    if comment.state in (NEW, HIDDEN):
        comment.state = DELETED


def settle(session: Session, comment: Comment, to: str, expected: Iterable[str], **values: object) -> bool:
    """Move `comment` to `to` if it is still in one of `expected`; whether this call won. The
    first person to act sets `answered_at`: the response time."""
    now = utcnow()
    changes: dict[str, object] = {"state": to, **values}
    changes["answered_at"] = sa.func.coalesce(col(Comment.answered_at), now)
    won = session.execute(
        update(Comment).where(col(Comment.id) == comment.id, col(Comment.state).in_(tuple(expected))).values(**changes)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(comment)
    return bool(won)


def get_comment(session: Session, org: Organization, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.org_id != org.id:
        raise NotFound("comments.not_found", comment_id=comment_id)
    return comment


def inbox(session: Session, org: Organization, *, everything: bool = False) -> list[Comment]:
    """Urgent first, then the longest waiting. Without `everything`, only what waits for a person."""
    query = select(Comment).where(Comment.org_id == org.id)
    if not everything:
        query = query.where(Comment.state == NEW)
    query = query.order_by(col(Comment.urgent).desc(), col(Comment.written_at), col(Comment.id))
    return list(session.exec(query))


def oldest_urgent(session: Session, org: Organization) -> Comment | None:
    """The urgent comment that has waited longest without an answer (`balise status`)."""
    query = select(Comment).where(Comment.org_id == org.id, Comment.state == NEW, col(Comment.urgent))
    return session.exec(query.order_by(col(Comment.written_at)).limit(1)).first()


def urgent_waiting(session: Session, org: Organization) -> int:
    """How many urgent comments wait for a person (the workspace's menu shows it)."""
    query = select(func.count()).where(Comment.org_id == org.id, Comment.state == NEW, col(Comment.urgent))
    return session.exec(query).one()
