"""Publishing one target exactly once on top of an at-least-once queue.

The database decides who publishes: a compare-and-set claim with a lease. A target found
`publishing` after its lease expired, or after an uncertain outcome (timeout, 5xx), is first
looked for on the platform; once the platform has answered with an id, nothing re-sends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from balise import states
from balise.compliance import load_policy
from balise.config import AccountOwner, get_settings
from balise.consent import consent_problems
from balise.db import read_scope, session_scope
from balise.errors import (
    ConfigError,
    InvalidInput,
    NeedsPerson,
    Permanent,
    PlatformError,
    RetryLater,
    TransitionRefused,
)
from balise.i18n import t
from balise.media.images import outgoing_copy
from balise.models import Organization, Photo, Post, Target, utcnow
from balise.notify import News, tell_responsible
from balise.organizations import account_owner
from balise.pipeline.after_commit import AfterCommit, Publish
from balise.posts import photos_of, target_with_post, targets_of
from balise.publisher.base import MediaFile, Publication, RemotePost
from balise.publisher.registry import get_platform
from balise.states import LIVE, TARGET_FINAL, TargetState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLOCK_SKEW = timedelta(minutes=10)  # between this machine's clock and the platform's
BACKOFF = (30, 60, 300, 900, 1800, 3600, 3600, 3600)  # seconds before attempt n+1
RECORD_RETRIES = (0.5, 1, 2, 4, 8, 15, 30)


@dataclass(frozen=True)
class Claim:
    publication: Publication
    platform: str
    reconcile: bool
    owner: AccountOwner  # the post's organization: its account, never another's


def publish_target(target_id: int, worker: str) -> tuple[str, AfterCommit]:
    """The publish job: publish one (post, platform) if it is still due. Returns what happened,
    for the job log, and the next attempt to queue when the platform asked to wait."""
    claim = _claim(target_id, worker)
    if isinstance(claim, str):
        return claim, AfterCommit()
    try:
        adapter = get_platform(claim.owner, claim.platform, get_settings())
    except ConfigError as exc:  # no account configured for this platform: a person must act
        missing = NeedsPerson("publishing.account_missing", platform=claim.platform, detail=exc.message())
        return _fail(target_id, missing, worker), AfterCommit()
    if claim.reconcile:
        try:
            found = adapter.find(claim.publication)
        except PlatformError as exc:
            return _cannot_tell(target_id, exc, worker)
        if found is not None:
            _record_published(target_id, found, worker)
            return "reconciled", AfterCommit()
    if blocked := _consent_withdrawn(target_id, claim.platform):  # withdrawn or expired since sign-off
        return _fail(target_id, blocked, worker), AfterCommit()
    try:
        remote = adapter.publish(claim.publication)
    except RetryLater as exc:
        return _retry_later(target_id, exc, worker)
    except (NeedsPerson, Permanent) as exc:
        return _fail(target_id, exc, worker), AfterCommit()
    except Exception as exc:  # an adapter bug or an unclassified network error: maybe sent
        log.exception("publication %s : résultat incertain", target_id)
        return _retry_later(
            target_id,
            RetryLater("publishing.unexpected", platform=claim.platform, detail=str(exc), uncertain=True),
            worker,
        )
    _record_published(target_id, remote, worker)
    return "published", AfterCommit()


def _claim(target_id: int, worker: str) -> Claim | str:
    now = utcnow()
    with session_scope() as session:
        target = session.get(Target, target_id)
        if target is None:
            return "missing"
        post = session.get(Post, target.post_id)
        assert post is not None
        if post.state not in LIVE:
            return f"skipped:{post.state}"  # cancelled, edited back to the gate, withdrawn...
        if target.state in TARGET_FINAL:
            return f"done:{target.state}"
        reconcile = target.needs_reconcile
        if target.state == TargetState.PUBLISHING:
            if target.error_kind == "needs_person":
                return "waiting_for_person"  # `balise draft resolve` decides, never a blind retry
            if target.lease_until is not None and target.lease_until > now:
                return "busy"
            reconcile = True  # the last worker died or timed out mid-call: look before sending
        elif target.due_at > now:
            return "not_due"
        try:
            if not states.claim(session, post, target, worker=worker, now=now, until=now + lease()):
                return "lost_race"
        except TransitionRefused:
            session.rollback()
            return f"skipped:{post.state}"
        org = session.get(Organization, post.org_id)
        assert org is not None
        publication = _publication(session, org, post, target, now)
        return Claim(publication, target.platform, reconcile, account_owner(session, org))


def _consent_withdrawn(target_id: int, platform: str) -> Permanent | None:
    """The registry, read again just before the platform call: a consent withdrawn after sign-off stops the post."""
    with read_scope() as session:
        target = session.get(Target, target_id)
        assert target is not None
        post = session.get(Post, target.post_id)
        assert post is not None
        problems = consent_problems(session, post, utcnow(), [platform])
    return Permanent("consent.publish_blocked", platform=platform, detail=" ".join(problems)) if problems else None


def _publication(session: Session, org: Organization, post: Post, target: Target, now: datetime) -> Publication:
    assert post.id is not None and target.id is not None
    limits = load_policy(org.policy_override).limits(target.platform)
    photos = tuple(_media(p, limits) for p in photos_of(session, post))
    return Publication(
        post_id=post.id,
        target_id=target.id,
        text=post.text,
        link=post.link,
        photos=photos,
        # Nothing is sent before its time (claims need due_at <= now), so the search can start there.
        not_before=min(post.scheduled_at, now) - CLOCK_SKEW,
    )


def _media(photo: Photo, limits: Mapping[str, Any]) -> MediaFile:
    """The platform gets a copy without EXIF (GPS, camera), within its size; cached by hash."""
    copy = outgoing_copy(photo, max_side=limits.get("photo_max_side"), max_bytes=limits.get("photo_max_bytes"))
    return MediaFile(copy.path, copy.mime, photo.sha256)


def _record_published(target_id: int, remote: RemotePost, worker: str) -> None:
    """Store the platform's id; database errors are retried here, never by re-publishing."""
    for delay in (*RECORD_RETRIES, None):
        try:
            with session_scope() as session:
                target, post = target_with_post(session, target_id)
                states.published(session, post, target, remote_id=remote.remote_id, url=remote.url, actor=worker)
            return
        except SQLAlchemyError:
            if delay is None:
                # The lease will expire and the next run will find the post on the platform.
                log.exception("publication %s faite (%s) mais non enregistrée", target_id, remote.remote_id)
                raise
            time.sleep(delay)


