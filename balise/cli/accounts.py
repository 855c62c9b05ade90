"""`balise accounts check`: whether each configured platform account works, and why not."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from balise.cli import output
from balise.cli.common import GLOBAL, JsonOption
from balise.errors import ConfigError, NotFound
from balise.i18n import t
from balise.platforms import PUBLIC
from balise.timeparse import local_iso, local_text

if TYPE_CHECKING:
    from balise.config import AccountOwner, Settings
    from balise.publisher.base import CredentialReport

app = typer.Typer(help="Les comptes Facebook et X de l'organisme.", no_args_is_help=True)


def check_accounts(owner: AccountOwner, settings: Settings) -> dict[str, CredentialReport | None]:
    """Each platform's credential check for `owner`; None where it has no account configured."""
    from balise.publisher.registry import FACTORIES, get_platform

    reports: dict[str, CredentialReport | None] = {}
    for name in FACTORIES:
        try:
            adapter = get_platform(owner, name, settings)
        except ConfigError:
            reports[name] = None
            continue
        reports[name] = adapter.check_credentials()
    return reports


@app.command("check")
def check_command(json_: JsonOption = False) -> None:
    """Vérifie que les comptes configurés fonctionnent : compte, permissions, expiration du jeton.

    Vérifie les comptes de l'organisme choisi avec --org (ceux de sa table [organizations.…] du
    fichier de configuration), sinon ceux de l'organisme par défaut. Nomme les comptes qui
    fonctionnent, et dit pour chaque compte non configuré quelles clés ajouter. Quitte avec un code
    non nul si un compte configuré ne fonctionne pas, ou si aucun compte (Facebook, X) n'est
    configuré (pour un script ou un outil de surveillance). Les secrets ne sont jamais affichés.

    Exemples :

      balise accounts check

      balise --org espace-nord accounts check

      balise accounts check --json
    """
    from balise.config import account_not_configured, get_settings

    settings = get_settings()
    owner = _owner()
    reports = check_accounts(owner, settings)
    failed = any(r is not None and not r.ok for r in reports.values())
    none_configured = all(reports[name] is None for name in PUBLIC)
    if json_:
        accounts = []
        for name, report in reports.items():
            entry = {"platform": name, "configured": report is not None}
            if report is None:
                entry["problem"] = account_not_configured(owner, name).message()
            else:
                entry |= asdict(report)
                entry["expires_at"] = (
                    local_iso(report.expires_at, settings.zone) if report.expires_at else None
                )
            accounts.append(entry)
        ok = not (failed or none_configured)
        output.print_json({"ok": ok, "organization": owner.slug or None, "accounts": accounts})
    else:
        _print_table(owner, reports, settings)
    if failed or none_configured:
        raise typer.Exit(1)


def _owner() -> AccountOwner:
    """`--org`'s organization, else the default one; before `balise init`, the environment's accounts."""
    from balise.config import AccountOwner
    from balise.db import read_scope
    from balise.organizations import account_owner, current_organization

    with read_scope() as session:
        try:
            org = current_organization(session, GLOBAL.org)
        except NotFound:
            if GLOBAL.org:
                raise
            return AccountOwner(slug="", name="", default=True)
        return account_owner(session, org)


def _print_table(owner: AccountOwner, reports: dict[str, CredentialReport | None], settings: Settings) -> None:
    from balise.config import account_not_configured

    title = t("publisher.accounts_title_of", org=owner.name) if owner.name else t("publisher.accounts_title")
    table = Table(
        t("publisher.accounts_platform"),
        t("publisher.accounts_state"),
        t("publisher.accounts_account"),
        t("publisher.accounts_permissions"),
        t("publisher.accounts_missing"),
        t("publisher.accounts_expires"),
        title=title,
    )
    for name, report in reports.items():
        if report is None:
            table.add_row(name, f"[dim]{t('publisher.accounts_not_configured')}[/dim]")
            continue
        state = "[green]✓ {}[/green]" if report.ok else "[bold red]✗ {}[/bold red]"
        missing = ", ".join(report.missing_permissions)
        expires = report.expires_at
        table.add_row(
            name,
            state.format(t("publisher.accounts_ok" if report.ok else "publisher.accounts_failed")),
            report.account or "—",
            ", ".join(report.permissions) or "—",
            f"[red]{missing}[/red]" if missing else t("publisher.accounts_none"),
            local_text(expires, settings.zone) if expires else t("publisher.accounts_never"),
        )
    output.console.print(table)
    problems = [(name, r.problem) for name, r in reports.items() if r is not None and r.problem]
    for name, problem in problems:
        output.error(f"{name} — {problem}")
    unconfigured = [name for name in PUBLIC if reports[name] is None]
    for name in unconfigured:
        output.warn(account_not_configured(owner, name).message())
    working = [t(f"platforms.{name}") for name in PUBLIC if (report := reports[name]) is not None and report.ok]
    if problems:
        output.warn(t("publisher.accounts_some_failed"))
    elif not working:
        names = ", ".join(t(f"platforms.{name}") for name in unconfigured)
        output.error(t("publisher.accounts_none_configured", names=names))
    else:
        output.ok(t("publisher.accounts_working", names=", ".join(working)))
