"""`balise approve`, `reject`, `override` and `inbox`: the second, human sign-off."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.i18n import t

PostId = Annotated[int, typer.Argument(help="Le numéro de la publication.")]


def approve_command(
    post_id: PostId,
    comment: Annotated[str | None, typer.Option("--comment", help="Un commentaire (inscrit au journal).")] = None,
    now: Annotated[bool, typer.Option("--now", help="Si l'heure prévue est passée : publier tout de suite.")] = False,
    at: Annotated[str | None, typer.Option("--at", help="Si l'heure prévue est passée : la nouvelle heure.")] = None,
    refuse: Annotated[bool, typer.Option("--refuse", help="Refuser au lieu d'approuver (avec --reason).")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Avec --refuse : le motif, pour l'auteur·e.")] = None,
    code: CodeOption = None,
    as_: AsOption = None,
) -> None:
    """Approuve une publication vérifiée (deuxième signature), ou la refuse avec --refuse. Jamais par son auteur·e.

    Exemples :

      balise approve 12 --as "Julie Gagnon"

      balise approve 12 --comment "Parfait" --now --as "Julie Gagnon"

      balise approve 12 --refuse --reason "On y nomme l'école de l'enfant" --code PERSONAL_INFO --as "Julie Gagnon"
    """
    from balise.pipeline.signoff import LateSignoff

    if refuse or reason is not None or code is not None:
        reject_command(post_id, reason or "", code, as_)
        return

    for attempt in range(2):
        try:
            _approve(post_id, comment, now, at, as_)
            return
        except LateSignoff:
            if attempt or not sys.stdin.isatty():
                raise
            choice = typer.prompt(t("cli.late_prompt"), default="m")
            now, at = (True, None) if choice.strip().lower().startswith("m") else (False, choice)


def _approve(post_id: int, comment: str | None, now: bool, at: str | None, as_: str | None) -> None:
    from balise.organizations import org_zone
    from balise.pipeline.signoff import LateChoice, approve
    from balise.posts import get_post, post_json
    from balise.states import State
    from balise.timeparse import parse_when

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        post = get_post(session, org, post_id)
        late = LateChoice(now=now, at=parse_when(at, org_zone(org)) if at else None)
        after = approve(session, org, post, member, channel="cli", comment=comment, late=late)
        scheduled = post.state == State.SCHEDULED
        when = post_json(session, post, org_zone(org))["scheduled_at"]
    after_commit(after)
    if not scheduled:
        output.ok(t("cli.approval_recorded", post_id=post_id))
        return
    output.ok(t("cli.approved", post_id=post_id, when=when))


CodeOption = Annotated[
    str | None,
    typer.Option(
        "--code",
        help="La règle de la politique enfreinte (PERSONAL_INFO, INTERVENTION, CHILD_CONTACT, OFF_MISSION) : "
        "la décision devient un exemple de l'organisme (balise gate examples).",
    ),
]


def reject_command(
    post_id: PostId,
    reason: Annotated[str, typer.Option("--reason", help="Le motif, transmis à l'auteur·e.")],
    code: CodeOption = None,
    as_: AsOption = None,
) -> None:
    """Refuse une publication, avec un motif transmis à son auteur·e.

    Exemples :

      balise reject 12 --reason "Le nom de l'enfant apparaît dans le texte" --as "Julie Gagnon"

      balise reject 12 --reason "On y donne l'âge et l'école de l'enfant" --code PERSONAL_INFO --as "Julie Gagnon"
    """
    from balise.pipeline.signoff import reject
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = reject(session, org, get_post(session, org, post_id), member, reason=reason, channel="cli", code=code)
    after_commit(after)
    output.ok(t("cli.rejected", post_id=post_id))


def override_command(
    post_id: PostId,
    reason: Annotated[str, typer.Option("--reason", help="Pourquoi la publication est acceptable malgré l'avis.")],
    as_: AsOption = None,
) -> None:
    """Passe outre l'avis « à revoir » de la barrière (approbateur·trice ou admin, motif obligatoire).

    Exemple :

      balise override 12 --reason "Le texte parle de la formation, pas d'une personne" --as "Julie Gagnon"
    """
    from balise.pipeline.signoff import override
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = override(session, get_post(session, org, post_id), member, reason=reason, channel="cli")
    after_commit(after)
    output.ok(t("cli.overridden", post_id=post_id))


def inbox_command(as_: AsOption = None) -> None:
    """Ce qui attend votre approbation, du plus ancien au plus récent.

    Exemple :

      balise inbox --as "Julie Gagnon"
    """
    from balise.organizations import org_zone
    from balise.pipeline.signoff import inbox
    from balise.posts import post_json

    with org_session() as (session, org):
        member = acting_member(session, org, as_)
        waiting = [post_json(session, p, org_zone(org)) for p in inbox(session, org, member)]
    if not waiting:
        output.console.print(t("cli.inbox_empty"))
    for data in waiting:
        output.console.rule(
            f"n° {data['id']} — {t('labels.' + data['state'])} — {data['author']} — {data['scheduled_at']}"
        )
        output.console.print(data["text"], soft_wrap=True)
        for reason in (data["compliance"] or {}).get("reasons", []):
            output.console.print(f"  - [yellow]{reason['code']}[/yellow] : {reason['message']}", soft_wrap=True)
        output.console.print(f'[dim]balise approve {data["id"]}   ·   balise reject {data["id"]} --reason "..."[/dim]')
