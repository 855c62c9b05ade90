"""`balise photo`: declare who appears in each photo of a post."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.i18n import t

app = typer.Typer(help="Photos des publications : qui y apparaît.", no_args_is_help=True)


@app.command("tag")
def tag(
    post_id: Annotated[int, typer.Argument(help="Le numéro de la publication.")],
    photo: Annotated[int, typer.Option("--photo", help="Le numéro de la photo dans la publication (1 = la première).")],
    person: Annotated[
        list[str], typer.Option("--person", help="Une personne visible sur cette photo (nom du registre); répétable.")
    ],
    as_: AsOption = None,
) -> None:
    """Déclare qui apparaît sur une photo; remplace la déclaration précédente de cette photo.

    C'est une modification : la publication repasse à la vérification (chaque personne doit
    avoir un consentement en vigueur pour chaque plateforme), puis à l'approbation.

    Exemples :

      balise photo tag 12 --photo 1 --person "Sophie Roy" --person "Léa Côté" --as Marie

      balise photo tag 12 --photo 2 --person "Sophie Roy" --as Marie
    """
    from balise.pipeline.draft import tag_photo
    from balise.posts import get_post

    with org_session() as (session, org):
        editor = acting_member(session, org, as_)
        after = tag_photo(session, org, get_post(session, org, post_id), photo, person, editor)
    after_commit(after)
    output.ok(t("consent.tagged", number=photo, post_id=post_id, names=", ".join(person)))
