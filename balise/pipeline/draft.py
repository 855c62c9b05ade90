"""The draft step: create, edit, tag and cancel drafts; each edit sends the post back to the gate.

What a valid draft is (text, platforms, link, topic, photos and the people in them) is known
here only: the command line, the web app and the CSV import all come through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from urllib.parse import urlsplit

from sqlmodel import Session, col, delete

from balise.compliance import load_policy
from balise.consent import find_people
from balise.errors import InvalidInput
from balise.media.images import importable, store_photo
from balise.models import Member, Organization, Person, Photo, PhotoPerson, Post, PostAuthor, Target
from balise.pipeline.after_commit import AfterCommit
from balise.platforms import canonical_platforms
from balise.posts import photos_of, targets_of
from balise.states import State, content_hash, created, photo_entry, record_edit, transition

MAX_LINK = 2000  # the longest address browsers and platforms reliably take


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


def add_post(
    session: Session, org: Organization, author: Member, draft: DraftInput, media_dir: Path
) -> tuple[Post, AfterCommit]:
    """`balise draft add`: a new draft, and its check job after the commit."""
    post = create_post(session, org, author, draft, media_dir)
    return post, AfterCommit.check(post)


def create_post(session: Session, org: Organization, author: Member, draft: DraftInput, media_dir: Path) -> Post:
    """A new draft in `pending_check`, with one target per platform; its check is the caller's
    after-commit work (`add_post`, or the importer's, once for every row)."""
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


def edit_post(
    session: Session,
    post: Post,
    editor: Member,
    *,
    text: str | None = None,
    platforms: tuple[str, ...] | None = None,
    scheduled_at: datetime | None = None,
    link: str | None = None,
    topic: str | None = None,
    remove_photo: int | None = None,
    channel: str = "cli",
) -> AfterCommit:
    """Change a draft; it goes back to the gate (its check job after the commit) and earlier
    approvals are void."""
    changed: list[str] = []
    if remove_photo is not None:
        _remove_photo(session, post, remove_photo)
        changed.append(f"photo {remove_photo} retirée")
    if text is not None:
        if not text.strip():
            raise InvalidInput("posts.empty_text")
        post.text, changed = text.strip(), [*changed, "texte"]
    if link is not None:
        if link:
            check_link(link)
        post.link, changed = link or None, [*changed, "lien"]
    if changed:  # the words (or who is shown) are theirs now; a new time, topic or platform writes nothing
        _wrote(session, post, editor)
    if topic is not None:
        if topic:
            check_topic(session.get_one(Organization, post.org_id), topic)
        post.topic, changed = topic or None, [*changed, "sujet"]
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
    return AfterCommit.check(post)


def tag_photo(
    session: Session, org: Organization, post: Post, number: int, names: Sequence[str], editor: Member
) -> AfterCommit:
    """Declare who appears in photo `number` (1 is the first), replacing the earlier declaration.

    Who is shown is content: the post goes back to the gate and earlier approvals are void.
    """
    _declare(session, _photo_number(session, post, number), _declared(session, org, names))
    _wrote(session, post, editor)
    record_edit(session, post, actor=editor.name, channel="cli", what=f"personnes sur la photo {number}")
    return AfterCommit.check(post)


def _photo_number(session: Session, post: Post, number: int) -> Photo:
    """Photo `number` of the post (1 is the first), as `draft show` numbers them."""
    photos = photos_of(session, post)
    if not 1 <= number <= len(photos):
        raise InvalidInput("consent.bad_photo_number", post_id=post.id, number=number, count=len(photos))
    return photos[number - 1]


def _remove_photo(session: Session, post: Post, number: int) -> None:
    photo = _photo_number(session, post, number)
    session.execute(delete(PhotoPerson).where(col(PhotoPerson.photo_id) == photo.id))
    session.delete(photo)
    session.flush()


def _declared(session: Session, org: Organization, names: Sequence[str]) -> list[Person]:
    return find_people(session, org, names)


def _declare(session: Session, photo: Photo, shown: Sequence[Person]) -> None:
    session.execute(delete(PhotoPerson).where(col(PhotoPerson.photo_id) == photo.id))
    for person in shown:
        assert photo.id is not None and person.id is not None
        session.add(PhotoPerson(photo_id=photo.id, person_id=person.id))
    session.flush()


def cancel_post(session: Session, post: Post, actor: Member, reason: str | None) -> AfterCommit:
    """Cancel a post not yet out; a job already queued for it finds it cancelled and does nothing."""
    transition(session, post, State.CANCELLED, actor=actor.name, channel="cli", reason=reason)
    return AfterCommit()
