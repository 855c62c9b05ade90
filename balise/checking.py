"""The compliance step of the pipeline: run the gate on one post version and move the post."""

from __future__ import annotations

from dataclasses import asdict

from balise.compliance import Draft, check_draft, load_policy
from balise.consent import photo_facts
from balise.db import session_scope
from balise.errors import TransitionRefused
from balise.models import ComplianceResult, Organization, Post, utcnow
from balise.notify import announce_awaiting_signoff
from balise.posts import platforms_of
from balise.publisher.base import text_with_link
from balise.states import State, transition

OUTCOME = {"approved": State.AWAITING_SIGNOFF, "needs_review": State.NEEDS_REVIEW, "rejected": State.REJECTED}


def check_post(post_id: int, version: int) -> str:
    """Gate post `post_id` as it was at `version`; a stale or repeated job changes nothing."""
    with session_scope() as session:
        post = session.get(Post, post_id)
        if post is None or post.version != version or post.state != State.PENDING_CHECK:
            return "skipped"
        org = session.get(Organization, post.org_id)
        assert org is not None
        # Checked as it goes out: on X the link is part of the text and counts in its length.
        text = text_with_link(post.text, post.link)
        draft = Draft(
            text=text, platforms=tuple(platforms_of(session, post)), category=post.topic, id=str(post.id),
            photos=photo_facts(session, post, utcnow()),  # who is shown, and their consents as of now
            at=post.scheduled_at, timezone=org.timezone,
        )  # fmt: skip
        verdict = check_draft(draft, load_policy(org.policy_override))
        reasons = [_reason_dict(r) for r in verdict.reasons]
        session.add(
            ComplianceResult(
                post_id=post_id,
                content_hash=post.content_hash,
                policy_version=verdict.policy_version,
                verdict=verdict.verdict,
                reasons=reasons,
            )
        )
        summary = "; ".join(f"{r['code']}: {r['message']}" for r in reasons) or None
        try:
            transition(session, post, OUTCOME[verdict.verdict], actor="barrière", channel="worker", reason=summary)
        except TransitionRefused:
            session.rollback()  # edited or cancelled while the gate ran: that version is moot
            return "skipped"
        if post.state == State.AWAITING_SIGNOFF:
            announce_awaiting_signoff(session, post)
        return verdict.verdict


def _reason_dict(reason: object) -> dict[str, object]:
    data = asdict(reason)  # type: ignore[call-overload]
    if data.get("span") is not None:
        data["span"] = list(data["span"])
    return data
