"""`balise org`: the organization's own settings (today: whether login is required)."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

app = typer.Typer(help=help_text("org.help"), no_args_is_help=True)


@app.command("show", help=help_text("org.show.help"))
def show(json_: JsonOption = False) -> None:
    from balise.organizations import login_required

    with org_session() as (_, org):
        row = {
            "slug": org.slug, "name": org.name, "timezone": org.timezone,
            "required_signoffs": org.required_signoffs, "require_login": login_required(org), "phone": org.phone,
            "require_login_source": "org" if org.require_login is not None else "default",
        }  # fmt: skip
    if json_:
        output.print_json(row)
        return
    output.console.print(t("login.org_show", name=row["name"], slug=row["slug"], zone=row["timezone"]))
    output.console.print(t("login.org_signoffs", count=row["required_signoffs"]))
    state = t("login.state_on" if row["require_login"] else "login.state_off")
    output.console.print(t(f"login.org_require_{row['require_login_source']}", state=state))
    output.console.print(t("orgs.phone_show", phone=row["phone"] or t("orgs.phone_none")))


@app.command("set", help=help_text("org.set.help"))
def set_(
    require_login: Annotated[
        str | None,
        typer.Option(
            "--require-login",
            help=help_text("org.set.require_login"),
        ),
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(
            "--phone",
            help=help_text("org.set.phone"),
        ),
    ] = None,
    as_: AsOption = None,
) -> None:
    from balise.errors import InvalidInput
    from balise.organizations import login_switch, set_phone, set_require_login

    if require_login is None and phone is None:
        raise InvalidInput("orgs.nothing_to_set")
    value = login_switch(require_login) if require_login is not None else None
    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        required = set_require_login(session, org, member, value) if require_login is not None else None
        number = set_phone(session, org, member, phone) if phone is not None else None
    if required is not None:
        output.ok(t("login.org_set_on" if required else "login.org_set_off"))
    if number is not None:
        output.ok(t("orgs.phone_set", phone=number or t("orgs.phone_none")))
