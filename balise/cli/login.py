"""`balise login`, `logout` and `whoami`: who acts on this account, proven by a mailed code."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import GLOBAL, AsOption, JsonOption
from balise.cli.help_lang import help_text
from balise.i18n import t


def login_command(
    email: Annotated[str | None, typer.Argument(help=help_text("login.email"), show_default=False)] = None,
    code: Annotated[str | None, typer.Option("--code", help=help_text("login.code"))] = None,
    as_: AsOption = None,
) -> None:
    from balise.config import get_settings
    from balise.login import WrongCode, log_in, send_code
    from balise.organizations import org_zone
    from balise.timeparse import local_text

    who = email or as_ or get_settings().user
    if code is None:
        member = send_code(GLOBAL.org, who)
        output.ok(t("login.code_sent", email=member.email))
        if not sys.stdin.isatty():
            output.console.print(t("login.code_next", name=member.name))
            return
        who = member.name
    while True:
        try:
            org, grant = log_in(GLOBAL.org, who, code if code is not None else typer.prompt(t("login.prompt")))
            break
        except WrongCode as exc:
            if code is not None or not exc.left:
                raise
            output.warn(exc.message())
    until = local_text(grant.expires_at, org_zone(org))
    output.ok(t("login.welcome", name=grant.name, org=org.name, until=until))


def logout_command() -> None:
    from balise.login import log_out

    output.ok(t("login.logged_out" if log_out() else "login.was_not_logged_in"))


def whoami_command(json_: JsonOption = False) -> None:
    from balise.db import read_scope
    from balise.login import logged_in
    from balise.organizations import login_required, org_zone
    from balise.timeparse import local_iso, local_text

    with read_scope() as session:
        org, member, grant = logged_in(session)
    if json_:
        output.print_json({
            "name": member.name, "email": member.email, "role": member.role, "org": org.slug,
            "expires_at": local_iso(grant.expires_at, org_zone(org)), "login_required": login_required(org),
        })  # fmt: skip
        return
    until = local_text(grant.expires_at, org_zone(org))
    shown = t("login.whoami", name=member.name, email=member.email, role=member.role, org=org.name, until=until)
    output.console.print(shown)
