"""A sign-off decision taken on a web page, by the emailed link or in the workspace: the form's
fields turned into `balise.pipeline.signoff.approve` / `reject`, as `balise approve` /
`balise reject` call them; the caller commits, then runs the step's `AfterCommit` (`web.after`)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from balise.errors import InvalidInput
from balise.i18n import t
from balise.models import Member, Organization, Post
from balise.organizations import org_zone
from balise.pipeline.after_commit import AfterCommit
from balise.pipeline.signoff import LateChoice, approve, reject
from balise.states import State
from balise.timeparse import local_text, parse_when

APPROVE, REJECT = "approuver", "refuser"
ACTIONS = (APPROVE, REJECT)


def _late_choice(form: Mapping[str, str], org: Organization) -> LateChoice:
    when = form.get("quand")
    if when == "heure":
        return LateChoice(at=parse_when(form.get("heure", ""), org_zone(org)))
    return LateChoice(now=when == "maintenant")


def decide(
    session: Session, org: Organization, post: Post, member: Member, action: str, form: Mapping[str, str], *,
    channel: str, expected_hash: str | None,
) -> tuple[str, AfterCommit]:  # fmt: skip
    """Approve or refuse `post` as `member`, with the form's comment, late choice, reason and code:
    what the page says, and the step's work for after the commit."""
    assert post.id is not None
    if action == REJECT:
        reason = form.get("motif", "").strip()
        if not reason:
            raise InvalidInput("web.reason_required")
        after = reject(session, org, post, member, reason=reason, channel=channel, code=form.get("code") or None)
        return t("web.rejected", post_id=post.id), after
    after = approve(
        session, org, post, member, channel=channel, comment=form.get("commentaire", "").strip() or None,
        late=_late_choice(form, org), expected_hash=expected_hash,
    )  # fmt: skip
    if post.state != State.SCHEDULED:
        return t("web.approval_recorded", post_id=post.id), after
    when = f"{local_text(post.scheduled_at, org_zone(org))} ({org.timezone})"
    return t("web.approved", post_id=post.id, when=when), after
