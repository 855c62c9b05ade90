"""`balise photo`: declare who appears in each photo of a post."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

app = typer.Typer(help=help_text("photo.help"), no_args_is_help=True)


@app.command("tag", help=help_text("photo.tag.help"))
def tag(
    post_id: Annotated[int, typer.Argument(help=help_text("photo.tag.post_id"))],
    photo: Annotated[int, typer.Option("--photo", help=help_text("photo.tag.photo"))],
    person: Annotated[list[str], typer.Option("--person", help=help_text("photo.tag.person"))],
    as_: AsOption = None,
) -> None:
    from balise.pipeline.draft import tag_photo
    from balise.posts import get_post

    with org_session() as (session, org):
        editor = acting_member(session, org, as_)
        after = tag_photo(session, org, get_post(session, org, post_id), photo, person, editor)
    after_commit(after)
    output.ok(t("consent.tagged", number=photo, post_id=post_id, names=", ".join(person)))
