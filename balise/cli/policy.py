"""`balise policy show | check`: read the effective policy, validate an organization's file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from balise.cli import output
from balise.cli.check import PolicyOption, read_policy, read_policy_text
from balise.cli.common import AsOption, acting_member, org_session
from balise.i18n import t

if TYPE_CHECKING:
    from balise.compliance.policy import Policy

app = typer.Typer(help="La politique de publication (ROEQ et balises de l'organisme).", no_args_is_help=True)


@app.command("show")
def show(policy: PolicyOption = None) -> None:
    """Affiche la politique effective : celle du ROEQ, complétée par les balises de l'organisme
    (celles installées avec « balise policy set », ou le fichier donné par --policy).

    Exemples :

      balise policy show

      balise policy show --policy balises-organisme.toml > politique-effective.toml
    """
    effective = read_policy(policy) if policy is not None else _installed()
    print(f"# {effective.version}")
    print(effective.to_toml())


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Le fichier de l'organisme (TOML) à valider.", show_default=False)],
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


def _installed() -> Policy:
    """The organization's installed policy; ROEQ's alone when balise has no organization yet."""
    from balise.compliance import load_policy
    from balise.errors import NotFound

    try:
        with org_session() as (_, org):
            return load_policy(org.policy_override)
    except NotFound:
        return load_policy()


@app.command("set")
def set_(
    file: Annotated[Path, typer.Argument(help="Le fichier de balises de l'organisme (TOML).", show_default=False)],
    as_: AsOption = None,
) -> None:
    """Installe les balises de l'organisme : la vérification des prochains brouillons les applique.

    Le fichier est validé d'abord; s'il contient une erreur, rien ne change.

    Réservé aux membres « approver » ou « admin »; le changement est inscrit au journal.

    Exemples :

      balise policy set balises-organisme.toml --as Julie

    Pour fixer la cadence et les heures calmes, par exemple :

      \\[frequency.facebook]
      min_per_week = 2
      max_per_week = 4

      \\[quiet_hours]
      start = "20:00"
      end = "08:00"
    """
    from balise.organizations import set_policy

    text = read_policy_text(file)
    with org_session() as (session, org):
        version = set_policy(session, org, acting_member(session, org, as_), text)
    output.ok(t("compliance.policy_set", path=file, version=version))


@app.command("clear")
def clear(as_: AsOption = None) -> None:
    """Retire les balises de l'organisme : seule la politique du ROEQ s'applique.

    Exemple :

      balise policy clear --as Julie
    """
    from balise.organizations import set_policy

    with org_session() as (session, org):
        version = set_policy(session, org, acting_member(session, org, as_), None)
    output.ok(t("compliance.policy_cleared", version=version))
