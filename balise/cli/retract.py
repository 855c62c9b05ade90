"""`balise retract`: take a published post down from every platform it went to."""

from __future__ import annotations

from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.i18n import t


def retract_command(
    post_id: Annotated[int, typer.Argument(help="Le numéro de la publication.")],
    reason: Annotated[str, typer.Option("--reason", help="Pourquoi la retirer (inscrit au journal).")],
    as_: AsOption = None,
) -> None:
    """Retire une publication publiée de toutes ses plateformes (approbateur·trice ou admin).

    Exemple :

      balise retract 12 --reason "Une personne a retiré son consentement" --as "Julie Gagnon"
    """
    from balise.pipeline.takedown import retract
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = retract(session, get_post(session, org, post_id), member, reason=reason, channel="cli")
    after_commit(after)
    output.ok(t("cli.retracted", post_id=post_id, count=len(after.takedowns)))
