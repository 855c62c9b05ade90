"""`balise calendar`: the planned posts as an iCalendar file, or the coming weeks on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, org_session
from balise.cli.help_lang import help_text
from balise.i18n import day_label, t

app = typer.Typer(help=help_text("calendar.help"), no_args_is_help=True)


@app.command("export", help=help_text("calendar.export.help"))
def export(
    output_path: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=help_text("calendar.export.output_path"),
            metavar=help_text("metavar.ics"),
            show_default=False,
        ),
    ] = None,
) -> None:
    from balise.calendar_feed import calendar_entries, calendar_ics
    from balise.config import get_settings
    from balise.report import write_outputs

    with org_session() as (session, org):
        feed = calendar_ics(session, org)
        count = len(calendar_entries(session, org))
        path = output_path or get_settings().data_path / f"calendrier-{org.slug}.ics"
    write_outputs({path: feed}, private={path} if output_path is None else ())
    output.ok(t("calendar.written", path=path, count=count))


@app.command("show", help=help_text("calendar.show.help"))
def show(
    weeks: Annotated[int, typer.Option("--weeks", "-w", help=help_text("calendar.show.weeks"))] = 4,
) -> None:
    from balise.calendar_feed import upcoming_days
    from balise.errors import InvalidInput
    from balise.organizations import org_zone

    if not 1 <= weeks <= 52:
        raise InvalidInput("calendar.bad_weeks", weeks=weeks)
    with org_session() as (session, org):
        zone = org_zone(org)
        days = upcoming_days(session, org, weeks)
    if not days:
        output.console.print(t("calendar.nothing_ahead", weeks=weeks))
        return
    for day, entries in days:
        output.console.print(f"\n[bold]{day_label(day)}[/bold]")
        for entry in entries:
            when = entry.post.scheduled_at.astimezone(zone).strftime("%H:%M")
            state = t("labels." + entry.post.state)
            number = t("labels.number", id=entry.post.id)
            output.console.print(
                f"  {when}  {', '.join(entry.platforms):<18} {state:<26} {number}  {entry.summary()}",
                soft_wrap=True,
            )


@app.command("url", help=help_text("calendar.url.help"))
def url(
    new: Annotated[bool, typer.Option("--new", help=help_text("calendar.url.new"))] = False,
    as_: AsOption = None,
) -> None:
    from balise.config import get_settings
    from balise.organizations import new_calendar_address
    from balise.web.links import calendar_url
    from balise.web.readiness import only_this_computer

    with org_session() as (session, org):
        if new:
            new_calendar_address(session, org, acting_member(session, org, as_))
        address = calendar_url(org)
    print(address)  # alone on stdout, for scripts
    output.err_console.print(t("calendar.subscribe_hint"), soft_wrap=True)
    if only_this_computer(get_settings().public_url):
        output.warn(t("calendar.address_only_here"))
