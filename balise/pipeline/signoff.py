"""The second, human sign-off: four eyes before anything is scheduled.

An approval covers one exact content hash; the approver is never the author; a draft the
gate sent to review is overridden only by an approver or admin, with a written reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from balise import audit, examples
from balise.compliance import Policy, load_policy
from balise.compliance.frequency import clock_label, in_quiet_hours
from balise.compliance.gate import check_draft
from balise.errors import InvalidInput, PermissionDenied
from balise.models import Approval, Member, Organization, Post, utcnow
from balise.notify import News, announce_awaiting_signoff, tell_author, waiting_on
from balise.pipeline.after_commit import AfterCommit, Publish
from balise.pipeline.check import draft_of, record_verdict
from balise.posts import authors_of, current_check, platforms_of, targets_of
from balise.states import LATE_GRACE, WAITING, State, reschedule, transition

MAX_WORDS = 2000  # characters in a comment or a reason, as the approval page's text boxes allow


@dataclass(frozen=True)
class LateChoice:
    """What to do with a post signed off after its time: now, or at a new time."""

    now: bool = False
    at: datetime | None = None


class LateSignoff(InvalidInput):
    """The post's time has passed: the approver must choose (`--now` or `--at`)."""


def check_length(words: str | None) -> None:
    """A comment or a reason goes into the audit log and the author's mail: the page's limit is
    checked here too, since a form can be posted without the page."""
    if words is not None and len(words) > MAX_WORDS:
        raise InvalidInput("signoff.too_long", length=len(words), limit=MAX_WORDS)


def check_approver(session: Session, post: Post, member: Member) -> None:
    if member.role not in ("approver", "admin"):
        raise PermissionDenied("signoff.not_approver", name=member.name, role=member.role)
    if member.id in authors_of(session, post):
        nobody_else = not waiting_on(session, post)  # a small team: say how someone else can sign it off
        raise PermissionDenied(
            "signoff.own_post_nobody_else" if nobody_else else "signoff.own_post", name=member.name, post_id=post.id
        )


def approve(
    session: Session,
    org: Organization,
    post: Post,
    member: Member,
    *,
    channel: str,
    comment: str | None = None,
    late: LateChoice | None = None,
    expected_hash: str | None = None,
) -> AfterCommit:
    """Record a sign-off; once it completes the required count the post is scheduled, and after
    the commit each target's publish job waits on RQ's scheduler for its time (second precision;
    `publish-due` is the safety net)."""
    check_length(comment)
    check_approver(session, post, member)
    if post.state != State.AWAITING_SIGNOFF:
        raise InvalidInput("signoff.not_awaiting", post_id=post.id, state=post.state)
    if expected_hash is not None and expected_hash != post.content_hash:
        raise InvalidInput("signoff.changed_since", post_id=post.id)
    now = utcnow()
    if post.scheduled_at < now - LATE_GRACE:
        late = late or LateChoice()
        if not late.now and late.at is None:
            raise LateSignoff("signoff.late", post_id=post.id)
        new_time(session, org, post, now if late.now else late.at or now, actor=member.name, channel=channel)
    assert post.id is not None and member.id is not None
    existing = session.exec(
        select(Approval).where(
            Approval.post_id == post.id,
            col(Approval.voided_at).is_(None),
            Approval.content_hash == post.content_hash,
        )
    ).all()
    if any(a.member_id == member.id for a in existing):
        raise InvalidInput("signoff.already", name=member.name, post_id=post.id)
    session.add(
        Approval(post_id=post.id, member_id=member.id, content_hash=post.content_hash, channel=channel, comment=comment)
    )
    count = len(existing) + 1
    if count < org.required_signoffs:
        audit.record(
            session,
            org_id=post.org_id,
            post_id=post.id,
            actor=member.name,
            channel=channel,
            action="approval",
            reason=comment,
        )
        return AfterCommit()
    transition(session, post, State.SCHEDULED, actor=member.name, channel=channel, reason=comment or "approuvée")
    tell_author(session, post, f"approved-v{post.version}", News("notify.author_approved", {"post_id": post.id}))
    targets = [(t.id, t.attempts, t.due_at) for t in targets_of(session, post) if t.id is not None]
    return AfterCommit(publishes=[Publish(target_id, attempts, due) for target_id, attempts, due in targets])


