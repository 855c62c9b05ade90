"""`balise serve` and `balise signoff remind`: the email channel of the second sign-off."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import after_commit
from balise.i18n import t

signoff_app = typer.Typer(
    help="La deuxième approbation par courriel : rappels aux approbateur·trice·s.", no_args_is_help=True
)


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="L'adresse où écouter : 127.0.0.1 (cet ordinateur seulement) ou 0.0.0.0 (derrière un serveur HTTPS).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Le port où écouter.")] = 8000,
) -> None:
    """Lance l'application web d'approbation : les liens envoyés par courriel y mènent.

    Ouvrir un lien montre la publication et ne décide rien; seul le bouton de la page approuve ou refuse.

    Les liens des courriels commencent par BALISE_PUBLIC_URL : mettez-y l'adresse où les gens
    joignent cette application (par exemple https://balise.mon-organisme.org).

    Elle sert aussi le calendrier des publications à son adresse secrète (voir : balise calendar url).

    Exemples :

      balise serve

      balise serve --host 0.0.0.0 --port 8080
    """
    from balise.config import get_settings
    from balise.web.server import make_server

    server = make_server(host, port)
    output.ok(t("web.serving", url=f"http://{host}:{port}", public=get_settings().public_url))
    server.run()


HOURS_IN_A_YEAR = 24 * 366  # past it nothing waits for sign-off any more, and a far larger one overflows the date


@signoff_app.command("remind")
def remind_command(
    after: Annotated[
        float,
        typer.Option(
            "--after",
            min=0,
            max=HOURS_IN_A_YEAR,
            help="Rappeler ce qui attend depuis plus de tant d'heures (au plus un an).",
        ),
    ] = 24,
) -> None:
    """Rappelle aux approbateur·trice·s ce qui attend leur approbation depuis trop longtemps.

    Un seul rappel par version de publication et par personne : lancez-la aussi souvent que vous voulez.

    « balise tick », la ligne cron, rappelle déjà ce qui attend depuis 24 heures.

    Exemples :

      balise signoff remind

      balise signoff remind --after 4    (rappeler dès 4 heures d'attente)
    """
    from balise.db import session_scope
    from balise.notify import remind_waiting

    with session_scope() as session:
        sent = remind_waiting(session, timedelta(hours=after))
    after_commit()
    output.ok(t("web.reminders_sent", count=sent))
