"""`balise calendar`: the planned posts as an iCalendar file, or the coming weeks on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, org_session
from balise.i18n import day_label, t

app = typer.Typer(help="Le calendrier des publications prévues.", no_args_is_help=True)


@app.command("export")
def export(
    output_path: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Le fichier .ics à écrire. Par défaut : calendrier-<organisme>.ics dans le dossier de données.",
            metavar="FICHIER.ics",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Écrit le calendrier des publications prévues (fichier .ics) pour Outlook, Google Agenda ou un téléphone.

    Une entrée par publication, à son heure prévue, avec son texte, ses plateformes et son état.

    Exemples :

      balise calendar export

      balise calendar export --output ~/Bureau/publications.ics
    """
    from balise.calendar_feed import calendar_entries, calendar_ics
    from balise.config import get_settings
    from balise.report import write_outputs

    with org_session() as (session, org):
        feed = calendar_ics(session, org)
        count = len(calendar_entries(session, org))
        path = output_path or get_settings().data_path / f"calendrier-{org.slug}.ics"
    write_outputs({path: feed}, private={path} if output_path is None else ())
    output.ok(t("calendar.written", path=path, count=count))


@app.command("show")
def show(
    weeks: Annotated[
        int, typer.Option("--weeks", "-w", help="Combien de semaines afficher, à partir d'aujourd'hui.")
    ] = 4,
) -> None:
    """Affiche les publications des prochaines semaines, jour par jour, à l'heure de l'organisme.

    Exemples :

      balise calendar show

      balise calendar show --weeks 8
    """
    from balise.calendar_feed import upcoming_days
    from balise.errors import InvalidInput
    from balise.organizations import org_zone

    if not 1 <= weeks <= 52:
        raise InvalidInput("calendar.bad_weeks", weeks=weeks)
    with org_session() as (session, org):
        zone = org_zone(org)
        days = upcoming_days(session, org, weeks)
    if not days:
        output.console.print(t("calendar.nothing_ahead", weeks=weeks))
        return
    for day, entries in days:
        output.console.print(f"\n[bold]{day_label(day)}[/bold]")
        for entry in entries:
            when = entry.post.scheduled_at.astimezone(zone).strftime("%H:%M")
            state = t("labels." + entry.post.state)
            output.console.print(
                f"  {when}  {', '.join(entry.platforms):<18} {state:<26} n° {entry.post.id}  {entry.summary()}",
                soft_wrap=True,
            )


@app.command("url")
def url(
    new: Annotated[
        bool, typer.Option("--new", help="Remplace l'adresse : l'ancienne cesse de fonctionner (approver ou admin).")
    ] = False,
    as_: AsOption = None,
) -> None:
    """Donne l'adresse secrète du calendrier, pour s'y abonner dans Outlook ou Google Agenda.

    « balise serve » sert le calendrier à cette adresse; il se met à jour tout seul chez
    chaque personne abonnée. Quiconque a l'adresse voit les publications prévues : si elle a
    circulé trop loin, remplacez-la avec --new.

    Exemples :

      balise calendar url

      balise calendar url --new --as Julie
    """
    from balise.config import get_settings
    from balise.organizations import new_calendar_address
    from balise.web.links import calendar_url
    from balise.web.readiness import only_this_computer

    with org_session() as (session, org):
        if new:
            new_calendar_address(session, org, acting_member(session, org, as_))
        address = calendar_url(org)
    print(address)  # alone on stdout, for scripts
    output.err_console.print(t("calendar.subscribe_hint"), soft_wrap=True)
    if only_this_computer(get_settings().public_url):
        output.warn(t("calendar.address_only_here"))
