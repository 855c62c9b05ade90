"""`balise policy show | check`: read the effective policy, validate an organization's file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.check import PolicyOption, read_policy
from balise.i18n import t

app = typer.Typer(
    help="La politique de publication (ROEQ et balises de l'organisme).", no_args_is_help=True
)


@app.command("show")
def show(policy: PolicyOption = None) -> None:
    """Affiche la politique effective : celle du ROEQ, complétée par le fichier de l'organisme.

    Exemples :

      balise policy show

      balise policy show --policy balises-organisme.toml > politique-effective.toml
    """
    effective = read_policy(policy)
    print(f"# {effective.version}")
    print(effective.to_toml())


@app.command("check")
def check(
    file: Annotated[
        Path, typer.Argument(help="Le fichier de l'organisme (TOML) à valider.", show_default=False)
    ],
) -> None:
    """Valide le fichier de balises d'un organisme; en cas d'erreur, dit quelle clé, quelle ligne.

    Exemples :

      balise policy check balises-organisme.toml

    Contenu possible du fichier :

      \\[organization]
      phone = "819 555-1234"

      \\[codes.PERSONAL_INFO.add]
      persons = ["Ginette", "notre cuisinière"]
    """
    effective = read_policy(file)
    output.ok(t("compliance.policy_ok", path=file, version=effective.version))
