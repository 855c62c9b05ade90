"""The `balise` command: registers every command group and turns errors into French messages.

A command is added by writing one module in `balise/cli/` and one line below.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from balise.cli import (
    audit_cmd,
    config_cmd,
    demo,
    draft,
    init,
    member,
    ops,
    output,
    retract,
    signoff,
)
from balise.cli.common import GLOBAL
from balise.errors import BaliseError

app = typer.Typer(
    name="balise",
    help=(
        "balise — publication planifiée sur Facebook et X, avec la vérification de la "
        "politique du ROEQ et une deuxième approbation humaine.\n\n"
        "Pour commencer : balise init, puis balise demo."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global(
    org: Annotated[str | None, typer.Option("--org", help="L'organisme visé (son identifiant court).")] = None,
) -> None:
    GLOBAL.org = org


app.command("init")(init.init_command)
app.command("demo")(demo.demo_command)
app.add_typer(draft.app, name="draft")
app.command("approve")(signoff.approve_command)
app.command("reject")(signoff.reject_command)
app.command("override")(signoff.override_command)
app.command("inbox")(signoff.inbox_command)
app.command("retract")(retract.retract_command)
app.command("publish-due")(ops.publish_due_command)
app.command("worker")(ops.worker_command)
app.command("status")(ops.status_command)
app.command("stop")(ops.stop_command)
app.add_typer(member.app, name="member")
app.add_typer(config_cmd.app, name="config")
app.add_typer(audit_cmd.app, name="audit")


def run() -> None:
    """Console entry point: a `BaliseError` becomes its message and exit code, never a traceback."""
    try:
        app()
    except BaliseError as exc:
        output.error(exc.message())
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    run()
