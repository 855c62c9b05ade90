"""`balise comments`: the inbox of comments under the organization's posts, and what to do with each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

if TYPE_CHECKING:
    from balise.models import Comment

app = typer.Typer(
    help=help_text("comments.help"),
    invoke_without_command=True,
)

IdArgument = Annotated[int, typer.Argument(help=help_text("comments.id"))]
ReasonOption = Annotated[str | None, typer.Option("--reason", help=help_text("comments.reason"))]


@app.callback()
def inbox(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=help_text("comments.all"))] = False,
    json_: JsonOption = False,
) -> None:
    """Commentaires à traiter, les urgents d'abord (demandes d'aide, enfants), avec leur attente.

    Exemples :

      balise comments

      balise comments --all --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from balise.comments.store import inbox as waiting
    from balise.models import utcnow
    from balise.report import duration_text

    with org_session() as (session, org):
        comments = waiting(session, org, everything=all_)
    if json_:
        output.print_json([_row(c) for c in comments])
        return
    if not comments:
        output.ok(t("comments.inbox_empty"))
        return
    now = utcnow()
    for c in comments:
        flag = t("comments.urgent_flag") if c.urgent and c.state == "new" else "  "
        output.console.print(
            t("comments.inbox_line", flag=flag, id=c.id, category=t(f"comments.category_{c.category}"),
              platform=c.platform, post_id=c.post_id, author=c.author or "?", waited=duration_text(now - c.written_at),
              state=t(f"comments.state_{c.state}")),
            markup=False, highlight=False,
        )  # fmt: skip
        text = c.text if len(c.text) <= 200 else c.text[:200] + "…"
        output.console.print(
            "      " + t("labels.quoted", text=text or t("comments.no_text")), markup=False, highlight=False
        )
        if c.state == "new":
            output.console.print("      " + t(f"comments.hint_{c.proposed}", id=c.id), markup=False, highlight=False)


def _row(c: Comment) -> dict[str, object]:
    return {
        "id": c.id, "platform": c.platform, "post_id": c.post_id, "remote_id": c.remote_id, "author": c.author,
        "text": c.text, "category": c.category, "urgent": c.urgent, "state": c.state,
        "written_at": c.written_at.isoformat(), "clause": c.clause, "proposed": c.proposed,
    }  # fmt: skip


@app.command("fetch", help=help_text("comments.fetch.help"))
def fetch() -> None:
    from balise.pipeline.comments import fetch_comments

    with org_session() as (_, org):
        org_id = org.id
    report, after = fetch_comments(org_id)
    output.warn_all(report.problems)
    output.ok(t("comments.fetched", new=report.new, urgent=report.urgent, posts=report.posts, gone=report.gone))
    after_commit(after)


def _act(comment_id: int, action: str, as_: str | None, reason: str | None, **reply: object) -> None:
    from balise.pipeline.comments import APPROVERS_ONLY, carry_out, plan

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=action in APPROVERS_ONLY)
        planned = plan(session, org, member, comment_id, action, reason=reason, **reply)  # type: ignore[arg-type]
    comment, after = carry_out(planned)
    output.ok(t(f"comments.done_{action}", id=comment.id, platform=comment.platform))
    after_commit(after)


@app.command("reply", help=help_text("comments.reply.help"))
def reply(
    comment_id: IdArgument,
    text: Annotated[str | None, typer.Argument(help=help_text("comments.reply.text"))] = None,
    suggested: Annotated[bool, typer.Option("--suggested", help=help_text("comments.reply.suggested"))] = False,
    reason: ReasonOption = None,
    as_: AsOption = None,
) -> None:
    _act(comment_id, "reply", as_, reason, text=text, suggested=suggested)


@app.command("hide", help=help_text("comments.hide.help"))
def hide(comment_id: IdArgument, reason: ReasonOption = None, as_: AsOption = None) -> None:
    _act(comment_id, "hide", as_, reason)


@app.command("unhide", help=help_text("comments.unhide.help"))
def unhide(comment_id: IdArgument, reason: ReasonOption = None, as_: AsOption = None) -> None:
    _act(comment_id, "unhide", as_, reason)


@app.command("delete", help=help_text("comments.delete.help"))
def delete(comment_id: IdArgument, reason: ReasonOption = None, as_: AsOption = None) -> None:
    _act(comment_id, "delete", as_, reason)


@app.command("done", help=help_text("comments.done.help"))
def done(comment_id: IdArgument, reason: ReasonOption = None, as_: AsOption = None) -> None:
    _act(comment_id, "done", as_, reason)
