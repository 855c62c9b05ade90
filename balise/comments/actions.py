"""Acting on a comment: reply (through the gate: a reply is a publication too), hide, show again,
delete, or mark it done. Each action is audited with who and why.

Three steps, so that no transaction waits on a platform: `plan` checks in a transaction who acts
and whether the comment still allows it (and gates a reply); `carry_out` calls the platform, then
records the outcome in a new transaction with a compare-and-set. A comment deleted on the
platform meanwhile is marked so, and the person is told in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from balise import audit
from balise.comments.store import DELETED, DONE, HIDDEN, NEW, REPLIED, get_comment, mark_gone, settle
from balise.comments.triage import suggested_reply
from balise.compliance import Draft, check_draft, load_policy
from balise.config import AccountOwner, get_settings
from balise.db import session_scope
from balise.errors import InvalidInput, Permanent, TransitionRefused
from balise.i18n import t
from balise.models import Comment, Member, Organization, utcnow
from balise.organizations import account_owner, require_role
from balise.publisher.registry import get_platform

REPLY, HIDE, UNHIDE, DELETE, MARK_DONE = "reply", "hide", "unhide", "delete", "done"
# What each action needs the comment to be in, and what it makes it.
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    REPLY: ((NEW, DONE), REPLIED),
    HIDE: ((NEW, REPLIED, DONE), HIDDEN),
    UNHIDE: ((HIDDEN,), DONE),
    DELETE: ((NEW, REPLIED, HIDDEN, DONE), DELETED),
    MARK_DONE: ((NEW,), DONE),
}
# Hiding and deleting someone's words is a decision for a responsible person (policy: « se
# permettre d'y enlever du contenu non pertinent »), as showing them again is.
APPROVERS_ONLY = frozenset({HIDE, UNHIDE, DELETE})


@dataclass(frozen=True)
class Plan:
    """An action checked and ready: what to ask the platform, and what to record after."""

    comment_id: int
    org_id: int
    post_id: int
    owner: AccountOwner
    platform: str
    remote_id: str
    action: str
    actor: str
    reason: str
    text: str | None = None  # a reply's words, passed by the gate


def plan(
    session: Session,
    org: Organization,
    member: Member,
    comment_id: int,
    action: str,
    *,
    reason: str | None = None,
    text: str | None = None,
    suggested: bool = False,
) -> Plan:
    """Check that `member` may do `action` on the comment as it is now; a reply is gated here."""
    comment = get_comment(session, org, comment_id)
    if action in APPROVERS_ONLY:
        require_role(member, "approver", "admin")
    if comment.gone_at is not None:
        raise InvalidInput("comments.gone", comment_id=comment_id, platform=comment.platform)
    allowed, _ = MOVES[action]
    if comment.state not in allowed:
        raise TransitionRefused(
            "comments.not_allowed", comment_id=comment_id, action=t(f"comments.action_{action}"),
            state=t(f"comments.state_{comment.state}"),
        )  # fmt: skip
    if action == REPLY:
        text = _reply_text(org, comment, text, suggested)
        _gate(org, comment, text)
    why = (reason or "").strip() or comment.clause or t(f"comments.category_{comment.category}")
    assert comment.id is not None
    return Plan(
        comment.id, org.id or 0, comment.post_id, account_owner(session, org), comment.platform, comment.remote_id,
        action, member.name, why, text,
    )  # fmt: skip


def _reply_text(org: Organization, comment: Comment, text: str | None, suggested: bool) -> str:
    if suggested and text:
        raise InvalidInput("comments.reply_both")
    if suggested:
        proposal = suggested_reply(comment.category, phone=org.phone, lang=get_settings().lang)
        if proposal is None:
            raise InvalidInput("comments.no_suggestion", comment_id=comment.id)
        return proposal
    if not (text or "").strip():
        raise InvalidInput("comments.reply_empty", comment_id=comment.id)
    return (text or "").strip()


def _gate(org: Organization, comment: Comment, text: str) -> None:
    """The reply goes out under the organization's name: the same gate as any publication."""
    verdict = check_draft(Draft(text=text, platforms=(comment.platform,)), load_policy(org.policy_override))
    if verdict.verdict != "approved":
        reasons = "\n".join(f"- {r.message} ({r.clause})" for r in verdict.reasons)
        raise InvalidInput("comments.reply_refused", comment_id=comment.id, reasons=reasons)


def carry_out(planned: Plan, channel: str = "cli") -> Comment:
    """Ask the platform, then record: the comment's new state and an audit event."""
    try:
        reply_id = _ask_platform(planned)
    except Permanent as exc:
        if exc.key == "publisher.comment_gone":
            _record_gone(planned)
        raise
    with session_scope() as session:
        return _record(session, planned, reply_id, channel)


def _ask_platform(planned: Plan) -> str | None:
    """The platform's part of the action (none for `done`); a reply's id."""
    if planned.action == MARK_DONE:
        return None
    adapter = get_platform(planned.owner, planned.platform, get_settings())
    if planned.action == REPLY:
        assert planned.text is not None
        return adapter.reply_comment(planned.remote_id, planned.text)
    if planned.action == DELETE:
        adapter.delete_comment(planned.remote_id)
    else:
        adapter.hide_comment(planned.remote_id, planned.action == HIDE)
    return None


def _record(session: Session, planned: Plan, reply_id: str | None, channel: str) -> Comment:
    comment = session.get(Comment, planned.comment_id)
    assert comment is not None
    allowed, to = MOVES[planned.action]
    values: dict[str, object] = {}
    if planned.action in (HIDE, UNHIDE):
        values["hidden_on_platform"] = planned.action == HIDE
    if reply_id is not None:
        values["reply_remote_id"] = reply_id
    before = comment.state
    if not settle(session, comment, to, allowed, **values):
        # Someone acted first; the platform call is done either way, so say what now stands.
        raise TransitionRefused(
            "comments.not_allowed", comment_id=planned.comment_id, action=t(f"comments.action_{planned.action}"),
            state=t(f"comments.state_{comment.state}"),
        )  # fmt: skip
    detail = f"commentaire n° {planned.comment_id} ({planned.platform}) : {planned.reason}"
    if planned.text is not None:
        detail += f" — réponse : {planned.text}"
    audit.record(
        session, org_id=planned.org_id, post_id=planned.post_id, actor=planned.actor, channel=channel,
        action=f"comment_{planned.action}", from_state=before, to_state=to, reason=detail,
    )  # fmt: skip
    return comment


def _record_gone(planned: Plan) -> None:
    with session_scope() as session:
        comment = session.get(Comment, planned.comment_id)
        assert comment is not None
        mark_gone(comment, utcnow())
        audit.record(
            session, org_id=planned.org_id, post_id=planned.post_id, actor=planned.actor, channel="cli",
            action="comment_gone", reason=f"commentaire n° {planned.comment_id} ({planned.platform})",
        )  # fmt: skip
