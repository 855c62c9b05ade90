"""Taking a published post down everywhere it went: retraction, or a withdrawn consent."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from balise import states
from balise.config import get_settings
from balise.db import session_scope
from balise.errors import ConfigError, InvalidInput, PlatformError, RetryLater
from balise.models import Member, Organization, Post, Target, utcnow
from balise.notify import News, tell_author, tell_responsible
from balise.organizations import account_owner, require_role
from balise.pipeline.after_commit import AfterCommit, Takedown
from balise.posts import target_with_post, targets_of
from balise.publisher.registry import get_platform
from balise.states import State, TargetState, transition

RETRY_AFTER = timedelta(minutes=1)  # when a platform asks to wait without saying how long


def retract(session: Session, post: Post, member: Member, *, reason: str, channel: str) -> AfterCommit:
    """Withdraw a published post: after the commit, a takedown job per platform it went to."""
    if not reason.strip():
        raise InvalidInput("takedown.reason_required")
    require_role(member, "approver", "admin")
    return withdraw(session, post, actor=member.name, reason=reason, channel=channel)


def withdraw(session: Session, post: Post, *, actor: str, reason: str, channel: str) -> AfterCommit:
    """Mark a published post `withdrawn` and tell its author; the targets to take down after the commit.

    Shared by a retraction and a withdrawn photo consent (`pipeline.consent`), which any member
    may record: the organization must act on it whoever takes the call.
    """
    transition(session, post, State.WITHDRAWN, actor=actor, channel=channel, reason=reason)
    news = News("notify.author_withdrawn", {"post_id": post.id, "actor": actor, "reason": reason})
    tell_author(session, post, "withdrawn", news)
    published = [t.id for t in targets_of(session, post) if t.state == TargetState.PUBLISHED and t.id is not None]
    return AfterCommit(takedowns=[Takedown(target_id) for target_id in published])


def take_down_target(target_id: int, worker: str) -> tuple[str, AfterCommit]:
    """The takedown job: delete one target on its platform if its post is still withdrawn."""
    with session_scope() as session:
        target = session.get(Target, target_id)
        if target is None or target.state != TargetState.PUBLISHED or target.remote_id is None:
            return "nothing", AfterCommit()
        post = session.get(Post, target.post_id)
        assert post is not None
        if post.state != State.WITHDRAWN:
            return f"skipped:{post.state}", AfterCommit()
        org = session.get(Organization, post.org_id)
        assert org is not None
        platform, remote_id, owner = target.platform, target.remote_id, account_owner(session, org)
    try:
        get_platform(owner, platform, get_settings()).delete(remote_id)
    except RetryLater as exc:
        return "retry_later", AfterCommit(takedowns=[Takedown(target_id, exc.retry_at or utcnow() + RETRY_AFTER)])
    except (PlatformError, ConfigError) as exc:  # ConfigError: the organization's account was removed since
        with session_scope() as session:
            target, post = target_with_post(session, target_id)
            if states.delete_refused(session, post, target, error=exc.message("fr"), actor=worker):
                tell_responsible(session, post, f"takedown-{target_id}", News.of(exc))
        return "needs_person", AfterCommit()
    with session_scope() as session:
        target, post = target_with_post(session, target_id)
        states.deleted(session, post, target, actor=worker)
    return "deleted", AfterCommit()
