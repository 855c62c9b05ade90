"""`balise audit`: the tamper-evident history of who did what."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import org_session
from balise.i18n import t

app = typer.Typer(help="Journal d'audit : historique inviolable des décisions.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Vérifie que personne n'a modifié, supprimé ou inséré d'entrée à la main dans le journal.

    Exemple :

      balise audit verify
    """
    from balise import audit

    with org_session() as (session, org):
        breaks = audit.verify(session, org.id or 0)
    if not breaks:
        output.ok(t("cli.audit_ok"))
        return
    for item in breaks:
        output.error(t("cli.audit_" + item.problem, event_id=item.event_id))
    raise typer.Exit(1)


@app.command("show")
def show(post_id: Annotated[int, typer.Argument(help="Le numéro de la publication.")]) -> None:
    """Toute l'histoire d'une publication : qui, quand, par quel moyen, de quel état à quel état, pourquoi.

    Exemple :

      balise audit show 12
    """
    from rich.table import Table

    from balise import audit
    from balise.organizations import org_zone
    from balise.posts import get_post
    from balise.timeparse import local_text

    with org_session() as (session, org):
        get_post(session, org, post_id)
        events = audit.history(session, post_id)
        zone = org_zone(org)
    table = Table("Quand", "Qui", "Moyen", "Action", "De", "À", "Motif")
    for e in events:
        table.add_row(
            local_text(e.created_at, zone), e.actor, e.channel, e.action,
            t("labels." + e.from_state) if e.from_state else "", t("labels." + e.to_state) if e.to_state else "",
            e.reason or "",
        )  # fmt: skip
    output.console.print(table)
