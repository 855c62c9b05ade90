"""A person's second chance for what failed: once more now (`balise retry`), or at a new time
(`balise draft reschedule`), by an approver or admin, with the reason in the audit log.

Never a second post: only `failed` targets (and, for a new time, `pending` ones) go back to
`pending`, and their claim looks on the platform before sending (`states.requeue`). A target
whose outcome is uncertain (`publishing`, waiting for a look) is `draft resolve`'s business;
a published one is done.

The sign-off. An approval covers one content hash, the time included (`states.rehash`).
- A retry keeps the post's time, so its hash and its approval hold: what was signed off is what
  goes out, later, as with the machine's own retries (`states.retry` moves a target's due time
  only, hours after the post's time).
- A new time for a post of which nothing went out makes a new hash. As for a post signed off too
  late (the design's late sign-off rule, `signoff.new_time`), the approver who picks the time
  answers for it: never one of its authors, the quiet hours and the gate judge the new hash, and
  that approver's approval of it is recorded.
- A new time for what remains of a post already partly out keeps the post's time and hash: what
  was signed off went out at that time; only the remaining targets' due time moves (the quiet
  hours still apply).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from balise import states
from balise.errors import InvalidInput
from balise.models import Approval, Member, Organization, Post, Target, utcnow
from balise.organizations import require_role
from balise.pipeline.after_commit import AfterCommit, Publish
from balise.pipeline.signoff import check_approver, check_length, new_time, refuse_quiet_hours
from balise.posts import targets_of
from balise.states import ASKED, REQUEUABLE, REQUEUE_MOVES, State, TargetState


def retry(
    session: Session, post: Post, member: Member, *, reason: str, channel: str, platform: str | None = None
) -> AfterCommit:
    """Every failed target of `post` (or the one on `platform`) once more, now; the post's time,
    hash and approval stay (see the module's docstring)."""
    _check_who(member, reason)
    targets = _chosen(session, post, platform, frozenset({TargetState.FAILED}))
    return _requeue(session, post, targets, None, actor=member.name, channel=channel, reason=reason)


def reschedule(
    session: Session, org: Organization, post: Post, member: Member, *, at: datetime, reason: str, channel: str
) -> AfterCommit:
    """A new time for the failed and pending targets of a failed or partly published post; a post
    of which nothing went out takes the new time, signed off by this approver (module docstring)."""
    _check_who(member, reason)
    targets = _chosen(session, post, None, REQUEUABLE)
    if post.state == State.FAILED:
        check_approver(session, post, member)  # four eyes on the new hash, as at sign-off
        new_time(session, org, post, at, actor=member.name, channel=channel)
        assert post.id is not None and member.id is not None
        session.add(
            Approval(post_id=post.id, member_id=member.id, content_hash=post.content_hash, channel=channel,
                     comment=reason)
        )  # fmt: skip
    else:
        refuse_quiet_hours(session, org, post, at)
    return _requeue(session, post, targets, at, actor=member.name, channel=channel, reason=reason)


def _check_who(member: Member, reason: str) -> None:
    require_role(member, "approver", "admin")
    if not reason.strip():
        raise InvalidInput("retry.reason_required")
    check_length(reason)


def _chosen(session: Session, post: Post, platform: str | None, wanted: frozenset[TargetState]) -> list[Target]:
    """The targets to send again, or a refusal that says why and what to do instead."""
    if post.state == State.SCHEDULED:  # nothing failed yet: a new time is an edit, back to the gate
        raise InvalidInput("retry.post_scheduled", post_id=post.id)
    if post.state not in REQUEUE_MOVES:
        raise InvalidInput("retry.post_not_out", post_id=post.id, state=post.state)
    targets = targets_of(session, post)
    if platform is not None:
        targets = [t for t in targets if t.platform == platform]
        if not targets:
            raise InvalidInput("retry.no_such_platform", post_id=post.id, platform=platform)
    for target in targets:  # named first: a person must look before anything is sent again
        if target.state == TargetState.PUBLISHING and target.error_kind in ASKED:
            raise InvalidInput("retry.uncertain", post_id=post.id, platform=target.platform)
    chosen = [t for t in targets if t.state in wanted]
    if chosen:
        return chosen
    if platform is not None and targets[0].state == TargetState.PUBLISHED:
        raise InvalidInput("retry.already_published", post_id=post.id, platform=platform)
    raise InvalidInput("retry.nothing_failed", post_id=post.id)


def _requeue(
    session: Session, post: Post, targets: list[Target], at: datetime | None, *, actor: str, channel: str,
    reason: str,
) -> AfterCommit:  # fmt: skip
    """Each target `pending` again (compare-and-set: a concurrent change refuses the whole step);
    after the commit, its publish job now or at `at`."""
    due = at or utcnow()
    for target in targets:
        if not states.requeue(session, post, target, due_at=due, actor=actor, channel=channel, reason=reason):
            raise InvalidInput("retry.changed_meanwhile", post_id=post.id, platform=target.platform)
    return AfterCommit(publishes=[Publish(t.id, t.attempts, at) for t in targets if t.id is not None])
