"""The `balise` command: registers every command group and turns errors into French messages.

A command is added by writing one module in `balise/cli/` and one line below.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Annotated

import typer
import typer.main
from typer._click import core
from typer._click import exceptions as click

from balise.cli import (
    accounts,
    audit_cmd,
    config_cmd,
    demo,
    draft,
    gate,
    init,
    login,
    member,
    ops,
    org,
    output,
    people,
    photo,
    retract,
    serve,
    signoff,
)
from balise.cli import calendar as calendar_cmd
from balise.cli import check as check_cmd
from balise.cli import consent as consent_cmd
from balise.cli import importer as import_cmd
from balise.cli import metrics as metrics_cmd
from balise.cli import policy as policy_cmd
from balise.cli import report as report_cmd
from balise.cli import tick as tick_cmd
from balise.cli.common import GLOBAL
from balise.errors import BaliseError, InvalidInput
from balise.i18n import t
from balise.private import keep_private

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
app.command("tick")(tick_cmd.tick_command)
app.command("worker")(ops.worker_command)
app.command("status")(ops.status_command)
app.command("stop")(ops.stop_command)
app.add_typer(member.app, name="member")
app.add_typer(org.app, name="org")
app.command("login")(login.login_command)
app.command("logout")(login.logout_command)
app.command("whoami")(login.whoami_command)
app.add_typer(config_cmd.app, name="config")
app.add_typer(audit_cmd.app, name="audit")
app.command("check")(check_cmd.check_command)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(gate.app, name="gate")
app.add_typer(accounts.app, name="accounts")
app.add_typer(people.app, name="people")
app.add_typer(consent_cmd.app, name="consent")
app.add_typer(photo.app, name="photo")
app.command("import")(import_cmd.import_command)
app.add_typer(calendar_cmd.app, name="calendar")
app.add_typer(metrics_cmd.app, name="metrics")
app.command("report")(report_cmd.report_command)
app.command("serve")(serve.serve_command)
app.add_typer(serve.signoff_app, name="signoff")


def _param_name(exc: click.ClickException) -> str:
    param = getattr(exc, "param", None)
    if param is None:
        return "?"
    opts = getattr(param, "opts", None) or []
    return opts[0] if opts and str(opts[0]).startswith("-") else str(getattr(param, "name", "?")).upper()


def _usage_message(exc: click.ClickException) -> str:
    """Click's usage errors, said in the user's language, with the command's help to read."""
    ctx = getattr(exc, "ctx", None)
    help_hint = t("cli.usage_help", command=ctx.command_path if ctx else "balise")
    if isinstance(exc, click.MissingParameter):
        message = t("cli.usage_missing", param=_param_name(exc))
    elif isinstance(exc, click.NoSuchOption):
        message = t("cli.usage_no_such_option", option=exc.option_name)
    elif isinstance(exc, click.BadParameter):
        message = t("cli.usage_bad_value", param=_param_name(exc))
    elif exc.message.startswith("No such command"):
        message = t("cli.usage_no_such_command", detail=exc.message.split("'")[1] if "'" in exc.message else "")
    else:
        message = t("cli.usage_other", detail=exc.format_message())
    return f"{message} {help_hint}"


@cache
def _command() -> core.Command:
    """`app` as the Click command it becomes, built once per process: building it reads every
    command's signature (0.14 s here), which `main` called in-process (tests) would repeat each time."""
    return typer.main.get_command(app)


def _is_text(arg: str) -> bool:
    """Python keeps bytes that are not UTF-8 in its arguments as lone surrogates, which no database,
    file or terminal accepts; nor does PostgreSQL accept NUL (a shell cannot pass one, a Python
    caller of `main` can)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in arg


def _refuse_undecodable(argv: list[str]) -> None:
    """Refuse such an argument before the command runs, rather than fail half-way through it."""
    for position, arg in enumerate(argv, start=1):
        if not _is_text(arg):
            shown = arg.replace("\x00", "?").encode("utf-8", "replace").decode("utf-8")
            raise InvalidInput("cli.not_utf8", position=position, arg=shown)


def main(argv: list[str]) -> int:
    """Run `balise ARGV`; a `BaliseError` becomes its message and exit code, never a traceback."""
    try:
        _refuse_undecodable(argv)
        code = _command().main(args=argv, prog_name="balise", standalone_mode=False)
    except BaliseError as exc:
        output.error(exc.message())
        return exc.exit_code
    except click.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "")
        return 0
    except click.ClickException as exc:
        output.error(_usage_message(exc))
        return exc.exit_code
    except typer.Abort:
        output.error(t("cli.interrupted"))
        return 130
    return code if isinstance(code, int) else 0


def run() -> None:
    """Console entry point: what balise writes is for this account only."""
    keep_private()
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()
