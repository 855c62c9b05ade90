"""A sign-off decision taken on a web page, by the emailed link or in the workspace: the form's
fields turned into `balise.signoff.approve` / `reject`, as `balise approve` / `balise reject`
call them, and what must follow once the transaction is committed."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from balise.errors import BaliseError, InvalidInput
from balise.i18n import t
from balise.mail.outbox import queue_waiting
from balise.models import Member, Organization, Post
from balise.organizations import org_zone
from balise.signoff import LateChoice, PublishJob, approve, enqueue_approved, publish_jobs, reject
from balise.timeparse import local_text, parse_when

log = logging.getLogger(__name__)
APPROVE, REJECT = "approuver", "refuser"
ACTIONS = (APPROVE, REJECT)


@dataclass(frozen=True)
class Decided:
    news: str  # what the page says
    jobs: Sequence[PublishJob] = field(default=())  # to put on the publish queue after the commit


def _late_choice(form: Mapping[str, str], org: Organization) -> LateChoice:
    when = form.get("quand")
    if when == "heure":
        return LateChoice(at=parse_when(form.get("heure", ""), org_zone(org)))
    return LateChoice(now=when == "maintenant")


def decide(
    session: Session, org: Organization, post: Post, member: Member, action: str, form: Mapping[str, str], *,
    channel: str, expected_hash: str | None,
) -> Decided:  # fmt: skip
    """Approve or refuse `post` as `member`, with the form's comment, late choice, reason and code."""
    assert post.id is not None
    if action == REJECT:
        reason = form.get("motif", "").strip()
        if not reason:
            raise InvalidInput("web.reason_required")
        reject(session, org, post, member, reason=reason, channel=channel, code=form.get("code") or None)
        return Decided(t("web.rejected", post_id=post.id))
    scheduled = approve(
        session, org, post, member, channel=channel, comment=form.get("commentaire", "").strip() or None,
        late=_late_choice(form, org), expected_hash=expected_hash,
    )  # fmt: skip
    if not scheduled:
        return Decided(t("web.approval_recorded", post_id=post.id))
    when = f"{local_text(post.scheduled_at, org_zone(org))} ({org.timezone})"
    return Decided(t("web.approved", post_id=post.id, when=when), publish_jobs(session, post))


def after_decision(decided: Decided) -> None:
    """After the commit: the publish jobs, and a mail job for each notice the decision wrote. A
    queue out of reach loses nothing: `balise tick` finds both in the database."""
    for step in (lambda: enqueue_approved(decided.jobs), queue_waiting):
        try:
            step()
        except (BaliseError, OSError) as exc:
            log.warning("file d'attente injoignable après une décision : %s", exc)
