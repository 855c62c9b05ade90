"""Both state machines, posts and their platform targets: the states, the legal moves, the
named groups of states, the content hash an approval covers, and the one way to change any of it.

Every change is a compare-and-set (`UPDATE ... WHERE state = expected`), so a job that runs
twice, late, or after a crash changes nothing the second time, and every change is audited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case
from sqlmodel import Session, col, select, update

from balise import audit
from balise.errors import InvalidInput, TransitionRefused
from balise.i18n import LANGS, folded, t
from balise.models import Approval, ComplianceResult, Photo, PhotoPerson, Post, PostCount, Target, utcnow
from balise.timeparse import local_iso


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


def state_named(typed: str) -> State:
    """A post's state as a person types it: its identifier or its name in French or in English."""
    wanted = folded(typed)
    for state in State:
        names = {state.value, *(t(f"labels.{state.value}", lang=lang) for lang in LANGS)}
        if wanted in {folded(name) for name in names}:
            return state
    known = ", ".join(t(f"labels.{state.value}") for state in State)
    raise InvalidInput("posts.unknown_state", state=typed, known=known)


class TargetState(StrEnum):
    PENDING = "pending"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    DELETED = "deleted"


S = State
T = TargetState

# The named groups of states, defined here only.
# An edit of text, photos, platforms or time sends the post back to the gate from these.
EDITABLE = frozenset({S.PENDING_CHECK, S.REJECTED, S.NEEDS_REVIEW, S.AWAITING_SIGNOFF, S.SCHEDULED})
# Waiting for a person's decision: the sign-off inbox.
WAITING = frozenset({S.NEEDS_REVIEW, S.AWAITING_SIGNOFF})
# Its targets may still go out: what publish-due, a publish job and `balise status` look at.
LIVE = frozenset({S.SCHEDULED, S.PUBLISHING})
# Checked and not yet out: a consent withdrawn or expired sends these back to the gate.
BACK_TO_GATE = frozenset({S.NEEDS_REVIEW, S.AWAITING_SIGNOFF, S.SCHEDULED})
# In the calendar (cancelled, rejected and withdrawn posts are not), and those it shows as confirmed.
PLANNED = frozenset(State) - {S.REJECTED, S.CANCELLED, S.WITHDRAWN}
CONFIRMED = frozenset({S.SCHEDULED, S.PUBLISHING, S.PUBLISHED})
# The moves that start and end a sign-off (the gate's go-ahead, the approval): the report's delays.
SIGNOFF_SPAN = (S.AWAITING_SIGNOFF, S.SCHEDULED)
# A post signed off this long after its time is late: the approver chooses now or a new time.
LATE_GRACE = timedelta(minutes=1)
# A target in one of these is done: nothing more is sent for it.
TARGET_FINAL = frozenset({T.PUBLISHED, T.FAILED, T.DELETED})

