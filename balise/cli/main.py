"""The `balise` command: registers every command group and turns errors into French messages.

A command is added by writing one module in `balise/cli/` and one line in `COMMANDS` below; the
module is imported only when its command is used (`balise.cli.lazy`).
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.metadata import version
from typing import Annotated

import typer
import typer.main
from typer._click import core
from typer._click import exceptions as click

from balise.cli import help_lang, output
from balise.cli.common import GLOBAL
from balise.cli.help_lang import help_text
from balise.cli.lazy import Entry, LazyGroup
from balise.errors import BaliseError, InvalidInput
from balise.i18n import t
from balise.private import keep_private

# Every command and where it lives, in `balise --help`'s order; its help is `commands.NAME.help` in
# balise/i18n/*/commands.toml.
COMMANDS = {
    "init": Entry("balise.cli.init:init_command"),
    "demo": Entry("balise.cli.demo:demo_command"),
    "approve": Entry("balise.cli.signoff:approve_command"),
    "reject": Entry("balise.cli.signoff:reject_command"),
    "override": Entry("balise.cli.signoff:override_command"),
    "inbox": Entry("balise.cli.signoff:inbox_command"),
    "retract": Entry("balise.cli.retract:retract_command"),
    "retry": Entry("balise.cli.retry:retry_command"),
    "publish-due": Entry("balise.cli.ops:publish_due_command"),
    "tick": Entry("balise.cli.tick:tick_command"),
    "worker": Entry("balise.cli.ops:worker_command"),
    "status": Entry("balise.cli.ops:status_command"),
    "stop": Entry("balise.cli.ops:stop_command"),
    "login": Entry("balise.cli.login:login_command"),
    "logout": Entry("balise.cli.login:logout_command"),
    "whoami": Entry("balise.cli.login:whoami_command"),
    "check": Entry("balise.cli.check:check_command"),
    "import": Entry("balise.cli.importer:import_command"),
    "report": Entry("balise.cli.report:report_command"),
    "serve": Entry("balise.cli.serve:serve_command"),
    "draft": Entry("balise.cli.draft:app"),
    "member": Entry("balise.cli.member:app"),
    "org": Entry("balise.cli.org:app"),
    "config": Entry("balise.cli.config_cmd:app"),
    "audit": Entry("balise.cli.audit_cmd:app"),
    "policy": Entry("balise.cli.policy:app"),
    "gate": Entry("balise.cli.gate:app"),
    "accounts": Entry("balise.cli.accounts:app"),
    "people": Entry("balise.cli.people:app"),
    "consent": Entry("balise.cli.consent:app"),
    "photo": Entry("balise.cli.photo:app"),
    "calendar": Entry("balise.cli.calendar:app"),
    "metrics": Entry("balise.cli.metrics:app"),
    "comments": Entry("balise.cli.comments:app"),
    "meeting": Entry("balise.cli.meeting:meeting_command"),
    "signoff": Entry("balise.cli.serve:signoff_app"),
}


class _Commands(LazyGroup):
    entries = COMMANDS


app = typer.Typer(
    name="balise",
    cls=_Commands,
    help=(help_text("help")),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(asked: bool) -> None:
    """`balise --version`: from the installed package's metadata, before any command is loaded."""
    if asked:
        print(f"balise {version('balise')}")
        raise typer.Exit()


@app.callback()
def _global(
    org: Annotated[str | None, typer.Option("--org", help=help_text("options.org"))] = None,
    _version: Annotated[
        bool, typer.Option("--version", help=help_text("options.version"), callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    GLOBAL.org = org


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
    elif isinstance(exc, click.BadParameter | click.BadArgumentUsage):
        message = t("cli.usage_bad_value", param=_param_name(exc))
    elif isinstance(exc, click.BadOptionUsage):
        takes_none = "does not take a value" in exc.message
        message = t("cli.usage_no_value" if takes_none else "cli.usage_needs_value", option=exc.option_name)
    elif exc.message.startswith("Got unexpected extra argument"):
        message = t("cli.usage_extra", detail=exc.message.rpartition("(")[2].rstrip(")"))
    elif exc.message == "Missing command.":
        message = t("cli.usage_missing_command")
    elif exc.message.startswith("No such command"):
        message = t("cli.usage_no_such_command", detail=exc.message.split("'")[1] if "'" in exc.message else "")
    else:
        message = t("cli.usage_other", detail=exc.format_message())
    return f"{message} {help_hint}"


@cache
def _command() -> core.Command:
    """`app` as the Click command it becomes, built once per process: a command, once loaded, keeps
    its Click form, which `main` called in-process (tests) would otherwise rebuild each time."""
    help_lang.install()
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
