"""`balise meeting`: the « point médias sociaux » of the team meeting, printed, as a page or mailed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import GLOBAL, JsonOption, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t


def meeting_command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=help_text("meeting.since"),
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help=help_text("meeting.html"), metavar=help_text("metavar.html")),
    ] = None,
    email: Annotated[bool, typer.Option("--email", help=help_text("meeting.email"))] = False,
    json_: JsonOption = False,
) -> None:
    from balise.config import get_settings
    from balise.db import read_scope
    from balise.errors import InvalidInput
    from balise.meeting import as_data, gather, lines, parse_since, remember, render_html
    from balise.notify import tell_team
    from balise.organizations import current_organization, members, org_zone
    from balise.report import write_outputs

    if email and not get_settings().smtp_url:
        raise InvalidInput("meeting.no_smtp")
    # Read without the write lock, write the page, then remember the meeting in a short transaction:
    # a page that cannot be written leaves the last meeting as it was.
    with read_scope() as session:
        org = current_organization(session, GLOBAL.org)
        data = gather(session, org, parse_since(since, org_zone(org)) if since is not None else None)
    if html is not None:
        write_outputs({html: render_html(data).encode("utf-8")})
    with org_session() as (session, org):
        meeting = remember(session, org, data)
        team = members(session, org) if email else []  # every active member: the whole team
        tell_team(session, meeting, [m.id for m in team if m.id is not None])
    if json_:
        output.print_json(as_data(data))
    else:
        output.console.print("\n".join(lines(data)), markup=False, highlight=False, soft_wrap=True)
    if email:
        after_commit()
    if not json_:
        if html is not None:
            output.ok(t("meeting.written", path=html))
        if email:
            output.ok(t("meeting.emailed", count=len(team)))
