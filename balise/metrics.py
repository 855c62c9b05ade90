"""Metrics: a daily snapshot of each account's followers and likes, and of each published post.

Snapshots are never pruned: an annual activity report needs a year and more (other schedulers
kept 90 days). The platforms are asked outside any database transaction, because on SQLite a
transaction holds the write lock (see `balise.db`) and a slow platform must not stall publishing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from balise.config import Settings
from balise.db import session_scope
from balise.errors import ConfigError, NeedsPerson, PlatformError, RetryLater
from balise.i18n import t
from balise.models import AccountSnapshot, Organization, Post, PostSnapshot, Target, utcnow
from balise.organizations import account_owner
from balise.publisher.base import Platform
from balise.publisher.registry import FACTORIES, get_platform
from balise.states import TargetState


@dataclass(frozen=True)
class Measured:
    """A post published on one platform, to measure."""

    org_id: int
    post_id: int
    target_id: int
    platform: str
    remote_id: str


@dataclass
class PlatformOutcome:
    """What one platform gave in one run, and what it refused, in words for a person."""

    platform: str
    account: AccountSnapshot | None = None
    posts: int = 0
    figures: int = 0  # snapshots holding at least one number
    missed: int = 0
    problems: list[str] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)
    stopped: bool = False  # a rate limit or a broken account: the rest of the run skips it

    def failed(self, message: str, *, stop: bool = False) -> None:
        self.problems.append(message)
        self.stopped = self.stopped or stop


@dataclass
class Collection:
    taken_at: datetime
    outcomes: dict[str, PlatformOutcome]
    not_configured: list[str]

    @property
    def stored(self) -> int:
        return sum(o.posts + (o.account is not None) for o in self.outcomes.values())

    @property
    def complete_failure(self) -> bool:
        """No figure at all although some platform failed: cron should hear of it (exit code).

        The sandbox answers every call with no figures, so it never hides a broken account.
        """
        return self.figures == 0 and any(o.problems for o in self.outcomes.values())

    @property
    def figures(self) -> int:
        return sum(o.figures for o in self.outcomes.values())


def measured_targets(session: Session, org_id: int) -> list[Measured]:
    """Every post of `org_id` published on a platform that gave it an id, oldest first."""
    rows = session.exec(
        select(Target)
        .join(Post, col(Post.id) == col(Target.post_id))
        .where(Post.org_id == org_id, Target.state == TargetState.PUBLISHED.value, col(Target.remote_id).is_not(None))
        .order_by(col(Target.id))
    )
    return [Measured(org_id, t.post_id, t.id or 0, t.platform, t.remote_id or "") for t in rows]


def platform_name(platform: str) -> str:
    return t("platforms." + platform)


def count_text(value: int) -> str:
    """1 342 as French writes it (a narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", "\u202f")


def note_text(note: str) -> str:
    """An adapter's note is a message key (`publisher.x_reach_is_impressions`) or a bare word."""
    return t(note if "." in note else f"metrics.note_{note}")


def collect_metrics(
    org_id: int,
    settings: Settings,
    track: Callable[[Sequence[Measured]], Iterable[Measured]] = iter,
    now: datetime | None = None,
) -> Collection:
    """Ask every platform where the organization has an account for its figures; one snapshot per answer."""
    taken_at = now or utcnow()
    with session_scope() as session:
        targets = measured_targets(session, org_id)
        org = session.get(Organization, org_id)
        assert org is not None
        owner = account_owner(session, org)
    adapters: dict[str, Platform] = {}
    not_configured: list[str] = []
    for name in FACTORIES:
        try:
            adapters[name] = get_platform(owner, name, settings)
        except ConfigError:
            not_configured.append(name)
    outcomes = {name: PlatformOutcome(name) for name in adapters}
    for name, adapter in adapters.items():
        _account(adapter, outcomes[name], org_id, taken_at)
    snapshots: list[PostSnapshot] = []
    for target in track(targets):
        outcome = outcomes.get(target.platform)
        if outcome is None or outcome.stopped:
            if outcome is not None:
                outcome.missed += 1
            continue
        snapshot = _post(adapters[target.platform], outcome, target, taken_at)
        if snapshot is not None:
            snapshots.append(snapshot)
    with session_scope() as session:
        session.add_all([o.account for o in outcomes.values() if o.account is not None])
        session.add_all(snapshots)
    for outcome in outcomes.values():
        if outcome.missed and outcome.stopped:
            outcome.problems.append(
                t("metrics.posts_skipped", name=platform_name(outcome.platform), count=outcome.missed)
            )
    return Collection(taken_at, outcomes, not_configured)


def _account(adapter: Platform, outcome: PlatformOutcome, org_id: int, taken_at: datetime) -> None:
    name = platform_name(outcome.platform)
    try:
        metrics = adapter.account_metrics()
    except PlatformError as exc:
        # A rate limit, an expired token or a missing permission holds for every post: stop asking.
        outcome.failed(_problem("metrics.account_failed", name, exc), stop=_holds_for_all(exc))
        return
    outcome.notes.update(metrics.notes)
    outcome.figures += metrics.followers is not None or metrics.likes is not None
    outcome.account = AccountSnapshot(
        org_id=org_id,
        platform=outcome.platform,
        taken_at=taken_at,
        followers=metrics.followers,
        likes=metrics.likes,
        notes=list(metrics.notes),
    )


def _post(adapter: Platform, outcome: PlatformOutcome, target: Measured, taken_at: datetime) -> PostSnapshot | None:
    try:
        metrics = adapter.post_metrics(target.remote_id)
    except PlatformError as exc:
        outcome.missed += 1
        stop = _holds_for_all(exc)
        if stop or not outcome.problems:
            outcome.failed(_problem("metrics.post_failed", platform_name(outcome.platform), exc, target), stop=stop)
        return None
    outcome.posts += 1
    outcome.figures += any(v is not None for v in (metrics.reactions, metrics.comments, metrics.shares, metrics.reach))
    outcome.notes.update(metrics.notes)
    return PostSnapshot(
        org_id=target.org_id,
        post_id=target.post_id,
        target_id=target.target_id,
        platform=target.platform,
        remote_id=target.remote_id,
        taken_at=taken_at,
        reactions=metrics.reactions,
        comments=metrics.comments,
        shares=metrics.shares,
        reach=metrics.reach,
        notes=list(metrics.notes),
    )


def _holds_for_all(exc: PlatformError) -> bool:
    return isinstance(exc, RetryLater | NeedsPerson)


def _problem(key: str, name: str, exc: PlatformError, target: Measured | None = None) -> str:
    if isinstance(exc, RetryLater):
        return t("metrics.slow_down", name=name, detail=exc.detail or type(exc).__name__)
    return t(key, name=name, post_id=target.post_id if target else "", detail=exc.message())
