"""`balise member`: the people of the organization and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, member_manager, org_session
from balise.i18n import t

app = typer.Typer(help="Membres de l'organisme et leurs rôles (author, approver, admin).", no_args_is_help=True)


MemberName = Annotated[str, typer.Argument(help="Nom complet du membre.")]

ROLE_NAMES = "author, approver ou admin (ou en français : auteur·e, approbatrice, administrateur…)"


@app.command("add")
def add(
    name: MemberName,
    email: Annotated[str, typer.Option("--email", help="Son adresse courriel (pour les approbations).")],
    role: Annotated[str, typer.Option("--role", help=f"Rôle : {ROLE_NAMES}.")] = "author",
    as_: AsOption = None,
) -> None:
    """Ajoute un membre (par une personne administratrice, connectée si l'organisme l'exige).

    Exemples :

      balise member add "Marie Tremblay" --email marie@espace-exemple.org --role author

      balise member add "Julie Gagnon" --email julie@espace-exemple.org --role approver --as "Chantal Roy"
    """
    from balise.organizations import add_member

    with org_session() as (session, org):
        added = add_member(session, org, name=name, email=email, role=role, actor=member_manager(session, org, as_))
        role = added.role
    output.ok(t("cli.member_added", name=name, role=role))


@app.command("role")
def role_(
    name: MemberName,
    role: Annotated[str, typer.Argument(help=f"Le nouveau rôle : {ROLE_NAMES}.")],
    as_: AsOption = None,
) -> None:
    """Change le rôle d'un membre (par une personne administratrice, connectée si l'organisme l'exige).

    Exemple :

      balise member role "Marie Tremblay" approver --as "Chantal Roy"
    """
    from balise.organizations import set_role

    with org_session() as (session, org):
        role = set_role(session, org, name, role, actor=member_manager(session, org, as_)).role
    output.ok(t("cli.member_role_changed", name=name, role=role))


@app.command("rename")
def rename(
    name: MemberName,
    new_name: Annotated[str, typer.Argument(help="Son nouveau nom, unique dans l'organisme.")],
    as_: AsOption = None,
) -> None:
    """Renomme un membre (par une personne administratrice, connectée si l'organisme l'exige).

    Ses publications et approbations suivent; le journal garde l'ancien nom et ce changement.

    Exemple :

      balise member rename "Marie Tremblay" "Marie Tremblay-Roy" --as "Chantal Roy"
    """
    from balise.organizations import rename_member

    with org_session() as (session, org):
        member = rename_member(session, org, name, new_name, actor=member_manager(session, org, as_))
        renamed = member.name
    output.ok(t("cli.member_renamed", name=name, new_name=renamed))


@app.command("remove")
def remove(name: MemberName, as_: AsOption = None) -> None:
    """Retire un membre : il ne peut plus agir ni se connecter; son historique reste au journal.

    Exemple :

      balise member remove "Marie Tremblay" --as "Chantal Roy"
    """
    from balise.organizations import remove_member

    with org_session() as (session, org):
        remove_member(session, org, name, actor=member_manager(session, org, as_))
    output.ok(t("cli.member_removed", name=name))


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
