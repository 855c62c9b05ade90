"""What every command shares: the organization, the acting member, options and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import typer
from sqlmodel import Session

from balise.config import get_settings
from balise.db import session_scope
from balise.models import Member, Organization
from balise.organizations import current_organization, find_member


@dataclass
class GlobalOptions:
    org: str | None = None


GLOBAL = GlobalOptions()

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Qui agit (nom d'un membre). Par défaut : la variable BALISE_USER.", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Sortie JSON pour les scripts.")]


@contextmanager
def org_session() -> Iterator[tuple[Session, Organization]]:
    """A transaction on the current organization (from `--org`, else the default one)."""
    with session_scope() as session:
        yield session, current_organization(session, GLOBAL.org)


def acting_member(session: Session, org: Organization, as_name: str | None) -> Member:
    return find_member(session, org, as_name or get_settings().user)


def enqueue_quietly(action: str, enqueue: object, *args: object) -> None:
    """Enqueue after the commit; if Redis is unreachable the database still holds the work."""
    from balise.cli import output
    from balise.errors import BaliseError
    from balise.i18n import t

    try:
        enqueue(*args)  # type: ignore[operator]
    except (BaliseError, OSError) as exc:
        output.warn(t("cli.enqueue_later", action=action, detail=str(exc)))
