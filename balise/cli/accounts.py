"""`balise accounts check`: whether each configured platform account works, and why not."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from balise.cli import output
from balise.cli.common import GLOBAL, JsonOption
from balise.cli.help_lang import help_text
from balise.errors import ConfigError, InvalidInput, NotFound
from balise.i18n import t
from balise.platforms import PUBLIC
from balise.timeparse import local_iso, local_text

if TYPE_CHECKING:
    from balise.accounts import Page
    from balise.config import AccountOwner, Settings
    from balise.publisher.base import CredentialReport

app = typer.Typer(help=help_text("accounts.help"), no_args_is_help=True)
connect_app = typer.Typer(help=help_text("accounts.connect.help"), no_args_is_help=True)
app.add_typer(connect_app, name="connect")


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


@app.command("check", help=help_text("accounts.check.help"))
def check_command(json_: JsonOption = False) -> None:
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
                entry["expires_at"] = local_iso(report.expires_at, settings.zone) if report.expires_at else None
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


@connect_app.command("facebook", help=help_text("accounts.connect.facebook.help"))
def connect_facebook_command(
    user_token: Annotated[
        str | None,
        typer.Option("--user-token", help=help_text("accounts.connect.facebook.user_token")),
    ] = None,
    page: Annotated[str | None, typer.Option("--page", help=help_text("accounts.connect.facebook.page"))] = None,
) -> None:
    connect_facebook(_owner(), user_token, page)


def connect_facebook(owner: AccountOwner, user_token: str | None, page: str | None) -> None:
    """The Facebook dialogue for `owner` (`balise init` offers it for the organization it made)."""
    from balise.accounts import facebook_pages
    from balise.config import config_path, get_settings, store_account

    settings = get_settings()
    if not (settings.facebook_app_id and settings.facebook_app_secret):
        raise ConfigError("publisher.connect_facebook_no_app", path=config_path())
    if user_token is None:
        output.console.print(t("publisher.connect_facebook_guide", path=config_path()))
        user_token = typer.prompt(t("publisher.connect_facebook_token_prompt"), hide_input=True)
    user_token = user_token.strip()
    if not user_token:
        raise InvalidInput("publisher.connect_empty_token")
    pages = facebook_pages(
        user_token,
        settings.facebook_app_id,
        settings.facebook_app_secret,
        graph_url=settings.facebook_graph_url,
        version=settings.facebook_graph_version,
        timeout=(5.0, settings.http_timeout),
    )
    chosen = _chosen_page(pages, page)
    path = store_account(owner, "facebook", {"page_id": chosen.id, "page_token": chosen.token}, settings)
    output.ok(t("publisher.connect_facebook_done", page=chosen.name, path=path))


def _chosen_page(pages: list[Page], wanted: str | None) -> Page:
    """The Page named by `--page` (its id or its name), the only one, or the one picked from a list."""
    if not pages:
        raise InvalidInput("publisher.connect_facebook_no_page")
    listing = "\n".join(f"  {n}. {p.name} ({p.id})" for n, p in enumerate(pages, 1))
    if wanted is not None:
        key = wanted.strip().casefold()
        for candidate in pages:
            if key in (candidate.id, candidate.name.casefold()):
                return candidate
        raise InvalidInput("publisher.connect_facebook_unknown_page", page=wanted, pages=listing)
    if len(pages) == 1:
        return pages[0]
    output.console.print(t("publisher.connect_facebook_pages", pages=listing))
    answer = typer.prompt(t("publisher.connect_facebook_choose"), default="1").strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(pages):
        raise InvalidInput("publisher.connect_facebook_unknown_page", page=answer, pages=listing)
    return pages[int(answer) - 1]


@connect_app.command("x", help=help_text("accounts.connect.x.help"))
def connect_x_command(
    pin: Annotated[str | None, typer.Option("--pin", help=help_text("accounts.connect.x.pin"))] = None,
) -> None:
    connect_x(_owner(), pin)


connect_app.command("twitter", hidden=True, help=help_text("accounts.connect.x.help"))(
    connect_x_command
)  # the design accepts `twitter` as X's name


def connect_x(owner: AccountOwner, pin: str | None) -> None:
    """X's PIN dialogue for `owner` (`balise init` offers it for the organization it made)."""
    from balise.accounts import XPinFlow
    from balise.config import config_path, get_settings, store_account

    settings = get_settings()
    own = settings.accounts(owner).x
    api_key = settings.x_api_key or (own.api_key if own else None)
    api_secret = settings.x_api_secret or (own.api_secret if own else None)
    if not (api_key and api_secret):
        raise ConfigError("publisher.connect_x_no_app", path=config_path())
    flow = XPinFlow(api_key, api_secret, api_url=settings.x_api_url)
    output.console.print(t("publisher.connect_x_guide", url=flow.start()), soft_wrap=True)
    pin = (pin if pin is not None else typer.prompt(t("publisher.connect_x_pin_prompt"))).strip()
    if not pin:
        raise InvalidInput("publisher.connect_empty_pin")
    token, secret = flow.finish(pin)
    values = {"api_key": api_key, "api_secret": api_secret, "access_token": token, "access_secret": secret}
    if not owner.slug:  # before `balise init`: the app's keys are already where they were found
        values = {"access_token": token, "access_secret": secret}
    path = store_account(owner, "x", values, settings)
    output.ok(t("publisher.connect_x_done", path=path))