def _retry_later(target_id: int, exc: RetryLater, worker: str) -> tuple[str, AfterCommit]:
    now = utcnow()
    with session_scope() as session:
        target, post = target_with_post(session, target_id)
        if exc.uncertain:
            # Maybe sent: stay `publishing`; once this lease runs out the next run looks first.
            due = exc.retry_at or now + timedelta(seconds=_backoff(target.attempts))
            won = states.uncertain(session, post, target, until=due, error=exc.message("fr"), actor=worker)
            outcome = "uncertain"
        elif target.attempts >= MAX_ATTEMPTS:
            return _fail_in(session, target, post, exc, worker), AfterCommit()
        else:
            due = exc.retry_at or now + timedelta(seconds=_backoff(target.attempts))
            won = states.retry(session, post, target, due_at=due, error=exc.message("fr"), actor=worker)
            outcome = "retry_later"
        if not won:
            return "lost_race", AfterCommit()
        return outcome, _next_attempt(target_id, target.attempts, due)


def _next_attempt(target_id: int, attempts: int, at: datetime) -> AfterCommit:
    """The next attempt through RQ's scheduler, so it comes without waiting for cron (which
    queues it anyway if this job is lost)."""
    return AfterCommit(publishes=[Publish(target_id, attempts, at)])


def _cannot_tell(target_id: int, exc: PlatformError, worker: str) -> tuple[str, AfterCommit]:
    """The platform could not say whether the post exists: never guess, ask a person."""
    with session_scope() as session:
        target, post = target_with_post(session, target_id)
        if isinstance(exc, RetryLater) and target.attempts < MAX_ATTEMPTS:
            retry_at = exc.retry_at or utcnow() + timedelta(seconds=_backoff(target.attempts))
            if not states.uncertain(session, post, target, until=retry_at, error=exc.message("fr"), actor=worker):
                return "lost_race", AfterCommit()
            return "reconcile_later", _next_attempt(target_id, target.attempts, retry_at)
        else:
            post_id, platform = target.post_id, target.platform
            message = t(
                "publishing.cannot_tell", lang="fr", detail=exc.message("fr"), post_id=post_id, platform=platform
            )
            if not states.ask_person(session, post, target, error=message, actor=worker):
                return "lost_race", AfterCommit()
            news = News("publishing.cannot_tell", {"detail": News.of(exc), "post_id": post_id, "platform": platform})
            tell_responsible(session, post, f"uncertain-{target_id}", news)
            return "needs_person", AfterCommit()


def _fail(target_id: int, exc: PlatformError, worker: str) -> str:
    with session_scope() as session:
        target, post = target_with_post(session, target_id)
        return _fail_in(session, target, post, exc, worker)


def _fail_in(session: Session, target: Target, post: Post, exc: PlatformError, worker: str) -> str:
    kind = (
        "needs_person"
        if isinstance(exc, NeedsPerson)
        else "permanent"
        if isinstance(exc, Permanent)
        else "retries_exhausted"
    )
    if not states.fail(session, post, target, kind=kind, error=exc.message("fr"), actor=worker):
        return "lost_race"
    tell_responsible(session, post, f"failed-{target.id}", News.of(exc))
    return f"failed:{kind}"


def lease() -> timedelta:
    """How long a claim lasts (`BALISE_PUBLISH_LEASE_SECONDS`); longer than a publish job may run."""
    return timedelta(seconds=get_settings().publish_lease_seconds)


def _backoff(attempts: int) -> int:
    return min(BACKOFF[min(max(attempts - 1, 0), len(BACKOFF) - 1)], get_settings().publish_retry_max_seconds)


def resolve_by_person(
    session: Session, post: Post, platform: str, *, remote_url: str | None, actor: str
) -> AfterCommit:
    """A person checked the platform: the post is there (`remote_url`) or not (published again now).

    Only for a target the machine could not decide about; anything else is refused.
    """
    target = next((t for t in targets_of(session, post) if t.platform == platform), None)
    if (
        target is None
        or target.state != TargetState.PUBLISHING
        or target.error_kind not in {"needs_person", "uncertain"}
        or not states.resolve(session, post, target, remote_url=remote_url, actor=actor, channel="cli")
    ):
        raise InvalidInput("publishing.nothing_to_resolve", post_id=post.id, platform=platform)
    assert target.id is not None
    return AfterCommit() if remote_url else AfterCommit(publishes=[Publish(target.id, target.attempts)])
