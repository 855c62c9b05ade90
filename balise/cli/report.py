"""`balise report`: the activity report for a period, as one HTML file (and its figures as CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli.common import org_session
from balise.cli.help_lang import help_text

FromOption = Annotated[str, typer.Option("--from", help=help_text("report.from"), metavar="DATE", show_default=False)]
ToOption = Annotated[
    str,
    typer.Option("--to", help=help_text("report.to"), metavar="DATE", show_default=False),
]


def report_command(
    first: FromOption,
    last: ToOption,
    output_path: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=help_text("report.output_path"),
            metavar=help_text("metavar.html"),
            show_default=False,
        ),
    ] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option("--csv", help=help_text("report.csv_path"), metavar=help_text("metavar.csv")),
    ] = None,
) -> None:
    from balise.config import get_settings
    from balise.organizations import org_zone
    from balise.private import private_dir
    from balise.report import default_path, gather, parse_period, render_csv, render_html, write_outputs

    with org_session() as (session, org):
        period = parse_period(first, last, org_zone(org))
        data = gather(session, org, period)
    html_path = output_path or default_path(get_settings().data_path, period)
    if output_path is None:
        private_dir(html_path.parent)
    files = {html_path: render_html(data).encode("utf-8")}
    if csv_path is not None:
        files[csv_path] = render_csv(data)
    write_outputs(files, private={html_path} if output_path is None else ())
    for path in files:
        print(path)  # the contract (shared/DESIGN.md): the command prints the path it wrote
