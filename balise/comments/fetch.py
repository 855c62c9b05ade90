"""Collecting comments: each published post of the organization is asked for its comments.

The platforms are asked outside any transaction (on SQLite a transaction holds the write lock;
a slow platform must not stall publishing); each thread is then stored in a short one. A rate
limit stops that platform until its reset time, which the periodic fetch waits for; a broken
account or a deleted post is said and the rest still handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from balise.comments.store import Thread, keep_thread
from balise.config import AccountOwner, get_settings
from balise.db import read_scope, session_scope
from balise.errors import BaliseError, ConfigError, PlatformError, RetryLater
from balise.i18n import t
from balise.models import Comment, CommentFetch, Organization, Post, Target, utcnow
from balise.notify import News, tell_responsible
from balise.organizations import account_owner
from balise.publisher.base import CommentThread
from balise.publisher.registry import get_platform
from balise.states import TargetState

WATCH_FOR = timedelta(days=90)  # posts older than this are no longer asked for comments
EVERY = timedelta(minutes=5)  # the periodic fetch asks a platform at most this often
EXCERPT = 280


@dataclass(frozen=True)
class Watched:
    thread: Thread
    remote_id: str
    owner: AccountOwner


@dataclass
class FetchReport:
    """What one fetch did; `notices`: mail to queue after the commit (urgent comments)."""

    new: int = 0
    urgent: int = 0
    gone: int = 0
    posts: int = 0
    problems: list[str] = field(default_factory=list)
    notices: int = 0


def _watched(session: Session, org: Organization | None, now: datetime) -> list[Watched]:
    query = (
        select(Target, Post)
        .join(Post, col(Post.id) == Target.post_id)
        .where(
            Target.state == TargetState.PUBLISHED.value,
            col(Target.remote_id).is_not(None),
            col(Post.published_at) >= now - WATCH_FOR,
        )
    )
    if org is not None:
        query = query.where(Post.org_id == org.id)
    owners: dict[int, AccountOwner] = {}
    watched = []
    for target, post in session.exec(query.order_by(col(Target.id))).all():
        if post.org_id not in owners:
            owner_org = session.get(Organization, post.org_id)
            assert owner_org is not None
            owners[post.org_id] = account_owner(session, owner_org)
        assert post.id is not None and target.id is not None and target.remote_id is not None
        thread = Thread(post.org_id, post.id, target.id, target.platform)
        watched.append(Watched(thread, target.remote_id, owners[post.org_id]))
    return watched


def _waiting(session: Session, now: datetime, *, periodic: bool) -> dict[tuple[int, str], datetime | None]:
    """(organization, platform) pairs to leave alone now: rate-limited until the platform's reset
    (the time, kept), or read lately by the periodic fetch (None)."""
    waiting: dict[tuple[int, str], datetime | None] = {}
    for row in session.exec(select(CommentFetch)).all():
        if row.not_before is not None and row.not_before > now:
            waiting[(row.org_id, row.platform)] = row.not_before
        elif periodic and row.last_at is not None and row.last_at > now - EVERY:
            waiting[(row.org_id, row.platform)] = None
    return waiting


def fetch_comments(org_id: int | None = None, *, periodic: bool = False) -> FetchReport:
    """Read every watched post's comments (of one organization, or all); store and triage the
    new ones; tell the responsible person of each urgent one."""
    now = utcnow()
    settings = get_settings()
    with read_scope() as session:
        org = session.get(Organization, org_id) if org_id is not None else None
        watched = _watched(session, org, now)
        skipped = _waiting(session, now, periodic=periodic)
    report = FetchReport()
    stopped: dict[tuple[int, str], datetime | None] = {}
    asked: set[tuple[int, str]] = set()
    for item in watched:
        pair = (item.thread.org_id, item.thread.platform)
        if pair in skipped:
            reset = skipped.pop(pair)
            if reset is not None:  # said once per platform, not per post
                when = f"{reset:%H:%M}"
                report.problems.append(t("comments.waiting_reset", platform=item.thread.platform, when=when))
            stopped[pair] = reset
            continue
        if pair in stopped:
            continue
        try:
            thread = get_platform(item.owner, item.thread.platform, settings).comments(item.remote_id)
        except (ConfigError, RetryLater) as exc:
            stopped[pair] = exc.retry_at if isinstance(exc, RetryLater) else None
            report.problems.append(_problem(item, exc))
            continue
        except PlatformError as exc:  # this post only: deleted on the platform, refused
            report.problems.append(_problem(item, exc))
            continue
        asked.add(pair)
        _keep(item, thread, report)
    _remember(asked, stopped, now)
    return report


def _keep(item: Watched, thread: CommentThread, report: FetchReport) -> None:
    with session_scope() as session:
        kept = keep_thread(session, item.thread, thread)
        post = session.get(Post, item.thread.post_id)
        assert post is not None
        for comment in kept.new:
            if comment.urgent:
                _tell(session, post, comment)
                report.urgent += 1
                report.notices += 1
    report.posts += 1
    report.new += len(kept.new)
    report.gone += kept.gone


def _tell(session: Session, post: Post, comment: Comment) -> None:
    """The responsible person hears of an urgent comment at once (the outbox, after the commit)."""
    assert comment.id is not None
    excerpt = comment.text if len(comment.text) <= EXCERPT else comment.text[:EXCERPT] + "…"
    news = News(
        "comments.urgent_news",
        {
            "comment_id": comment.id, "category": News(f"comments.category_{comment.category}"),
            "platform": comment.platform, "author": comment.author or "?", "text": excerpt,
            "clause": comment.clause,
        },
    )  # fmt: skip
    tell_responsible(session, post, f"comment-{comment.id}", news)


def _remember(asked: set[tuple[int, str]], stopped: dict[tuple[int, str], datetime | None], now: datetime) -> None:
    """When each platform was read, and until when a rate-limited one must be left alone."""
    if not asked and not stopped:
        return
    with session_scope() as session:
        for pair in asked | stopped.keys():
            row = session.get(CommentFetch, pair) or CommentFetch(org_id=pair[0], platform=pair[1])
            if pair in asked:
                row.last_at = now
            if pair in stopped:
                row.not_before = stopped[pair]
            session.add(row)


def _problem(item: Watched, exc: BaliseError) -> str:
    return t("comments.fetch_problem", post_id=item.thread.post_id, platform=item.thread.platform, detail=exc.message())
