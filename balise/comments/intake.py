"""Fetched comments into the database: each stored once, triaged once on arrival, and those the
platform no longer has marked gone. Apart from `comments.store` (the states and the inbox) so
that reading the inbox never loads the triage's model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from balise.comments.store import mark_gone
from balise.comments.triage import triage
from balise.models import Comment, utcnow
from balise.publisher.base import CommentThread


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
