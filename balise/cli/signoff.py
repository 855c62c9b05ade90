"""`balise approve`, `reject`, `override` and `inbox`: the second, human sign-off."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

PostId = Annotated[int, typer.Argument(help=help_text("signoff.post_id"))]


def approve_command(
    post_id: PostId,
    comment: Annotated[str | None, typer.Option("--comment", help=help_text("approve.comment"))] = None,
    now: Annotated[bool, typer.Option("--now", help=help_text("approve.now"))] = False,
    at: Annotated[str | None, typer.Option("--at", help=help_text("approve.at"))] = None,
    refuse: Annotated[bool, typer.Option("--refuse", help=help_text("approve.refuse"))] = False,
    reason: Annotated[str | None, typer.Option("--reason", help=help_text("approve.reason"))] = None,
    code: CodeOption = None,
    as_: AsOption = None,
) -> None:
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
        help=help_text("signoff.code"),
    ),
]


def reject_command(
    post_id: PostId,
    reason: Annotated[str, typer.Option("--reason", help=help_text("reject.reason"))],
    code: CodeOption = None,
    as_: AsOption = None,
) -> None:
    from balise.pipeline.signoff import reject
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = reject(session, org, get_post(session, org, post_id), member, reason=reason, channel="cli", code=code)
    after_commit(after)
    output.ok(t("cli.rejected", post_id=post_id))


def override_command(
    post_id: PostId,
    reason: Annotated[str, typer.Option("--reason", help=help_text("override.reason"))],
    as_: AsOption = None,
) -> None:
    from balise.pipeline.signoff import override
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = override(session, get_post(session, org, post_id), member, reason=reason, channel="cli")
    after_commit(after)
    output.ok(t("cli.overridden", post_id=post_id))


def inbox_command(as_: AsOption = None) -> None:
    from balise.organizations import org_zone
    from balise.pipeline.signoff import inbox
    from balise.posts import post_json
    from balise.review_sheet import review_lines

    with org_session() as (session, org):
        member = acting_member(session, org, as_)
        zone = org_zone(org)
        waiting = [(post_json(session, p, zone), review_lines(session, p, zone)) for p in inbox(session, org, member)]
    if not waiting:
        output.console.print(t("cli.inbox_empty"))
    for data, review in waiting:
        number, state = t("labels.number", id=data["id"]), t("labels." + data["state"])
        output.console.rule(f"{number} — {state} — {data['author']} — {data['scheduled_at']}")
        output.console.print(data["text"], soft_wrap=True)
        for line in review:
            output.console.print(line, soft_wrap=True, markup=False)
        for reason in (data["compliance"] or {}).get("reasons", []):
            output.console.print(f"  - [yellow]{reason['code']}[/yellow] : {reason['message']}", soft_wrap=True)
        output.console.print(f'[dim]balise approve {data["id"]}   ·   balise reject {data["id"]} --reason "..."[/dim]')
