"""`balise org`: the organization's own settings (today: whether login is required)."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, org_session
from balise.i18n import t

app = typer.Typer(help="Réglages de l'organisme.", no_args_is_help=True)


@app.command("show")
def show(json_: JsonOption = False) -> None:
    """Affiche les réglages de l'organisme, dont l'exigence de connexion (balise login).

    Exemples :

      balise org show

      balise --org espace-exemple org show --json
    """
    from balise.organizations import login_required

    with org_session() as (_, org):
        row = {
            "slug": org.slug, "name": org.name, "timezone": org.timezone,
            "required_signoffs": org.required_signoffs, "require_login": login_required(org),
            "require_login_source": "org" if org.require_login is not None else "default",
        }  # fmt: skip
    if json_:
        output.print_json(row)
        return
    output.console.print(t("login.org_show", name=row["name"], slug=row["slug"], zone=row["timezone"]))
    output.console.print(t("login.org_signoffs", count=row["required_signoffs"]))
    state = t("login.state_on" if row["require_login"] else "login.state_off")
    output.console.print(t(f"login.org_require_{row['require_login_source']}", state=state))


@app.command("set")
def set_(
    require_login: Annotated[
        str,
        typer.Option(
            "--require-login",
            help="on : approuver, passer outre, retirer, retirer un consentement et changer les membres "
            "demandent la personne connectée (balise login); off : --as suffit; default : on si le courriel "
            "est configuré (BALISE_SMTP_URL).",
        ),
    ],
    as_: AsOption = None,
) -> None:
    """Change un réglage de l'organisme (personne administratrice, connectée si l'organisme l'exige).

    Exemples :

      balise org set --require-login on --as "Chantal Roy"

      balise org set --require-login default
    """
    from balise.organizations import login_switch, set_require_login

    value = login_switch(require_login)
    with org_session() as (session, org):
        required = set_require_login(session, org, acting_member(session, org, as_, guarded=True), value)
    output.ok(t("login.org_set_on" if required else "login.org_set_off"))
