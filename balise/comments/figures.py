"""The comments of a period in figures: how many of each kind, and how long people took to act on
them (the first reply, hide, delete or done). Read by the activity report, and by the team meeting."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from balise.comments.triage import CATEGORIES
from balise.models import Comment, Organization


@dataclass(frozen=True)
class CommentFigures:
    categories: dict[str, int] = field(default_factory=dict)  # every category, zero included
    done: dict[tuple[str, str], int] = field(default_factory=dict)  # (category, state) -> comments: what was done
    delays: tuple[timedelta, ...] = ()  # from the comment to the first action on it
    urgent_delays: tuple[timedelta, ...] = ()
    waiting: int = 0  # still waiting for a person

    @property
    def total(self) -> int:
        return sum(self.categories.values())

    @property
    def median(self) -> timedelta | None:
        return _quantile(self.delays, 0.5)

    @property
    def p90(self) -> timedelta | None:
        return _quantile(self.delays, 0.9)

    @property
    def urgent_median(self) -> timedelta | None:
        return _quantile(self.urgent_delays, 0.5)


def _quantile(delays: tuple[timedelta, ...], q: float) -> timedelta | None:
    """The q-quantile (inclusive method: a single delay is its own median and 90th percentile)."""
    if not delays:
        return None
    seconds = sorted(d.total_seconds() for d in delays)
    if len(seconds) == 1 or q == 0.5:
        return timedelta(seconds=statistics.median(seconds))
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return timedelta(seconds=cuts[round(q * 100) - 1])


def comment_figures(session: Session, org: Organization, start: datetime, end: datetime) -> CommentFigures:
    """The comments written in [start, end)."""
    rows = session.exec(
        select(Comment).where(Comment.org_id == org.id, col(Comment.written_at) >= start, col(Comment.written_at) < end)
    ).all()
    counts = Counter(c.category for c in rows)
    answered = [c for c in rows if c.answered_at is not None]
    return CommentFigures(
        categories={category: counts.get(category, 0) for category in CATEGORIES},
        done=dict(sorted(Counter((c.category, c.state) for c in rows).items())),
        delays=tuple(_delay(c) for c in answered),
        urgent_delays=tuple(_delay(c) for c in answered if c.urgent),
        waiting=sum(1 for c in rows if c.state == "new"),
    )


def _delay(comment: Comment) -> timedelta:
    assert comment.answered_at is not None
    return max(comment.answered_at - comment.written_at, timedelta(0))