def refuse_quiet_hours(session: Session, org: Organization, post: Post, at: datetime) -> Policy:
    """The gate checked the old time only: a new one inside the quiet hours is refused here.
    Returns the organization's policy, for the caller's own checks."""
    policy = load_policy(org.policy_override)
    if in_quiet_hours(policy, platforms_of(session, post), at, org.timezone):
        quiet = policy.quiet_hours
        raise InvalidInput(
            "signoff.late_quiet_hours", post_id=post.id, start=clock_label(quiet.start), end=clock_label(quiet.end)
        )
    return policy


def new_time(session: Session, org: Organization, post: Post, at: datetime, *, actor: str, channel: str) -> None:
    """The approver's choice of time for a late or a failed post; the approval covers the new content hash."""
    policy = refuse_quiet_hours(session, org, post, at)
    seen = current_check(session, post)
    reschedule(session, post, at, actor=actor, channel=channel)
    # The approval covers the new hash, so the gate judges it too; a person already weighed what it found before.
    verdict = check_draft(draft_of(session, org, post), policy)
    assert post.id is not None
    record_verdict(session, post.id, post.content_hash, verdict)
    new = {r.code for r in verdict.reasons} - {r["code"] for r in (seen.reasons if seen else [])}
    if new:
        raise InvalidInput("signoff.late_new_findings", post_id=post.id, codes=", ".join(sorted(new)))


def reject(
    session: Session, org: Organization, post: Post, member: Member, *, reason: str, channel: str,
    code: str | None = None,
) -> AfterCommit:  # fmt: skip
    """Refuse a draft; with the policy `code` it breaks, a refusal of what the gate had let
    through is kept as one of the organization's labelled examples."""
    if not reason.strip():
        raise InvalidInput("signoff.reason_required")
    check_length(reason)
    check_approver(session, post, member)
    if code is not None:
        examples.refused(session, org, post, member, examples.checked_code(code), reason)
    transition(session, post, State.REJECTED, actor=member.name, channel=channel, reason=reason)
    news = News("notify.author_rejected", {"post_id": post.id, "reason": reason})
    tell_author(session, post, f"rejected-v{post.version}", news)
    return AfterCommit()  # the author's news only


def override(session: Session, post: Post, member: Member, *, reason: str, channel: str) -> AfterCommit:
    """Send a `needs_review` draft on to sign-off, with the written reason in the audit log.
    Only a draft the gate sent to review: never one it has not checked yet."""
    if not reason.strip():
        raise InvalidInput("signoff.override_reason_required")
    check_length(reason)
    check_approver(session, post, member)
    if post.state != State.NEEDS_REVIEW:
        raise InvalidInput("signoff.override_not_review", post_id=post.id, state=post.state)
    examples.overridden(session, post, member, reason)
    transition(
        session, post, State.AWAITING_SIGNOFF, actor=member.name, channel=channel, reason=reason,
        expected=State.NEEDS_REVIEW,
    )  # fmt: skip
    announce_awaiting_signoff(session, post)
    return AfterCommit()  # the approvers' sign-off requests only


def inbox(session: Session, org: Organization, member: Member) -> list[Post]:
    """What waits for this member's sign-off, oldest first (not their own drafts)."""
    posts = session.exec(
        select(Post)
        .where(Post.org_id == org.id, col(Post.state).in_([s.value for s in WAITING]))
        .order_by(Post.updated_at)  # type: ignore[arg-type]
    )
    return [p for p in posts if member.id not in authors_of(session, p)]
