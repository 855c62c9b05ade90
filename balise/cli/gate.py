"""`balise gate examples`: the organization's own decisions on the gate's verdicts, as test cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import org_session
from balise.errors import InvalidInput
from balise.i18n import t

app = typer.Typer(help="La barrière de conformité et ce que l'organisme lui apprend.", no_args_is_help=True)


@app.command("examples")
def examples_command(
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Écrire les exemples dans ce fichier JSON Lines (format du corpus)."),
    ] = None,
) -> None:
    """Les décisions des personnes sur les avis de la barrière (dérogations, refus avec un code).

    Chaque décision est un exemple étiqueté : il peut servir de cas de test à l'organisme et
    rejoindre les données d'entraînement de la barrière.

    Exemples :

      balise gate examples

      balise gate examples --export exemples.jsonl
    """
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
