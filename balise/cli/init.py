"""`balise init`: a guided first setup (organization, first administrator, secret key)."""

from __future__ import annotations

import re
import secrets
import sys
import tomllib
import unicodedata
from typing import Annotated

import typer

from balise.cli import output
from balise.errors import InvalidInput
from balise.i18n import t
from balise.private import write_private

YES = ("o", "oui", "y", "yes")


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "organisme"


def _store_secret_key() -> None:
    """Generate BALISE_SECRET_KEY once, in the config file (never in the database)."""
    from balise.config import config_path, get_settings, reset_settings

    if get_settings().secret_key:
        return
    path = config_path()
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if "secret_key" in tomllib.loads(existing or ""):
        return
    # Created 0600 before the key is in it: no moment when another account could read it.
    write_private(path, (existing + f'\nsecret_key = "{secrets.token_urlsafe(32)}"\n').encode("utf-8"))
    reset_settings()


def _another_wanted(existing: str, slug: str) -> bool:
    """Whether to create one more organization beside `existing`: asked at a terminal (default
    no); a script that means it says `--new-org`, else it is refused, nothing written."""
    if not sys.stdin.isatty():
        raise InvalidInput("cli.init_exists", name=existing, slug=slug)
    answer = typer.prompt(t("cli.init_another", name=existing), default=t("cli.init_no"))
    return answer.strip().lower() in YES


def init_command(
    name: Annotated[str | None, typer.Option("--name", help="Nom de l'organisme.")] = None,
    admin: Annotated[str | None, typer.Option("--admin", help="Nom de la première personne administratrice.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Son courriel.")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="Fuseau horaire (America/Toronto par défaut).")
    ] = None,
    new_org: Annotated[
        bool, typer.Option("--new-org", help="Créer un autre organisme quand il en existe déjà un, sans question.")
    ] = False,
) -> None:
    """Prépare balise pour votre organisme : nom, fuseau horaire, première personne administratrice.

    Sans options, balise pose les questions une à une. Quand un organisme existe déjà, balise
    demande s'il faut en créer un autre (non par défaut); un script le dit avec --new-org.

    Exemples :

      balise init

      balise init --name "ESPACE Exemple" --admin "Julie Gagnon" --email julie@espace-exemple.org

      balise init --new-org --name "ESPACE Nord" --admin "Luc Bouchard" --email luc@espace-nord.org
    """
    from balise.config import config_path, get_settings
    from balise.db import read_scope, session_scope
    from balise.organizations import add_member, create_organization, own_organization

    with read_scope() as session:
        existing = own_organization(session)
        first = (existing.name, existing.slug) if existing else None
    if first and not new_org and not _another_wanted(*first):
        output.console.print(t("cli.init_kept", name=first[0]))
        return
    settings = get_settings()
    name = (name or typer.prompt(t("cli.init_name"))).strip()
    if not name:
        raise InvalidInput("cli.init_empty_name")
    zone = timezone or (
        typer.prompt(t("cli.init_zone"), default=settings.timezone) if admin is None else settings.timezone
    )
    admin = admin or typer.prompt(t("cli.init_admin"))
    email = email or typer.prompt(t("cli.init_email"))
    from balise.timeparse import known_zone

    if known_zone(zone) is None:
        raise InvalidInput("cli.init_bad_zone", zone=zone)
    with session_scope() as session:
        org = create_organization(session, slug=_slug(name), name=name, timezone=zone)
        add_member(session, org, name=admin, email=email, role="admin", actor=admin)
        slug = org.slug
    _store_secret_key()
    output.ok(t("cli.init_done", name=name, admin=admin, config=config_path()))
    if first:
        output.console.print(t("cli.init_next_other", default=first[0], name=name, slug=slug))
    else:
        output.console.print(t("cli.init_next", admin=admin))