TRANSITIONS: dict[State, frozenset[State]] = {
    S.PENDING_CHECK: frozenset({S.REJECTED, S.NEEDS_REVIEW, S.AWAITING_SIGNOFF, S.CANCELLED}),
    # A person may also reject a draft the gate sent to review or to sign-off.
    S.NEEDS_REVIEW: frozenset({S.AWAITING_SIGNOFF, S.REJECTED, S.CANCELLED}),
    S.AWAITING_SIGNOFF: frozenset({S.SCHEDULED, S.REJECTED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.PUBLISHING, S.CANCELLED}),
    S.PUBLISHING: frozenset({S.PUBLISHED, S.FAILED}),
    # Back to `publishing`: a person retries a target that failed while the others went out.
    S.PUBLISHED: frozenset({S.WITHDRAWN, S.PUBLISHING}),
    S.REJECTED: frozenset({S.CANCELLED}),
    # A person retries or reschedules what failed (`requeue`): nothing went out, so it waits again.
    S.FAILED: frozenset({S.SCHEDULED}),
    S.CANCELLED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

TARGET_TRANSITIONS: dict[TargetState, frozenset[TargetState]] = {
    # Staying `pending`: a person gives it a new time (`requeue`).
    T.PENDING: frozenset({T.PUBLISHING, T.PENDING}),
    # Staying `publishing`: a claim taken over once its lease ran out, an uncertain outcome
    # kept for a second look, a question for a person.
    T.PUBLISHING: frozenset({T.PUBLISHING, T.PUBLISHED, T.PENDING, T.FAILED}),
    # Staying `published`: a takedown the platform refused, for a person to finish.
    T.PUBLISHED: frozenset({T.PUBLISHED, T.DELETED}),
    # Back to `pending`: a person's retry or new time (`requeue`), never the machine's.
    T.FAILED: frozenset({T.PENDING}),
    T.DELETED: frozenset(),
}
# The targets a new time moves (`requeue`), and the error kinds of a target waiting for a person's
# look on the platform (`resolve`, never a retry).
REQUEUABLE = frozenset({T.FAILED, T.PENDING})
ASKED = frozenset({"needs_person", "uncertain"})
# How a post follows when a person retries its failed targets (`requeue`); a post in no other
# state has a target to retry (cancelled and withdrawn posts stay as they are).
# (A post already `scheduled` again is one whose other target was just requeued.)
REQUEUE_MOVES: dict[State, State] = {
    S.FAILED: S.SCHEDULED,
    S.PUBLISHED: S.PUBLISHING,
    S.PUBLISHING: S.PUBLISHING,
    S.SCHEDULED: S.SCHEDULED,
}

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
    if to_state is S.PUBLISHED:  # the first time it went out, kept when a retried target follows
        values["published_at"] = post.published_at or utcnow()
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


def content_hash(text: str, link: str | None, platforms: Sequence[str], photos: Sequence[str], at: datetime) -> str:
    """The exact content an approval covers: any change makes a new hash."""
    payload = {"text": text, "link": link, "platforms": sorted(platforms), "photos": list(photos), "at": at.isoformat()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def photo_entry(sha256: str, person_ids: Sequence[int]) -> str:
    """A photo in the content hash: its bytes, and who is declared in it (unchanged when nobody is)."""
    return f"{sha256}:{','.join(str(i) for i in sorted(person_ids))}" if person_ids else sha256


def rehash(session: Session, post: Post) -> str:
    """The hash of what `post` holds now; every edit and every new time takes it from here."""
    platforms = session.exec(select(Target.platform).where(Target.post_id == post.id)).all()
    photos = session.exec(
        select(Photo.id, Photo.sha256).where(Photo.post_id == post.id).order_by(col(Photo.position))
    ).all()
    entries = [
        photo_entry(sha256, session.exec(select(PhotoPerson.person_id).where(PhotoPerson.photo_id == photo_id)).all())
        for photo_id, sha256 in photos
    ]
    return content_hash(post.text, post.link, platforms, entries, post.scheduled_at)


def record_edit(session: Session, post: Post, *, actor: str, channel: str, what: str) -> None:
    """An edit returns the post to `pending_check`, bumps its version and voids approvals.

    The caller has already written the new content on `post` (not flushed); the version
    check makes a concurrent edit or job fail instead of overwriting.
    """
    from_state, old_version = State(post.state), post.version
    if from_state not in EDITABLE:
        raise TransitionRefused("states.not_editable", post_id=post.id, from_state=from_state.value)
    new_hash = rehash(session, post)
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


# A new time without going back to the gate's queue: a post signed off too late, or one that failed.
RESCHEDULABLE = frozenset({S.AWAITING_SIGNOFF, S.FAILED})


def reschedule(session: Session, post: Post, at: datetime, *, actor: str, channel: str) -> None:
    """The new time an approver gives a post signed off too late, or one that failed: same state,
    new content hash (the approval that follows covers it), targets not yet out due then, audited."""
    if post.state not in RESCHEDULABLE:
        raise TransitionRefused("states.not_editable", post_id=post.id, from_state=post.state)
    from_state = State(post.state)
    post.scheduled_at = at
    new_hash = rehash(session, post)
    values = {"scheduled_at": at, "content_hash": new_hash, "updated_at": utcnow()}
    _compare_and_set(session, post, from_state, post.version, values)
    waiting = [T.PENDING.value, T.FAILED.value]
    session.execute(
        update(Target).where(col(Target.post_id) == post.id, col(Target.state).in_(waiting)).values(due_at=at)
    )
    audit.record(
        session, org_id=post.org_id, post_id=post.id, actor=actor, channel=channel, action="rescheduled",
        reason=local_iso(at, ZoneInfo(post.entered_timezone)),
    )  # fmt: skip
    post.content_hash = new_hash


# Platform targets. Each move writes its rows first and its audit event last: `audit.record` takes
# the organization's lock, and a worker holding it while it waits for a post row that a person's
# transition holds (that transition then waiting for the lock) would deadlock on PostgreSQL.


def _move_target(
    session: Session,
    target: Target,
    from_state: TargetState,
    to_state: TargetState,
    *conditions: ColumnElement[bool],
    **values: Any,
) -> bool:
    """Write `values` if the target is still in `from_state` (and `conditions` hold); True if it was."""
    if to_state not in TARGET_TRANSITIONS[from_state]:
        raise TransitionRefused(
            "states.target_illegal", post_id=target.post_id, platform=target.platform,
            from_state=from_state.value, to_state=to_state.value,
        )  # fmt: skip
    moved = session.execute(
        update(Target)
        .where(col(Target.id) == target.id, col(Target.state) == from_state.value, *conditions)
        .values(state=to_state.value, updated_at=utcnow(), **values)
    )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def _audit_target(
    session: Session, post: Post, target: Target, moved: tuple[TargetState, TargetState], *,
    action: str, actor: str, channel: str, detail: str | None = None,
) -> None:  # fmt: skip
    """One audit event per target move; its reason starts with the platform's name."""
    audit.record(
        session, org_id=post.org_id, post_id=post.id, actor=actor, channel=channel, action=action,
        from_state=moved[0].value, to_state=moved[1].value, reason=f"{target.platform} {detail or ''}".strip(),
    )  # fmt: skip


def _settle_post(session: Session, post: Post, *, actor: str, channel: str) -> None:
    """A publishing post is published once every target is final and one went out (a failed
    network keeps its own `failed` target), failed when none did."""
    if post.state != S.PUBLISHING:
        return
    reached = set(session.exec(select(Target.state).where(Target.post_id == post.id)).all())
    if reached <= TARGET_FINAL:
        transition(session, post, S.PUBLISHED if T.PUBLISHED in reached else S.FAILED, actor=actor, channel=channel)


def claim(session: Session, post: Post, target: Target, *, worker: str, now: datetime, until: datetime) -> bool:
    """Take `target` for one attempt, leased until `until`: a `pending` one that is due, or a
    `publishing` one whose lease, as this worker saw it, has run out (its worker died). The post
    moves to `publishing` with its first claim. False when another worker won."""
    from_state = TargetState(target.state)
    if from_state is T.PUBLISHING:
        still = [col(Target.lease_until) == target.lease_until, col(Target.lease_until) <= now]
    else:
        still = [col(Target.due_at) <= now]
    won = _move_target(
        session, target, from_state, T.PUBLISHING, *still,
        lease_until=until, claimed_by=worker, attempts=col(Target.attempts) + 1,
    )  # fmt: skip
    if not won:
        return False
    if post.state == S.SCHEDULED:
        try:
            transition(session, post, S.PUBLISHING, actor=worker, channel="worker")
        except TransitionRefused:
            # Another worker's claim moved it first: that is fine; anything else stops this one.
            if session.scalar(select(Post.state).where(Post.id == post.id)) != S.PUBLISHING:
                raise
    _audit_target(session, post, target, (from_state, T.PUBLISHING), action="claimed", actor=worker, channel="worker")
    return True


def published(session: Session, post: Post, target: Target, *, remote_id: str, url: str | None, actor: str) -> bool:
    """The platform answered with an id: the target is published, and the post too once every
    target is final."""
    return _published(session, post, target, remote_id=remote_id, url=url, actor=actor, channel="worker")


def _published(
    session: Session, post: Post, target: Target, *conditions: ColumnElement[bool], remote_id: str,
    url: str | None, actor: str, channel: str, action: str = "published_on_platform",
) -> bool:  # fmt: skip
    won = _move_target(
        session, target, T.PUBLISHING, T.PUBLISHED, *conditions, remote_id=remote_id, url=url, lease_until=None,
        needs_reconcile=False, last_error=None, error_kind=None,
    )  # fmt: skip
    if won:
        _settle_post(session, post, actor=actor, channel=channel)
        _audit_target(
            session, post, target, (T.PUBLISHING, T.PUBLISHED), action=action, actor=actor, channel=channel,
            detail=url or remote_id,
        )  # fmt: skip
    return won


def retry(session: Session, post: Post, target: Target, *, due_at: datetime, error: str, actor: str) -> bool:
    """Nothing went out (a rate limit, a network down before sending): back to `pending`, due
    again at `due_at`."""
    won = _move_target(
        session, target, T.PUBLISHING, T.PENDING, due_at=due_at, lease_until=None, needs_reconcile=False,
        last_error=error, error_kind="retry_later",
    )  # fmt: skip
    if won:
        _audit_target(session, post, target, (T.PUBLISHING, T.PENDING), action="retry_later", actor=actor,
                      channel="worker", detail=error)  # fmt: skip
    return won


def uncertain(session: Session, post: Post, target: Target, *, until: datetime, error: str, actor: str) -> bool:
    """Maybe sent: the target stays `publishing`, and once `until` has passed the next claim
    looks for the post on the platform before sending anything."""
    won = _move_target(
        session, target, T.PUBLISHING, T.PUBLISHING, needs_reconcile=True, lease_until=until, last_error=error,
        error_kind="uncertain",
    )  # fmt: skip
    if won:
        _audit_target(session, post, target, (T.PUBLISHING, T.PUBLISHING), action="uncertain", actor=actor,
                      channel="worker", detail=error)  # fmt: skip
    return won


def ask_person(session: Session, post: Post, target: Target, *, error: str, actor: str) -> bool:
    """Nobody can tell whether it went out: it stays `publishing`, claimed by no one, until a
    person decides (`resolve`)."""
    won = _move_target(
        session, target, T.PUBLISHING, T.PUBLISHING, lease_until=None, last_error=error, error_kind="needs_person"
    )
    if won:
        _audit_target(session, post, target, (T.PUBLISHING, T.PUBLISHING), action="needs_person", actor=actor,
                      channel="worker", detail=error)  # fmt: skip
    return won


def fail(session: Session, post: Post, target: Target, *, kind: str, error: str, actor: str) -> bool:
    """Never retried (refused, a person must act, or out of attempts); the post fails too if
    nothing of it went out."""
    won = _move_target(
        session, target, T.PUBLISHING, T.FAILED, lease_until=None, needs_reconcile=False, last_error=error,
        error_kind=kind,
    )  # fmt: skip
    if won:
        _settle_post(session, post, actor=actor, channel="worker")
        _audit_target(session, post, target, (T.PUBLISHING, T.FAILED), action="failed_on_platform", actor=actor,
                      channel="worker", detail=error)  # fmt: skip
    return won


def resolve(session: Session, post: Post, target: Target, *, remote_url: str | None, actor: str, channel: str) -> bool:
    """A person looked on the platform about a target the machine could not decide about: the
    post is there (`remote_url`), or it is not and goes out again now."""
    asked = col(Target.error_kind).in_(ASKED)
    if remote_url:
        remote_id = remote_url.rstrip("/").rsplit("/", 1)[-1]
        return _published(session, post, target, asked, remote_id=remote_id, url=remote_url, actor=actor,
                          channel=channel, action="resolved")  # fmt: skip
    won = _move_target(session, target, T.PUBLISHING, T.PENDING, asked, due_at=utcnow(), lease_until=None,
                       needs_reconcile=False, error_kind=None)  # fmt: skip
    if won:
        _audit_target(session, post, target, (T.PUBLISHING, T.PENDING), action="resolved", actor=actor,
                      channel=channel, detail="non publiée, à republier")  # fmt: skip
    return won


def requeue(
    session: Session, post: Post, target: Target, *, due_at: datetime, actor: str, channel: str, reason: str
) -> bool:  # fmt: skip
    """A person's retry or new time for a `failed` (or still `pending`) target: `pending`, due at
    `due_at`, and the post waits again (`REQUEUE_MOVES`). The claim that follows looks for the post
    on the platform before sending (`needs_reconcile`): a target can fail after an uncertain attempt
    (its account removed meanwhile), and one look costs less than a post sent twice."""
    from_state = TargetState(target.state)
    if from_state not in REQUEUABLE or post.state not in REQUEUE_MOVES:
        raise TransitionRefused(
            "states.target_illegal", post_id=target.post_id, platform=target.platform,
            from_state=from_state.value, to_state=T.PENDING.value,
        )  # fmt: skip
    won = _move_target(
        session, target, from_state, T.PENDING, due_at=due_at, lease_until=None, needs_reconcile=True,
        error_kind=None,
    )  # fmt: skip
    if not won:
        return False
    to_state = REQUEUE_MOVES[State(post.state)]
    if to_state.value != post.state:
        transition(session, post, to_state, actor=actor, channel=channel, reason=reason)
    _audit_target(session, post, target, (from_state, T.PENDING), action="requeued", actor=actor, channel=channel,
                  detail=f"{local_iso(due_at, ZoneInfo(post.entered_timezone))} {reason}")  # fmt: skip
    return True


def deleted(session: Session, post: Post, target: Target, *, actor: str) -> bool:
    """Taken down on its platform (a retraction, a withdrawn consent)."""
    won = _move_target(session, target, T.PUBLISHED, T.DELETED)
    if won:
        _audit_target(session, post, target, (T.PUBLISHED, T.DELETED), action="deleted_on_platform", actor=actor,
                      channel="worker", detail=target.remote_id)  # fmt: skip
    return won


def delete_refused(session: Session, post: Post, target: Target, *, error: str, actor: str) -> bool:
    """The platform would not take it down: it stays `published`, with the error for a person."""
    won = _move_target(session, target, T.PUBLISHED, T.PUBLISHED, last_error=error, error_kind="needs_person")
    if won:
        _audit_target(session, post, target, (T.PUBLISHED, T.PUBLISHED), action="delete_refused", actor=actor,
                      channel="worker", detail=error)  # fmt: skip
    return won
