"""The check step of the pipeline (the compliance gate): run the gate on one post version and move the post."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session

from balise.compliance import Draft, Verdict, load_policy
from balise.compliance.gate import check_draft
from balise.consent import photo_facts
from balise.db import read_scope, session_scope
from balise.errors import TransitionRefused
from balise.models import ComplianceResult, Organization, Post, utcnow
from balise.notify import announce_awaiting_signoff
from balise.pipeline.after_commit import AfterCommit
from balise.platforms import text_with_link
from balise.posts import platforms_of
from balise.states import State, transition

OUTCOME = {"approved": State.AWAITING_SIGNOFF, "needs_review": State.NEEDS_REVIEW, "rejected": State.REJECTED}


def check_post(post_id: int, version: int) -> tuple[str, AfterCommit]:
    """The check job: gate post `post_id` as it was at `version`; a stale or repeated job changes
    nothing. After the commit, only the notices (a draft now awaits sign-off).

    The gate runs between two transactions, not inside one: on SQLite a write transaction holds
    the lock every other writer waits for. The compare-and-set in `transition` refuses the
    verdict if the post changed meanwhile."""
    with read_scope() as session:
        post = session.get(Post, post_id)
        if post is None or post.version != version or post.state != State.PENDING_CHECK:
            return "skipped", AfterCommit()
        org = session.get(Organization, post.org_id)
        assert org is not None
        draft, policy_text, content_hash = draft_of(session, org, post), org.policy_override, post.content_hash
    verdict = check_draft(draft, load_policy(policy_text))
    with session_scope() as session:
        post = session.get(Post, post_id)
        if post is None or post.version != version:
            return "skipped", AfterCommit()  # edited while the gate ran: that version is moot
        reasons = record_verdict(session, post_id, content_hash, verdict)
        summary = "; ".join(f"{r['code']}: {r['message']}" for r in reasons) or None
        try:
            transition(
                session, post, OUTCOME[verdict.verdict], actor="barrière", channel="worker", reason=summary,
                expected=State.PENDING_CHECK,
            )  # fmt: skip
        except TransitionRefused:
            session.rollback()  # cancelled while the gate ran
            return "skipped", AfterCommit()
        if post.state == State.AWAITING_SIGNOFF:
            announce_awaiting_signoff(session, post)
        return verdict.verdict, AfterCommit()


def draft_of(session: Session, org: Organization, post: Post) -> Draft:
    """The post as the gate checks it: as it goes out (on X the link is part of the text and
    counts in its length), with who is shown in its photos and their consents as of now."""
    return Draft(
        text=text_with_link(post.text, post.link), platforms=tuple(platforms_of(session, post)),
        category=post.topic, id=str(post.id), photos=photo_facts(session, post, utcnow()),
        at=post.scheduled_at, timezone=org.timezone,
    )  # fmt: skip


def record_verdict(session: Session, post_id: int, content_hash: str, verdict: Verdict) -> list[dict[str, object]]:
    """Keep the gate's verdict on one exact content: sign-off is allowed only on such a verdict."""
    reasons = [_reason_dict(r) for r in verdict.reasons]
    session.add(
        ComplianceResult(
            post_id=post_id, content_hash=content_hash, policy_version=verdict.policy_version,
            verdict=verdict.verdict, reasons=reasons,
        )
    )  # fmt: skip
    session.flush()
    return reasons


def _reason_dict(reason: object) -> dict[str, object]:
    data = asdict(reason)  # type: ignore[call-overload]
    if data.get("span") is not None:
        data["span"] = list(data["span"])
    return data
