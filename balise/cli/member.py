"""`balise member`: the people of the organization and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import JsonOption, org_session
from balise.i18n import t

app = typer.Typer(help="Membres de l'organisme et leurs rôles (author, approver, admin).", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Nom complet du membre.")],
    email: Annotated[str, typer.Option("--email", help="Son adresse courriel (pour les approbations).")],
    role: Annotated[str, typer.Option("--role", help="Rôle : author, approver ou admin.")] = "author",
) -> None:
    """Ajoute un membre.

    Exemples :

      balise member add "Marie Tremblay" --email marie@espace-exemple.org --role author

      balise member add "Julie Gagnon" --email julie@espace-exemple.org --role approver
    """
    from balise.config import get_settings
    from balise.organizations import add_member

    with org_session() as (session, org):
        add_member(session, org, name=name, email=email, role=role, actor=get_settings().user or "balise")
    output.ok(t("cli.member_added", name=name, role=role))


@app.command("list")
def list_(json_: JsonOption = False) -> None:
    """Liste les membres.

    Exemple :

      balise member list
    """
    from rich.table import Table

    from balise.organizations import members

    with org_session() as (session, org):
        rows = [{"name": m.name, "email": m.email, "role": m.role} for m in members(session, org)]
    if json_:
        output.print_json(rows)
        return
    table = Table("Nom", "Courriel", "Rôle")
    for row in rows:
        table.add_row(row["name"], row["email"], row["role"])
    output.console.print(table)
