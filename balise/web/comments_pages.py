"""The comments inbox in the workspace: `balise comments` as a page, urgent first (help requests,
children reaching out), each comment with its category in words, the policy's clause, the reply
balise suggests (the organization's phone, 811, 911) and the forms to act on it.

Every action is the CLI's: `pipeline.comments.plan` in the page's transaction (the role, the
comment's state, a reply through the gate), then, once committed, `carry_out` asks the platform
and records the outcome with `channel="web"` (`guard.Outside`). Hiding, showing again and deleting
are for approvers, as in the CLI; deleting asks for a confirmation first. What a commenter wrote
is only ever shown through the templates' escaping.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from starlette.responses import Response

from balise.comments.store import get_comment, inbox
from balise.comments.triage import suggested_reply
from balise.config import get_settings
from balise.errors import InvalidInput, NotFound
from balise.i18n import t
from balise.models import Comment, utcnow
from balise.organizations import org_zone
from balise.pipeline import comments as steps
from balise.pipeline.comments import APPROVERS_ONLY, MOVES, REPLY, Plan
from balise.report import duration_text
from balise.timeparse import local_text
from balise.web.after import run_after
from balise.web.guard import Asked, Outside, workspace_route
from balise.web.workspace import APPROVERS, page

# The address's word for each action of `pipeline.comments`.
ACTIONS = {
    "repondre": steps.REPLY, "masquer": steps.HIDE, "afficher": steps.UNHIDE, "supprimer": steps.DELETE,
    "traiter": steps.MARK_DONE,
}  # fmt: skip
MAX_REPLY = 5_000  # far beyond both platforms' limits: the gate and the platform say what is too long


@dataclass(frozen=True)
class Row:
    """One comment as the inbox shows it."""

    comment: Comment
    waited: str
    written: str
    suggestion: str | None  # the reply balise proposes (urgent comments only)
    actions: tuple[str, ...]  # what this member may do with it now, by the address's word


def _actions(comment: Comment, role: str) -> tuple[str, ...]:
    if comment.gone_at is not None:
        return ()
    return tuple(
        word for word, action in ACTIONS.items()
        if comment.state in MOVES[action][0] and (action not in APPROVERS_ONLY or role in APPROVERS)
    )  # fmt: skip


def _rows(session: Session, asked: Asked, everything: bool) -> list[Row]:
    org, now = asked.who.org, utcnow()
    lang = get_settings().lang
    return [
        Row(
            c,
            duration_text(now - c.written_at),
            local_text(c.written_at, org_zone(org)),
            suggested_reply(c.category, phone=org.phone, lang=lang),
            _actions(c, asked.who.member.role),
        )  # fmt: skip
        for c in inbox(session, org, everything=everything)
    ]


def _inbox(
    session: Session, asked: Asked, *, everything: bool = False, error: tuple[int, str] | None = None, status: int = 200
) -> Response:  # fmt: skip
    title = t("workspace.comments_all_title" if everything else "workspace.comments_title")
    response = page(
        asked, "comments.html", title, rows=_rows(session, asked, everything), everything=everything, error=error,
        kept=asked.form.get("reponse", ""),
    )  # fmt: skip
    response.status_code = status
    return response


def comments_page(session: Session, asked: Asked) -> Response:
    """What waits for a person, as `balise comments` lists it."""
    return _inbox(session, asked)


def all_comments_page(session: Session, asked: Asked) -> Response:
    """Every comment, handled ones included, as `balise comments --all`."""
    return _inbox(session, asked, everything=True)


def confirm_delete(session: Session, asked: Asked) -> Response:
    """Deleting cannot be undone: the comment once more, and the one button that deletes it."""
    comment = get_comment(session, asked.who.org, int(asked.params["comment_id"]))
    title = t("workspace.comment_delete_title", id=comment.id)
    return page(asked, "comment_delete.html", title, comment=comment)


def act(session: Session, asked: Asked) -> Response | Outside:
    """Check and plan the action now; the platform is asked once this transaction is committed. A
    reply the gate refuses comes back to the inbox with the reasons and the text kept."""
    action = ACTIONS.get(str(asked.params["action"]))
    comment_id = int(asked.params["comment_id"])
    if action is None:
        raise NotFound("web.not_found")
    text = asked.form.get("reponse", "")[:MAX_REPLY] if action == REPLY else None
    try:
        planned = steps.plan(
            session, asked.who.org, asked.who.member, comment_id, action, reason=asked.form.get("motif"), text=text
        )
    except InvalidInput as exc:
        if action != REPLY:
            raise
        return _inbox(session, asked, error=(comment_id, exc.message()), status=400)
    return Outside(lambda: _carried_out(asked, planned))


def _carried_out(asked: Asked, planned: Plan) -> Response:
    comment, after = steps.carry_out(planned, channel="web")
    run_after(after)
    news = t(f"workspace.comment_done_{planned.action}", id=comment.id, platform=t("web.platform_" + comment.platform))
    return page(asked, "comment_done.html", t("workspace.comments_title"), news=news)


ROUTES = [
    workspace_route("/espace/commentaires", comments_page),
    workspace_route("/espace/commentaires/tous", all_comments_page),
    workspace_route("/espace/commentaires/{comment_id:int}/supprimer", confirm_delete, roles=APPROVERS),
    workspace_route("/espace/commentaires/{comment_id:int}/{action}", act, methods=("POST",)),
]
