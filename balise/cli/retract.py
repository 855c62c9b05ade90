"""`balise retract`: take a published post down from every platform it went to."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t


def retract_command(
    post_id: Annotated[int, typer.Argument(help=help_text("retract.post_id"))],
    reason: Annotated[str, typer.Option("--reason", help=help_text("retract.reason"))],
    as_: AsOption = None,
) -> None:
    from balise.pipeline.takedown import retract
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = retract(session, get_post(session, org, post_id), member, reason=reason, channel="cli")
    after_commit(after)
    output.ok(t("cli.retracted", post_id=post_id, count=len(after.takedowns)))
