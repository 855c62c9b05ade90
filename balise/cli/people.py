"""`balise people`: the people who may appear in photos (the consent registry)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

app = typer.Typer(help=help_text("people.help"), no_args_is_help=True)
MinorOption = Annotated[bool, typer.Option("--minor", help=help_text("people.minor"))]
GuardianOption = Annotated[str | None, typer.Option("--guardian", help=help_text("people.guardian"))]
GuardianEmailOption = Annotated[str | None, typer.Option("--guardian-email", help=help_text("people.guardian_email"))]


@app.command("add", help=help_text("people.add.help"))
def add(
    name: Annotated[str, typer.Argument(help=help_text("people.add.name"))],
    minor: MinorOption = False,
    guardian: GuardianOption = None,
    guardian_email: GuardianEmailOption = None,
    as_: AsOption = None,
) -> None:
    from balise.consent import add_person

    with org_session() as (session, org):
        member = acting_member(session, org, as_)
        person = add_person(
            session, org, name=name, minor=minor, guardian=guardian, guardian_email=guardian_email, actor=member.name
        )
    if person.is_minor:
        output.ok(t("consent.person_added_minor", name=person.name, guardian=person.guardian_name))
    else:
        output.ok(t("consent.person_added", name=person.name))


@app.command("list", help=help_text("people.list.help"))
def list_(json_: JsonOption = False) -> None:
    from balise.consent import people

    with org_session() as (session, org):
        rows: list[dict[str, Any]] = [
            {"name": p.name, "minor": p.is_minor, "guardian": p.guardian_name, "guardian_email": p.guardian_email}
            for p in people(session, org)
        ]
    if json_:
        output.print_json(rows)
        return
    if not rows:
        output.console.print(t("consent.no_people"))
        return
    table = output.table("name", "minor", "guardian")
    for row in rows:
        table.add_row(row["name"], t("labels.yes") if row["minor"] else t("labels.no"), row["guardian"] or "")
    output.console.print(table)
