"""`balise audit`: the tamper-evident history of who did what."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from balise.cli import output
from balise.cli.common import JsonOption, org_session
from balise.cli.help_lang import help_text
from balise.errors import InvalidInput
from balise.i18n import t

if TYPE_CHECKING:
    from balise import audit

app = typer.Typer(
    help=help_text("audit.help"),
    no_args_is_help=True,
)


@app.command("verify", help=help_text("audit.verify.help"))
def verify(
    json_: JsonOption = False,
    anchor: Annotated[
        Path | None,
        typer.Option("--anchor", help=help_text("audit.verify.anchor")),
    ] = None,
) -> None:
    from balise import audit
    from balise.config import get_settings

    kept = audit.read_head(anchor) if anchor else None
    if anchor and kept is None:
        raise InvalidInput("audit.anchor_missing", path=anchor)
    with org_session() as (session, org):
        assert org.id is not None
        head_file = audit.read_head(audit.head_path(org.id))
        verdict = audit.verify(session, org.id, [a for a in (head_file, kept) if a is not None])
    if json_:
        output.print_json({
            "organization": org.slug, "intact": not verdict.breaks, "events": verdict.events,
            "unkeyed_events": verdict.unkeyed, "keyed": bool(get_settings().secret_key),
            "head": asdict(verdict.head) if verdict.head else None,
            "breaks": [asdict(item) for item in verdict.breaks],
        })  # fmt: skip
    else:
        _explain(verdict, keyed=bool(get_settings().secret_key), head_file=head_file is not None)
    if verdict.breaks:
        raise typer.Exit(1)


def _explain(verdict: audit.Verdict, *, keyed: bool, head_file: bool) -> None:
    """The verdict in sentences: each break, then what weakens the check."""
    for item in verdict.breaks:
        output.error(t("cli.audit_" + item.problem, event_id=item.event_id))
    if not keyed:
        output.warn(t("cli.audit_unkeyed"))
    elif verdict.unkeyed:
        output.warn(t("cli.audit_sealed_before_key", count=verdict.unkeyed))
    if not head_file and verdict.events:
        output.warn(t("cli.audit_no_head_file"))
    if not verdict.breaks:
        output.ok(t("cli.audit_ok"))


def _action(action: str) -> str:
    """An audit event's name in the user's language; an event newer than the catalogue keeps its identifier."""
    try:
        return t(f"audit.action_{action}")
    except KeyError:
        return action


@app.command("show", help=help_text("audit.show.help"))
def show(post_id: Annotated[int, typer.Argument(help=help_text("audit.show.post_id"))]) -> None:
    from balise import audit
    from balise.organizations import org_zone
    from balise.posts import get_post
    from balise.timeparse import local_text

    with org_session() as (session, org):
        get_post(session, org, post_id)
        events = audit.history(session, post_id)
        zone = org_zone(org)
    table = output.table("when", "who", "means", "action", "from", "to", "reason")
    for e in events:
        table.add_row(
            local_text(e.created_at, zone), e.actor, e.channel, _action(e.action),
            t("labels." + e.from_state) if e.from_state else "", t("labels." + e.to_state) if e.to_state else "",
            e.reason or "",
        )  # fmt: skip
    output.console.print(table)
