"""`balise config show`: the effective settings and where each came from."""

from __future__ import annotations

import typer

from balise.cli import output
from balise.cli.common import JsonOption
from balise.cli.help_lang import help_text
from balise.i18n import t

app = typer.Typer(help=help_text("config.help"), no_args_is_help=True)


@app.command("show", help=help_text("config.show.help"))
def show(json_: JsonOption = False) -> None:
    from balise.config import config_path, describe_settings, get_settings

    lines = describe_settings(get_settings())
    if json_:
        output.print_json([{"name": x.name, "value": x.value, "source": x.source} for x in lines])
        return
    output.console.print(t("cli.config_file", path=config_path()))
    table = output.table("setting", "value", "source")
    for line in lines:
        table.add_row(line.name, line.value, t("cli.source_" + line.source))
    output.console.print(table)
