"""The comments kept in the database: stored once each, their states, the inbox's order.

A comment's state only moves by `settle`, a compare-and-set, so two people acting on the same
comment at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select, update

from balise.errors import NotFound
from balise.models import Comment, Organization, utcnow
from balise.posts import MAX_ID

NEW, REPLIED, HIDDEN, DELETED, DONE = "new", "replied", "hidden", "deleted", "done"
STATES = (NEW, REPLIED, HIDDEN, DELETED, DONE)


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
    comment = session.get(Comment, comment_id) if -MAX_ID <= comment_id <= MAX_ID else None
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
