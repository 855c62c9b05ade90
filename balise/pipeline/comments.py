"""The comments' use cases: collecting them, and acting on one.

Collecting: each published post of the organization is asked for its comments. The platforms are
asked outside any transaction (on SQLite a transaction holds the write lock; a slow platform must
not stall publishing); each thread is then stored in a short one (`comments.store`, triaged once
by `comments.triage`). A rate limit stops that platform until its reset time, which the periodic
fetch waits for; a broken account or a deleted post is said and the rest still handled. An urgent
comment's responsible person is told through the outbox: the fetch returns its `AfterCommit`.

Acting: reply (through the gate: a reply is a publication too), hide, show again, delete, or mark
it done, each audited with who and why. So that no transaction waits on a platform, `plan` checks
in the caller's transaction who acts and whether the comment still allows it (and gates a reply);
`carry_out` calls the platform, then records the outcome in a new transaction with a
compare-and-set. A comment deleted on the platform meanwhile is marked so, and the person is told
in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from balise import audit
from balise.comments.intake import Thread, keep_thread
from balise.comments.store import (
    DELETED,
    DONE,
    HIDDEN,
    NEW,
    REPLIED,
    get_comment,
    mark_gone,
    settle,
)
from balise.comments.triage import suggested_reply
from balise.compliance import Draft, load_policy
from balise.compliance.gate import check_draft
from balise.config import AccountOwner, get_settings
from balise.db import read_scope, session_scope
from balise.errors import (
    BaliseError,
    ConfigError,
    InvalidInput,
    Permanent,
    PlatformError,
    RetryLater,
    TransitionRefused,
)
from balise.i18n import t
from balise.models import Comment, CommentFetch, Member, Organization, Post, Target, utcnow
from balise.notify import News, tell_responsible
from balise.organizations import account_owner, require_role
from balise.pipeline.after_commit import AfterCommit
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
    """What one fetch did."""

    new: int = 0
    urgent: int = 0
    gone: int = 0
    posts: int = 0
    problems: list[str] = field(default_factory=list)


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


def fetch_comments(org_id: int | None = None, *, periodic: bool = False) -> tuple[FetchReport, AfterCommit]:
    """Read every watched post's comments (of one organization, or all); store and triage the
    new ones; tell the responsible person of each urgent one (an outbox row: the returned
    `AfterCommit` queues its mail)."""
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
    return report, AfterCommit()  # the urgent comments' notices only


def _keep(item: Watched, thread: CommentThread, report: FetchReport) -> None:
    with session_scope() as session:
        kept = keep_thread(session, item.thread, thread)
        post = session.get(Post, item.thread.post_id)
        assert post is not None
        for comment in kept.new:
            if comment.urgent:
                _tell(session, post, comment)
                report.urgent += 1
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


REPLY, HIDE, UNHIDE, DELETE, MARK_DONE = "reply", "hide", "unhide", "delete", "done"
# What each action needs the comment to be in, and what it makes it.
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    REPLY: ((NEW, DONE), REPLIED),
    HIDE: ((NEW, REPLIED, DONE), HIDDEN),
    UNHIDE: ((HIDDEN,), DONE),
    DELETE: ((NEW, REPLIED, HIDDEN, DONE), DELETED),
    MARK_DONE: ((NEW,), DONE),
}
# Hiding and deleting someone's words is a decision for a responsible person (policy: « se
# permettre d'y enlever du contenu non pertinent »), as showing them again is.
APPROVERS_ONLY = frozenset({HIDE, UNHIDE, DELETE})


@dataclass(frozen=True)
class Plan:
    """An action checked and ready: what to ask the platform, and what to record after."""

    comment_id: int
    org_id: int
    post_id: int
    owner: AccountOwner
    platform: str
    remote_id: str
    action: str
    actor: str
    reason: str
    text: str | None = None  # a reply's words, passed by the gate


def plan(
    session: Session,
    org: Organization,
    member: Member,
    comment_id: int,
    action: str,
    *,
    reason: str | None = None,
    text: str | None = None,
    suggested: bool = False,
) -> Plan:
    """Check that `member` may do `action` on the comment as it is now; a reply is gated here."""
    comment = get_comment(session, org, comment_id)
    if action in APPROVERS_ONLY:
        require_role(member, "approver", "admin")
    if comment.gone_at is not None:
        raise InvalidInput("comments.gone", comment_id=comment_id, platform=comment.platform)
    allowed, _ = MOVES[action]
    if comment.state not in allowed:
        raise TransitionRefused(
            "comments.not_allowed", comment_id=comment_id, action=t(f"comments.action_{action}"),
            state=t(f"comments.state_{comment.state}"),
        )  # fmt: skip
    if action == REPLY:
        text = _reply_text(org, comment, text, suggested)
        _gate(org, comment, text)
    why = (reason or "").strip() or comment.clause or t(f"comments.category_{comment.category}")
    assert comment.id is not None
    return Plan(
        comment.id, org.id or 0, comment.post_id, account_owner(session, org), comment.platform, comment.remote_id,
        action, member.name, why, text,
    )  # fmt: skip


def _reply_text(org: Organization, comment: Comment, text: str | None, suggested: bool) -> str:
    if suggested and text:
        raise InvalidInput("comments.reply_both")
    if suggested:
        proposal = suggested_reply(comment.category, phone=org.phone, lang=get_settings().lang)
        if proposal is None:
            raise InvalidInput("comments.no_suggestion", comment_id=comment.id)
        return proposal
    if not (text or "").strip():
        raise InvalidInput("comments.reply_empty", comment_id=comment.id)
    return (text or "").strip()


def _gate(org: Organization, comment: Comment, text: str) -> None:
    """The reply goes out under the organization's name: the same gate as any publication."""
    verdict = check_draft(Draft(text=text, platforms=(comment.platform,)), load_policy(org.policy_override))
    if verdict.verdict != "approved":
        reasons = "\n".join(f"- {r.message} ({r.clause})" for r in verdict.reasons)
        raise InvalidInput("comments.reply_refused", comment_id=comment.id, reasons=reasons)


