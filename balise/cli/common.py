"""What every command shares: the organization, the acting member, options and sessions.

CLI modules import the database and queue layers, the compliance gate and the platform clients
inside their commands, not at the top: `balise --help`, any command's `--help` and `balise check`
then start without loading SQLAlchemy, RQ, NumPy or tweepy (`balise.cli.lazy` says why;
tests/test_cli_startup.py holds it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from balise.cli.help_lang import help_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from balise.models import Member, Organization
    from balise.pipeline.after_commit import AfterCommit


@dataclass
class GlobalOptions:
    org: str | None = None


GLOBAL = GlobalOptions()

AsOption = Annotated[
    str | None,
    typer.Option("--as", help=help_text("options.as"), show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help=help_text("options.json"))]


@contextmanager
def org_session() -> Iterator[tuple[Session, Organization]]:
    """A transaction on the current organization (from `--org`, else the default one)."""
    from balise.db import session_scope
    from balise.organizations import current_organization

    with session_scope() as session:
        yield session, current_organization(session, GLOBAL.org)


def acting_member(session: Session, org: Organization, as_name: str | None, *, guarded: bool = False) -> Member:
    """Who acts: `--as`, else BALISE_USER, else the logged-in member. A `guarded` command (sign-off,
    override, retraction, consent withdrawal, member and organization changes) acts only as the
    logged-in member where the organization requires login (`balise.login`)."""
    from balise.config import get_settings
    from balise.login import acting_member as resolve

    return resolve(session, org, as_name or get_settings().user, guarded=guarded)


def member_manager(session: Session, org: Organization, as_name: str | None) -> Member | str:
    """Who changes the members (a guarded command); "balise" itself when nobody is named or logged
    in and the organization does not require login: a trusted shared account."""
    from balise.config import get_settings
    from balise.login import acting_member_or_none

    return acting_member_or_none(session, org, as_name or get_settings().user, guarded=True) or "balise"


def enqueue_quietly(action: str, enqueue: Callable[..., object], *args: object) -> None:
    """Enqueue after the commit; if Redis is unreachable the database still holds the work."""
    from balise.cli import output
    from balise.errors import BaliseError
    from balise.i18n import t

    try:
        enqueue(*args)
    except (BaliseError, OSError) as exc:
        output.warn(t("cli.enqueue_later", action=action, detail=str(exc)))


def after_commit(after: AfterCommit | None = None) -> None:
    """After the commit: run what the step left (its jobs, then the mail job for its notices),
    and say what to fix if earlier mails could not go; the step stands either way."""
    from balise.cli import output
    from balise.i18n import t
    from balise.mail.outbox import mail_trouble
    from balise.pipeline.after_commit import AfterCommit, run_after_commit

    enqueue_quietly(t("cli.queue_label"), run_after_commit, after or AfterCommit())
    problem = mail_trouble()
    if problem is not None:
        output.warn(problem.message())
