"""The post as an approver must see it before deciding: text, link, photos per platform, and
what the compliance gate found. The sign-off mail and the approval page show the same preview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from balise.mail.letter import InlineImage
from balise.media.images import outgoing_copy
from balise.models import Organization, Photo, Post, utcnow
from balise.organizations import org_zone
from balise.platforms import PLATFORMS, text_with_link
from balise.posts import author_names, current_check, photos_of, platforms_of
from balise.review_sheet import review_lines
from balise.states import LATE_GRACE
from balise.timeparse import local_text


@dataclass(frozen=True)
class PlatformView:
    """The post on one platform: some (X) carry the link in its text, the others show it apart."""

    platform: str
    text: str
    link: str | None


@dataclass(frozen=True)
class Preview:
    post_id: int
    org_name: str
    author: str
    when: str
    timezone: str
    late: bool
    text: str
    link: str | None
    platforms: list[PlatformView]
    photos: list[InlineImage]  # attached inline to the email, as data: addresses on the page
    checked: bool  # False: no verdict of the gate covers this exact content
    findings: list[dict[str, Any]]
    review: list[str]  # each photo by number, its people and their consents; who overrode the gate and why


def preview_of(session: Session, post: Post) -> Preview:
    """What the approver is shown; the gate's findings only if they are about this exact content."""
    assert post.id is not None
    org = session.get(Organization, post.org_id)
    assert org is not None
    check = current_check(session, post)
    return Preview(
        post_id=post.id,
        org_name=org.name,
        author=", ".join(author_names(session, post)),
        when=local_text(post.scheduled_at, org_zone(org)),
        timezone=org.timezone,
        late=post.scheduled_at < utcnow() - LATE_GRACE,
        text=post.text,
        link=post.link,
        platforms=[_on(platform, post) for platform in platforms_of(session, post)],
        photos=[_inline(photo) for photo in photos_of(session, post)],
        checked=check is not None,
        findings=check.reasons if check is not None else [],
        review=[line.strip() for line in review_lines(session, post, org_zone(org))],
    )


def _inline(photo: Photo) -> InlineImage:
    """The copy the platforms get, without location or camera data, never the stored original."""
    copy = outgoing_copy(photo)
    return InlineImage(f"photo{photo.position}.{photo.sha256[:16]}@balise", copy.path, copy.mime, photo.original_name)


def _on(platform: str, post: Post) -> PlatformView:
    if PLATFORMS[platform].link_in_text:
        return PlatformView(platform, text_with_link(post.text, post.link), None)
    return PlatformView(platform, post.text, post.link)
