"""The post state machine: the states, the legal transitions, and the one way to change state.

Every change is a compare-and-set (`UPDATE ... WHERE state = expected`), so a job that runs
twice, late, or after a crash changes nothing the second time, and every change is audited.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import case
from sqlmodel import Session, col, select, update

from balise import audit
from balise.errors import TransitionRefused
from balise.models import Approval, ComplianceResult, Post, PostCount, utcnow


class State(StrEnum):
    PENDING_CHECK = "pending_check"
    REJECTED = "rejected"
    NEEDS_REVIEW = "needs_review"
    AWAITING_SIGNOFF = "awaiting_signoff"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"


class TargetState(StrEnum):
    PENDING = "pending"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    DELETED = "deleted"


S = State
BEFORE_PUBLISHING = frozenset({S.PENDING_CHECK, S.REJECTED, S.NEEDS_REVIEW, S.AWAITING_SIGNOFF, S.SCHEDULED})
# A post on the calendar: counted by the cadence advice, drawn in the calendar feed.
PLANNED = (S.PENDING_CHECK, S.NEEDS_REVIEW, S.AWAITING_SIGNOFF, S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.FAILED)

TRANSITIONS: dict[State, frozenset[State]] = {
    S.PENDING_CHECK: frozenset({S.REJECTED, S.NEEDS_REVIEW, S.AWAITING_SIGNOFF, S.CANCELLED}),
    # A person may also reject a draft the gate sent to review or to sign-off.
    S.NEEDS_REVIEW: frozenset({S.AWAITING_SIGNOFF, S.REJECTED, S.CANCELLED}),
    S.AWAITING_SIGNOFF: frozenset({S.SCHEDULED, S.REJECTED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.PUBLISHING, S.CANCELLED}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED}),
    S.PUBLISHED: frozenset({S.WITHDRAWN}),
    S.REJECTED: frozenset({S.CANCELLED}),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# An edit of text, photos, platforms or time sends the post back to the gate from these.
EDITABLE = BEFORE_PUBLISHING


# Sign-off sees only what the gate saw: the verdict on the current content that allows the move.
VERDICT_FOR_SIGNOFF = {S.PENDING_CHECK: "approved", S.NEEDS_REVIEW: "needs_review"}


def _require_verdict(session: Session, post: Post, from_state: State) -> None:
    """No post reaches sign-off without the gate's verdict on its current content hash."""
    verdicts = session.exec(
        select(ComplianceResult.verdict).where(
            ComplianceResult.post_id == post.id, ComplianceResult.content_hash == post.content_hash
        )
    ).all()
    if VERDICT_FOR_SIGNOFF[from_state] not in verdicts:
        raise TransitionRefused("states.not_checked", post_id=post.id, from_state=from_state.value)


def _compare_and_set(session: Session, post: Post, from_state: State, version: int, values: dict[str, object]) -> None:
    """Write `values` only if the row is still in `from_state` at `version`; else refuse."""
    result = session.execute(
        update(Post)
        .where(col(Post.id) == post.id, col(Post.state) == from_state.value, col(Post.version) == version)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TransitionRefused("states.changed_meanwhile", post_id=post.id, from_state=from_state.value)


def _count(session: Session, org_id: int, leaving: State | None, entering: State) -> None:
    """Keep `PostCount` in step with a change, in one statement. Called after `audit.record`, which
    holds the organization's lock (SQLite: the database's) until commit, so no other writer
    touches these rows meanwhile."""
    if leaving is entering:
        return
    states = [entering.value] if leaving is None else [leaving.value, entering.value]
    moved = session.execute(
        update(PostCount)
        .where(col(PostCount.org_id) == org_id, col(PostCount.state).in_(states))
        .values(count=col(PostCount.count) + case((col(PostCount.state) == entering.value, 1), else_=-1))
    )
    missing = moved.rowcount < len(states)  # type: ignore[attr-defined]
    if missing and session.get(PostCount, (org_id, entering.value)) is None:  # its first post in that state
        session.add(PostCount(org_id=org_id, state=entering.value, count=1))
        session.flush()


def created(session: Session, post: Post, *, actor: str, channel: str) -> None:
    """A new post enters the machine in `pending_check`: audited and counted."""
    audit.record(
        session, org_id=post.org_id, post_id=post.id, actor=actor, channel=channel, action="created",
        to_state=S.PENDING_CHECK.value,
    )  # fmt: skip
    _count(session, post.org_id, None, S.PENDING_CHECK)


def transition(
    session: Session,
    post: Post,
    to_state: State,
    *,
    actor: str,
    channel: str,
    reason: str | None = None,
    expected: State | None = None,
) -> None:
    """Move `post` to `to_state` if it is still in `expected` (default: its current state).

    Raises `TransitionRefused` when the move is illegal or the post changed meanwhile; the
    caller's transaction then holds no partial change.
    """
    from_state = State(expected or post.state)
    if to_state not in TRANSITIONS[from_state]:
        raise TransitionRefused("states.illegal", post_id=post.id, from_state=from_state.value, to_state=to_state.value)
    if to_state is S.AWAITING_SIGNOFF:
        _require_verdict(session, post, from_state)
    values: dict[str, object] = {"state": to_state.value, "updated_at": utcnow()}
    if to_state is S.PUBLISHED:
        values["published_at"] = utcnow()
    _compare_and_set(session, post, from_state, post.version, values)
    audit.record(
        session,
        org_id=post.org_id,
        post_id=post.id,
        actor=actor,
        channel=channel,
        action="transition",
        from_state=from_state.value,
        to_state=to_state.value,
        reason=reason,
    )
    _count(session, post.org_id, from_state, to_state)
    post.state = to_state.value
    for key, value in values.items():
        setattr(post, key, value)


def record_edit(session: Session, post: Post, *, new_hash: str, actor: str, channel: str, what: str) -> None:
    """An edit returns the post to `pending_check`, bumps its version and voids approvals.

    The caller has already written the new content on `post` (not flushed); the version
    check makes a concurrent edit or job fail instead of overwriting.
    """
    from_state, old_version = State(post.state), post.version
    if from_state not in EDITABLE:
        raise TransitionRefused("states.not_editable", post_id=post.id, from_state=from_state.value)
    edited = {
        "state": S.PENDING_CHECK.value,
        "version": old_version + 1,
        "content_hash": new_hash,
        "text": post.text,
        "link": post.link,
        "topic": post.topic,
        "scheduled_at": post.scheduled_at,
        "entered_timezone": post.entered_timezone,
        "updated_at": utcnow(),
    }
    _compare_and_set(session, post, from_state, old_version, edited)
    session.execute(
        update(Approval)
        .where(col(Approval.post_id) == post.id, col(Approval.voided_at).is_(None))
        .values(voided_at=utcnow())
    )
    audit.record(
        session,
        org_id=post.org_id,
        post_id=post.id,
        actor=actor,
        channel=channel,
        action="edit",
        from_state=from_state.value,
        to_state=S.PENDING_CHECK.value,
        reason=what,
    )
    _count(session, post.org_id, from_state, S.PENDING_CHECK)
    # Keep the caller's copy in step with the row (whether or not the ORM synchronized it).
    post.state, post.version, post.content_hash = S.PENDING_CHECK.value, old_version + 1, new_hash
