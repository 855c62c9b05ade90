"""`balise gate examples`: the organization's own decisions on the gate's verdicts, as test cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import org_session
from balise.cli.help_lang import help_text
from balise.errors import InvalidInput
from balise.i18n import t

app = typer.Typer(help=help_text("gate.help"), no_args_is_help=True)


@app.command("examples", help=help_text("gate.examples.help"))
def examples_command(
    export: Annotated[
        Path | None,
        typer.Option("--export", help=help_text("gate.examples.export")),
    ] = None,
) -> None:
    from balise.examples import examples

    with org_session() as (session, org):
        rows = examples(session, org)
    if export is not None:
        if export.exists() and not export.is_file():
            raise InvalidInput("cli.export_not_a_file", path=str(export))
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        export.write_text(lines, encoding="utf-8")
        output.ok(t("cli.examples_exported", count=len(rows), path=str(export)))
        return
    if not rows:
        output.console.print(t("cli.examples_none"))
    for row in rows:
        label = t("cli.example_" + row["decision"], who=row["decided_by"], post_id=row["post_id"])
        codes = ", ".join(row["codes"])
        output.console.print(f"[bold]{label}[/bold] — {codes} — {row['reason']}", soft_wrap=True)
        output.console.print(f"  {row['text']}", soft_wrap=True)
