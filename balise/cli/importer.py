"""`balise import`: a content calendar (CSV) becomes drafts, all of them or none."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t


def import_command(
    file: Annotated[Path, typer.Argument(help=help_text("import.file"), metavar=help_text("metavar.csv"))],
    as_: AsOption = None,
) -> None:
    from rich.progress import track

    from balise.cadence import cadence_advice
    from balise.config import get_settings
    from balise.importer import import_csv

    with org_session() as (session, org):
        posts, after = import_csv(
            session,
            org,
            acting_member(session, org, as_),
            file,
            get_settings().data_path / "media",
            track=lambda rows: track(rows, t("import.progress"), console=output.err_console, transient=True),
        )
        warnings = cadence_advice(session, org, posts, by_week=True)
    after_commit(after)
    ids = [post_id for post_id, _ in after.checks]
    output.ok(t("import.imported", count=len(ids), path=file, first=ids[0], last=ids[-1]))
    output.warn_all(warnings)
