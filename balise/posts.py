"""Drafts and posts: create, edit, cancel, read; what the CLI, the web app and jobs share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from balise.compliance import load_policy
from balise.errors import InvalidInput, NotFound
from balise.media.images import importable, store_photo
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
from balise.platforms import canonical_platforms
from balise.states import State, content_hash, created, photo_entry, record_edit, state_named, transition
from balise.timeparse import local_iso

MAX_LINK = 2000  # the longest address browsers and platforms reliably take
MAX_ID = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's BIGINT


@dataclass(frozen=True)
class DraftInput:
    """What a person gives for a draft, already parsed (times in UTC)."""

    text: str
    platforms: tuple[str, ...]
    scheduled_at: datetime
    link: str | None = None
    topic: str | None = None
    photos: tuple[Path, ...] = ()
    people: tuple[str, ...] = ()  # names from the consent registry, shown in every photo


def _validate(org: Organization, draft: DraftInput) -> tuple[str, tuple[str, ...]]:
    text = draft.text.strip()
    if not text:
        raise InvalidInput("posts.empty_text")
    if not draft.platforms:
        raise InvalidInput("posts.no_platform")
    if draft.topic is not None:
        check_topic(org, draft.topic)
    if draft.link is not None:
        check_link(draft.link)
    return text, canonical_platforms(draft.platforms)


def check_link(link: str) -> None:
    """Only a web address goes out: a `javascript:` link would run in the approval page and mail."""
    try:
        parts = urlsplit(link)
    except ValueError as exc:
        raise InvalidInput("posts.bad_link", link=link[:80]) from exc
    spaced = any(c.isspace() or not c.isprintable() for c in link)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or spaced:
        raise InvalidInput("posts.bad_link", link=link[:80])
    if len(link) > MAX_LINK:
        raise InvalidInput("posts.link_too_long", length=len(link), limit=MAX_LINK)


def check_topic(org: Organization, topic: str) -> None:
    """A topic must be one of the policy's categories, or the gate could not judge the post."""
    policy = load_policy(org.policy_override)
    if not policy.category_topic(topic)[0]:
        names = ", ".join(t.id for t in policy.topics)
        raise InvalidInput("compliance.unknown_category", name=topic, known=names)


def create_post(session: Session, org: Organization, author: Member, draft: DraftInput, media_dir: Path) -> Post:
    """A new draft in `pending_check`, with one target per platform; nothing is queued here."""
    text, platforms = _validate(org, draft)
    if draft.people and not draft.photos:
        raise InvalidInput("consent.person_without_photo")
    shown = _declared(session, org, draft.people)
    with TemporaryDirectory() as converted:  # a phone's HEIC is stored as the JPEG it becomes
        stored = [store_photo(importable(p, Path(converted)), media_dir) for p in draft.photos]  # fails before writing
    assert org.id is not None and author.id is not None
    entries = [photo_entry(s.sha256, [p.id for p in shown if p.id is not None]) for s in stored]
    post = Post(
        org_id=org.id,
        author_id=author.id,
        text=text,
        link=draft.link,
        topic=draft.topic,
        scheduled_at=draft.scheduled_at,
        entered_timezone=org.timezone,
        content_hash=content_hash(text, draft.link, list(platforms), entries, draft.scheduled_at),
    )
    session.add(post)
    session.flush()
    assert post.id is not None
    for platform in platforms:
        session.add(Target(post_id=post.id, platform=platform, due_at=draft.scheduled_at))
    for position, photo in enumerate(stored):
        row = Photo(
            post_id=post.id,
            position=position,
            sha256=photo.sha256,
            stored_path=str(photo.path),
            original_name=photo.original_name,
            mime=photo.mime,
        )
        session.add(row)
        session.flush()
        _declare(session, row, shown)
    _wrote(session, post, author)
    created(session, post, actor=author.name, channel="cli")
    session.flush()
    return post


def _wrote(session: Session, post: Post, member: Member) -> None:
    """`member` wrote part of the post's content: from now on they count as one of its authors."""
    assert post.id is not None and member.id is not None
    if session.get(PostAuthor, (post.id, member.id)) is None:
        session.add(PostAuthor(post_id=post.id, member_id=member.id))
        session.flush()


def authors_of(session: Session, post: Post) -> set[int]:
    """Every member who wrote part of the post: none of them may sign it off (four eyes)."""
    written = session.exec(select(PostAuthor.member_id).where(PostAuthor.post_id == post.id))
    return {post.author_id, *written}


def edit_post(
    session: Session,
    post: Post,
    editor: Member,
    *,
    text: str | None = None,
    platforms: tuple[str, ...] | None = None,
    scheduled_at: datetime | None = None,
    link: str | None = None,
    channel: str = "cli",
) -> Post:
    """Change a draft; it goes back to the gate and earlier approvals are void."""
    changed: list[str] = []
    if text is not None:
        if not text.strip():
            raise InvalidInput("posts.empty_text")
        post.text, changed = text.strip(), [*changed, "texte"]
    if link is not None:
        if link:
            check_link(link)
        post.link, changed = link or None, [*changed, "lien"]
    if changed:  # the words are theirs now; a new time or platform writes nothing
        _wrote(session, post, editor)
    if scheduled_at is not None:
        post.scheduled_at, changed = scheduled_at, [*changed, "date"]
    new_platforms = canonical_platforms(platforms) if platforms is not None else None
    if not changed and new_platforms is None:
        raise InvalidInput("posts.nothing_to_edit", post_id=post.id)
    if new_platforms is not None:
        if not new_platforms:
            raise InvalidInput("posts.no_platform")
        changed.append("plateformes")
        assert post.id is not None
        session.execute(delete(Target).where(col(Target.post_id) == post.id))
        for platform in new_platforms:
            session.add(Target(post_id=post.id, platform=platform, due_at=post.scheduled_at))
        session.flush()
    elif scheduled_at is not None:
        for target in targets_of(session, post):
            target.due_at = scheduled_at
            session.add(target)
    record_edit(session, post, actor=editor.name, channel=channel, what=", ".join(changed))
    return post


def tag_photo(
    session: Session, org: Organization, post: Post, number: int, names: Sequence[str], editor: Member
) -> Post:
    """Declare who appears in photo `number` (1 is the first), replacing the earlier declaration.

    Who is shown is content: the post goes back to the gate and earlier approvals are void.
    """
    photos = photos_of(session, post)
    if not 1 <= number <= len(photos):
        raise InvalidInput("consent.bad_photo_number", post_id=post.id, number=number, count=len(photos))
    _declare(session, photos[number - 1], _declared(session, org, names))
    _wrote(session, post, editor)
    record_edit(session, post, actor=editor.name, channel="cli", what=f"personnes sur la photo {number}")
    return post


def _declared(session: Session, org: Organization, names: Sequence[str]) -> list[Person]:
    from balise.consent import find_people  # here: balise.consent imports this module

    return find_people(session, org, names)


def _declare(session: Session, photo: Photo, shown: Sequence[Person]) -> None:
    session.execute(delete(PhotoPerson).where(col(PhotoPerson.photo_id) == photo.id))
    for person in shown:
        assert photo.id is not None and person.id is not None
        session.add(PhotoPerson(photo_id=photo.id, person_id=person.id))
    session.flush()


def cancel_post(session: Session, post: Post, actor: Member, reason: str | None) -> None:
    transition(session, post, State.CANCELLED, actor=actor.name, channel="cli", reason=reason)


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
