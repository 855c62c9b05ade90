"""Reading posts: the one place that finds a post, its targets, photos, authors and verdict, and its JSON shape."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from balise.errors import NotFound
from balise.models import (
    ComplianceResult,
    Member,
    Organization,
    Person,
    Photo,
    PhotoPerson,
    Post,
    PostAuthor,
    Target,
)
from balise.states import state_named
from balise.timeparse import local_iso

MAX_ID = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's BIGINT


def authors_of(session: Session, post: Post) -> set[int]:
    """Every member who wrote part of the post: none of them may sign it off (four eyes)."""
    written = session.exec(select(PostAuthor.member_id).where(PostAuthor.post_id == post.id))
    return {post.author_id, *written}


def get_post(session: Session, org: Organization, post_id: int) -> Post:
    """The organization's post `post_id`; `NotFound` otherwise, also for a number no database
    column can hold (SQLite fails on integers beyond 64 bits instead of finding nothing)."""
    post = session.get(Post, post_id) if -MAX_ID <= post_id <= MAX_ID else None
    if post is None or post.org_id != org.id:
        raise NotFound("posts.unknown", post_id=post_id)
    return post


def list_posts(session: Session, org: Organization, state: str | None = None) -> list[Post]:
    query = select(Post).where(Post.org_id == org.id).order_by(col(Post.scheduled_at), col(Post.id))
    if state:
        query = query.where(Post.state == state_named(state))
    return list(session.exec(query))


def targets_of(session: Session, post: Post) -> list[Target]:
    return list(session.exec(select(Target).where(Target.post_id == post.id).order_by(col(Target.platform))))


def target_with_post(session: Session, target_id: int) -> tuple[Target, Post]:
    """The target a job holds by id (it claimed or published it, so it exists), and its post."""
    target = session.get(Target, target_id)
    assert target is not None
    post = session.get(Post, target.post_id)
    assert post is not None
    return target, post


def platforms_of(session: Session, post: Post) -> list[str]:
    return [t.platform for t in targets_of(session, post)]


def photos_of(session: Session, post: Post) -> list[Photo]:
    return list(session.exec(select(Photo).where(Photo.post_id == post.id).order_by(col(Photo.position))))


def people_in(session: Session, photo: Photo) -> list[Person]:
    query = select(Person).join(PhotoPerson, col(PhotoPerson.person_id) == Person.id)
    return list(session.exec(query.where(PhotoPerson.photo_id == photo.id).order_by(col(Person.name))))


def author_names(session: Session, post: Post) -> list[str]:
    """Whoever wrote part of the post, its creator first."""
    members = [m for m in (session.get(Member, i) for i in sorted(authors_of(session, post))) if m is not None]
    return [m.name for m in sorted(members, key=lambda m: m.id != post.author_id)]


def current_check(session: Session, post: Post) -> ComplianceResult | None:
    """The gate's verdict on the post's current content; None when no check covers it yet."""
    return session.exec(
        select(ComplianceResult)
        .where(ComplianceResult.post_id == post.id, ComplianceResult.content_hash == post.content_hash)
        .order_by(col(ComplianceResult.id).desc())
    ).first()


def post_json(session: Session, post: Post, zone: ZoneInfo) -> dict[str, Any]:
    """The stable JSON shape of a post for scripts (`--json`): see shared/DESIGN.md."""
    author = session.get(Member, post.author_id)
    check = current_check(session, post)
    return {
        "id": post.id,
        "state": post.state,
        "scheduled_at": local_iso(post.scheduled_at, zone),
        "timezone": zone.key,
        "text": post.text,
        "link": post.link,
        "topic": post.topic,
        "author": author.name if author else None,
        "authors": author_names(session, post),
        "content_hash": post.content_hash,
        "targets": [
            {
                "platform": t.platform,
                "state": t.state,
                "remote_id": t.remote_id,
                "url": t.url,
                "attempts": t.attempts,
                "last_error": t.last_error,
            }
            for t in targets_of(session, post)
        ],
        "photos": [
            {"sha256": p.sha256, "name": p.original_name, "people": [person.name for person in people_in(session, p)]}
            for p in photos_of(session, post)
        ],
        "compliance": None
        if check is None
        else {"verdict": check.verdict, "reasons": check.reasons, "policy_version": check.policy_version},
        "created_at": local_iso(post.created_at, zone),
        "published_at": local_iso(post.published_at, zone) if post.published_at else None,
    }
