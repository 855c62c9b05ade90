"""`balise member`: the people of the organization and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, member_manager, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

app = typer.Typer(help=help_text("member.help"), no_args_is_help=True)


MemberName = Annotated[str, typer.Argument(help=help_text("member.member_name"))]

ROLE_NAMES = help_text("member.roles")


@app.command("add", help=help_text("member.add.help"))
def add(
    name: MemberName,
    email: Annotated[str, typer.Option("--email", help=help_text("member.add.email"))],
    role: Annotated[str, typer.Option("--role", help=help_text("member.add.role", roles=ROLE_NAMES))] = "author",
    as_: AsOption = None,
) -> None:
    from balise.organizations import add_member

    with org_session() as (session, org):
        added = add_member(session, org, name=name, email=email, role=role, actor=member_manager(session, org, as_))
        role = added.role
    output.ok(t("cli.member_added", name=name, role=role))


@app.command("role", help=help_text("member.role.help"))
def role_(
    name: MemberName,
    role: Annotated[str, typer.Argument(help=help_text("member.role.role", roles=ROLE_NAMES))],
    as_: AsOption = None,
) -> None:
    from balise.organizations import set_role

    with org_session() as (session, org):
        role = set_role(session, org, name, role, actor=member_manager(session, org, as_)).role
    output.ok(t("cli.member_role_changed", name=name, role=role))


@app.command("rename", help=help_text("member.rename.help"))
def rename(
    name: MemberName,
    new_name: Annotated[str, typer.Argument(help=help_text("member.rename.new_name"))],
    as_: AsOption = None,
) -> None:
    from balise.organizations import rename_member

    with org_session() as (session, org):
        member = rename_member(session, org, name, new_name, actor=member_manager(session, org, as_))
        renamed = member.name
    output.ok(t("cli.member_renamed", name=name, new_name=renamed))


@app.command("remove", help=help_text("member.remove.help"))
def remove(name: MemberName, as_: AsOption = None) -> None:
    from balise.organizations import remove_member

    with org_session() as (session, org):
        remove_member(session, org, name, actor=member_manager(session, org, as_))
    output.ok(t("cli.member_removed", name=name))


@app.command("list", help=help_text("member.list.help"))
def list_(json_: JsonOption = False) -> None:
    from balise.organizations import members

    with org_session() as (session, org):
        rows = [{"name": m.name, "email": m.email, "role": m.role} for m in members(session, org)]
    if json_:
        output.print_json(rows)
        return
    table = output.table("name", "email", "role")
    for row in rows:
        table.add_row(row["name"], row["email"], row["role"])
    output.console.print(table)
