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
from balise.cli.lazy import Entry, LazyGroup
from balise.errors import BaliseError, InvalidInput
from balise.i18n import t
from balise.private import keep_private

# Every command: where it lives and the one line `balise --help` shows for it (the first paragraph
# of its own help; tests/test_cli_startup.py checks they agree). Listed in `balise --help`'s order.
COMMANDS = {
    "init": Entry(
        "balise.cli.init:init_command",
        "Prépare balise pour votre organisme : nom, fuseau horaire, première personne administratrice.",
    ),
    "demo": Entry(
        "balise.cli.demo:demo_command",
        "Montre tout le parcours sur la plateforme d'essai (sandbox), sans aucun compte :",
    ),
    "approve": Entry(
        "balise.cli.signoff:approve_command",
        "Approuve une publication vérifiée (deuxième signature), ou la refuse avec --refuse. Jamais par son auteur·e.",
    ),
    "reject": Entry(
        "balise.cli.signoff:reject_command", "Refuse une publication, avec un motif transmis à son auteur·e."
    ),
    "override": Entry(
        "balise.cli.signoff:override_command",
        "Passe outre l'avis « à revoir » de la barrière (approbateur·trice ou admin, motif obligatoire).",
    ),
    "inbox": Entry(
        "balise.cli.signoff:inbox_command", "Ce qui attend votre approbation, du plus ancien au plus récent."
    ),
    "retract": Entry(
        "balise.cli.retract:retract_command",
        "Retire une publication publiée de toutes ses plateformes (approbateur·trice ou admin).",
    ),
    "retry": Entry(
        "balise.cli.retry:retry_command",
        "Relance maintenant une publication en échec sur ses plateformes en échec (approbateur·trice ou admin).",
    ),
    "publish-due": Entry(
        "balise.cli.ops:publish_due_command",
        "Met en file tout ce qui est dû (à lancer chaque minute par cron). Sans danger en double.",
    ),
    "tick": Entry(
        "balise.cli.tick:tick_command",
        "Le travail périodique de balise, à lancer chaque minute par cron (ou le service cron de docker-compose.yml).",
    ),
    "worker": Entry(
        "balise.cli.ops:worker_command", "Lance un travailleur qui vérifie, publie et retire les publications."
    ),
    "status": Entry(
        "balise.cli.ops:status_command",
        "Où en est balise : publications par état, files, cron, travailleurs, retards.",
    ),
    "stop": Entry(
        "balise.cli.ops:stop_command",
        "Arrête le serveur Redis intégré de ce dossier de données (rien n'est perdu).",
    ),
    "login": Entry(
        "balise.cli.login:login_command",
        "Se connecter : balise envoie un code à usage unique à votre adresse courriel, vous le tapez.",
    ),
    "logout": Entry("balise.cli.login:logout_command", "Se déconnecter : la session de ce compte est effacée."),
    "whoami": Entry(
        "balise.cli.login:whoami_command", "Qui est connecté sur ce compte, dans quel organisme, et jusqu'à quand."
    ),
    "check": Entry(
        "balise.cli.check:check_command", "Vérifie des publications selon la politique du ROEQ, sans base de données."
    ),
    "import": Entry(
        "balise.cli.importer:import_command",
        "Importe un calendrier de publications (CSV) : chaque ligne devient un brouillon.",
    ),
    "report": Entry(
        "balise.cli.report:report_command",
        "Écrit le rapport d'activités d'une période : un seul fichier HTML, graphiques compris, à ouvrir ou imprimer.",
    ),
    "serve": Entry(
        "balise.cli.serve:serve_command",
        "Lance l'application web d'approbation : les liens envoyés par courriel y mènent.",
    ),
    "draft": Entry("balise.cli.draft:app", "Brouillons : ajouter, lister, voir, modifier, annuler."),
    "member": Entry("balise.cli.member:app", "Membres de l'organisme et leurs rôles (author, approver, admin)."),
    "org": Entry("balise.cli.org:app", "Réglages de l'organisme."),
    "config": Entry("balise.cli.config_cmd:app", "Configuration de balise."),
    "audit": Entry(
        "balise.cli.audit_cmd:app",
        "Journal d'audit : qui a décidé quoi; chaque entrée est scellée avec BALISE_SECRET_KEY, pour qu'une "
        "retouche se voie.",
    ),
    "policy": Entry("balise.cli.policy:app", "La politique de publication (ROEQ et balises de l'organisme)."),
    "gate": Entry("balise.cli.gate:app", "La barrière de conformité et ce que l'organisme lui apprend."),
    "accounts": Entry("balise.cli.accounts:app", "Les comptes Facebook et X de l'organisme."),
    "people": Entry(
        "balise.cli.people:app", "Personnes qui peuvent apparaître sur les photos (registre des consentements)."
    ),
    "consent": Entry("balise.cli.consent:app", "Consentements photo : enregistrer, retirer, lister."),
    "photo": Entry("balise.cli.photo:app", "Photos des publications : qui y apparaît."),
    "calendar": Entry("balise.cli.calendar:app", "Le calendrier des publications prévues."),
    "metrics": Entry("balise.cli.metrics:app", "Mentions J'aime, abonnés et réactions aux publications."),
    "comments": Entry(
        "balise.cli.comments:app",
        "Commentaires sur vos publications : les urgents d'abord, répondre, masquer, supprimer.",
    ),
    "meeting": Entry(
        "balise.cli.meeting:meeting_command",
        "Le point « médias sociaux » de la réunion d'équipe, que la politique demande à chaque réunion.",
    ),
    "signoff": Entry(
        "balise.cli.serve:signoff_app", "La deuxième approbation par courriel : rappels aux approbateur·trice·s."
    ),
}


class _Commands(LazyGroup):
    entries = COMMANDS


app = typer.Typer(
    name="balise",
    cls=_Commands,
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


def _print_version(asked: bool) -> None:
    """`balise --version`: from the installed package's metadata, before any command is loaded."""
    if asked:
        print(f"balise {version('balise')}")
        raise typer.Exit()


@app.callback()
def _global(
    org: Annotated[str | None, typer.Option("--org", help="L'organisme visé (son identifiant court).")] = None,
    _version: Annotated[
        bool, typer.Option("--version", help="Afficher la version de balise.", callback=_print_version, is_eager=True)
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
