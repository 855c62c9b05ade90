"""`balise serve` and `balise signoff remind`: the email channel of the second sign-off."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import after_commit
from balise.cli.help_lang import help_text
from balise.i18n import t

signoff_app = typer.Typer(help=help_text("signoff.help"), no_args_is_help=True)


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help=help_text("serve.host"),
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=help_text("serve.port"))] = 8000,
) -> None:
    from balise.config import get_settings
    from balise.web.server import make_server

    server = make_server(host, port)
    output.ok(t("web.serving", url=f"http://{host}:{port}", public=get_settings().public_url))
    server.run()


HOURS_IN_A_YEAR = 24 * 366  # past it nothing waits for sign-off any more, and a far larger one overflows the date


@signoff_app.command("remind", help=help_text("signoff.remind.help"))
def remind_command(
    after: Annotated[
        float,
        typer.Option(
            "--after",
            min=0,
            max=HOURS_IN_A_YEAR,
            help=help_text("signoff.remind.after"),
        ),
    ] = 24,
) -> None:
    from balise.db import session_scope
    from balise.notify import remind_waiting

    with session_scope() as session:
        sent = remind_waiting(session, timedelta(hours=after))
    after_commit()
    output.ok(t("web.reminders_sent", count=sent))