def carry_out(planned: Plan, channel: str = "cli") -> tuple[Comment, AfterCommit]:
    """Ask the platform, then record: the comment's new state and an audit event."""
    try:
        reply_id = _ask_platform(planned)
    except Permanent as exc:
        if exc.key == "publisher.comment_gone":
            _record_gone(planned, channel)
        raise
    with session_scope() as session:
        return _record(session, planned, reply_id, channel), AfterCommit()  # the platform was the work


def _ask_platform(planned: Plan) -> str | None:
    """The platform's part of the action (none for `done`); a reply's id."""
    if planned.action == MARK_DONE:
        return None
    adapter = get_platform(planned.owner, planned.platform, get_settings())
    if planned.action == REPLY:
        assert planned.text is not None
        return adapter.reply_comment(planned.remote_id, planned.text)
    if planned.action == DELETE:
        adapter.delete_comment(planned.remote_id)
    else:
        adapter.hide_comment(planned.remote_id, planned.action == HIDE)
    return None


def _record(session: Session, planned: Plan, reply_id: str | None, channel: str) -> Comment:
    comment = session.get(Comment, planned.comment_id)
    assert comment is not None
    allowed, to = MOVES[planned.action]
    values: dict[str, object] = {}
    if planned.action in (HIDE, UNHIDE):
        values["hidden_on_platform"] = planned.action == HIDE
    if reply_id is not None:
        values["reply_remote_id"] = reply_id
    before = comment.state
    if not settle(session, comment, to, allowed, **values):
        # Someone acted first; the platform call is done either way, so say what now stands.
        raise TransitionRefused(
            "comments.not_allowed", comment_id=planned.comment_id, action=t(f"comments.action_{planned.action}"),
            state=t(f"comments.state_{comment.state}"),
        )  # fmt: skip
    detail = f"commentaire n° {planned.comment_id} ({planned.platform}) : {planned.reason}"
    if planned.text is not None:
        detail += f" — réponse : {planned.text}"
    audit.record(
        session, org_id=planned.org_id, post_id=planned.post_id, actor=planned.actor, channel=channel,
        action=f"comment_{planned.action}", from_state=before, to_state=to, reason=detail,
    )  # fmt: skip
    return comment


def _record_gone(planned: Plan, channel: str) -> None:
    with session_scope() as session:
        comment = session.get(Comment, planned.comment_id)
        assert comment is not None
        mark_gone(comment, utcnow())
        audit.record(
            session, org_id=planned.org_id, post_id=planned.post_id, actor=planned.actor, channel=channel,
            action="comment_gone", reason=f"commentaire n° {planned.comment_id} ({planned.platform})",
        )  # fmt: skip
