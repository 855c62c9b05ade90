"""`balise report`: the activity report for a period, as one HTML file (and its figures as CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli.common import org_session

FromOption = Annotated[
    str, typer.Option("--from", help="Premier jour de la période, AAAA-MM-JJ.", metavar="DATE", show_default=False)
]
ToOption = Annotated[
    str,
    typer.Option("--to", help="Dernier jour de la période (inclus), AAAA-MM-JJ.", metavar="DATE", show_default=False),
]


def report_command(
    first: FromOption,
    last: ToOption,
    output_path: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Le fichier HTML à écrire. Par défaut : reports/rapport-DÉBUT-FIN.html, dans le dossier de données.",
            metavar="FICHIER.html",
            show_default=False,
        ),
    ] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Écrire aussi les chiffres dans ce fichier CSV (pour Excel).", metavar="FICHIER.csv"
        ),
    ] = None,
) -> None:
    """Écrit le rapport d'activités d'une période : un seul fichier HTML, graphiques compris, à ouvrir ou imprimer.

    Contenu : abonnés et mentions J'aime, publications par mois et par sujet, publications les plus populaires.

    Aussi : brouillons refusés par la vérification, par raison, et délais d'approbation.

    La commande affiche le chemin du fichier écrit.

    Les chiffres viennent des relevés de « balise metrics collect » (chaque jour, par cron).

    Exemples :

      balise report --from 2026-04-01 --to 2027-03-31

      balise report --from 2026-04-01 --to 2027-03-31 --output rapport-2026-2027.html --csv chiffres.csv
    """
    from balise.config import get_settings
    from balise.organizations import org_zone
    from balise.private import private_dir
    from balise.report import default_path, gather, parse_period, render_csv, render_html, write_outputs

    with org_session() as (session, org):
        period = parse_period(first, last, org_zone(org))
        data = gather(session, org, period)
    html_path = output_path or default_path(get_settings().data_path, period)
    if output_path is None:
        private_dir(html_path.parent)
    files = {html_path: render_html(data).encode("utf-8")}
    if csv_path is not None:
        files[csv_path] = render_csv(data)
    write_outputs(files, private={html_path} if output_path is None else ())
    for path in files:
        print(path)  # the contract (shared/DESIGN.md): the command prints the path it wrote
