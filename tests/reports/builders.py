"""Builders for the report, metrics, calendar and import tests: posts at known times, snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from balise import audit
from balise.config import get_settings
from balise.db import session_scope
from balise.models import AccountSnapshot, Member, Organization, Post, PostSnapshot, Target, utcnow
from balise.pipeline.check import check_post
from balise.pipeline.draft import DraftInput, create_post
from balise.pipeline.signoff import approve
from balise.states import State, TargetState

JOB_OFFER = (
    "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention. Postulez avant le 15 janvier."
)


def draft(
    org_id: int,
    author_id: int,
    *,
    text: str = JOB_OFFER,
    platforms: tuple[str, ...] = ("sandbox",),
    at: datetime | None = None,
    topic: str | None = None,
) -> int:
    """A new draft (pending_check), scheduled at `at` (default: in 30 days)."""
    with session_scope() as session:
        org = session.get(Organization, org_id)
        author = session.get(Member, author_id)
        assert org and author
        when = at or utcnow() + timedelta(days=30)
        post = create_post(
            session,
            org,
            author,
            DraftInput(text=text, platforms=platforms, scheduled_at=when, topic=topic),
            get_settings().data_path / "media",
        )
        assert post.id
        return post.id


def signed_off(post_id: int, approver_id: int) -> None:
    """Through the real gate and the real sign-off: the audit log holds both transitions."""
    check_post(post_id, 1)
    sign_off(post_id, approver_id)


def sign_off(post_id: int, approver_id: int) -> None:
    with session_scope() as session:
        post = session.get(Post, post_id)
        approver = session.get(Member, approver_id)
        assert post and approver and post.state == State.AWAITING_SIGNOFF
        org = session.get(Organization, post.org_id)
        assert org
        approve(session, org, post, approver, channel="cli")


class Clock:
    """The audit log's clock, moved by hand, so sign-off delays are known in advance."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(audit, "utcnow", lambda: self.now)

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def mark_published(post_id: int, at: datetime, remote_ids: dict[str, str] | None = None) -> dict[str, int]:
    """The post as the publisher leaves it: published at `at`, each target with its remote id.

    Returns the target id per platform.
    """
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        post.state, post.published_at = State.PUBLISHED.value, at
        session.add(post)
        targets = {}
        for target in session.exec(select(Target).where(Target.post_id == post_id)):
            target.state = TargetState.PUBLISHED.value
            target.remote_id = (remote_ids or {}).get(target.platform, f"remote-{post_id}-{target.platform}")
            session.add(target)
            assert target.id
            targets[target.platform] = target.id
        return targets


def account_snapshot(org_id: int, platform: str, at: datetime, followers: int | None, likes: int | None = None) -> None:
    with session_scope() as session:
        session.add(AccountSnapshot(org_id=org_id, platform=platform, taken_at=at, followers=followers, likes=likes))


def post_snapshot(
    org_id: int, post_id: int, target_id: int, platform: str, at: datetime, **figures: int | None
) -> None:
    with session_scope() as session:
        target = session.get(Target, target_id)
        assert target and target.remote_id
        session.add(
            PostSnapshot(
                org_id=org_id,
                post_id=post_id,
                target_id=target_id,
                platform=platform,
                remote_id=target.remote_id,
                taken_at=at,
                **figures,
            )
        )


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def posts_of(org_id: int) -> list[Post]:
    with session_scope() as session:
        return list(session.exec(select(Post).where(Post.org_id == org_id).order_by(Post.id)))  # type: ignore[arg-type]
