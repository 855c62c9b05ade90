"""What a person sees before signing off a post: the post, each photo with the people declared in it
and their consents, and who sent it past the gate's review, and why."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from balise.consent import photo_lines, photo_sheet
from balise.i18n import t
from balise.models import AuditEvent, Post
from balise.posts import post_json
from balise.states import State


def last_override(session: Session, post: Post) -> AuditEvent | None:
    """The override that sent the current version on to sign-off, if any (an edit since voids it)."""
    latest = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.post_id == post.id,
            or_(
                col(AuditEvent.to_state) == State.PENDING_CHECK.value,
                (col(AuditEvent.from_state) == State.NEEDS_REVIEW.value)
                & (col(AuditEvent.to_state) == State.AWAITING_SIGNOFF.value),
            ),
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    return latest if latest is not None and latest.to_state == State.AWAITING_SIGNOFF.value else None


def review_data(session: Session, post: Post, zone: ZoneInfo) -> dict[str, Any]:
    """`post_json` with the photos' people and consents and the override, for `draft show` and `inbox`."""
    override = last_override(session, post)
    return {
        **post_json(session, post, zone),
        "photo_consents": [asdict(photo) for photo in photo_sheet(session, post, zone)],
        "override": None if override is None else {"by": override.actor, "reason": override.reason},
    }


def review_lines(session: Session, post: Post, zone: ZoneInfo, lang: str | None = None) -> list[str]:
    """The photo sheet and the override as plain lines, in the user's language."""
    lines = photo_lines(photo_sheet(session, post, zone), lang)
    override = last_override(session, post)
    if override is not None:
        lines.append(t("signoff.overridden_by", lang=lang, name=override.actor, reason=override.reason or ""))
    return lines
