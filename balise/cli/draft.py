"""`balise draft`: add, list, show, edit and cancel drafts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.cli.retry import reschedule_command
from balise.i18n import t
from balise.platforms import SPELLED, canonical_platform

if TYPE_CHECKING:
    from balise.config import AccountOwner, Settings

app = typer.Typer(help=help_text("draft.help"), no_args_is_help=True)

PlatformOption = Annotated[
    list[str],
    typer.Option("--platform", "-p", help=help_text("draft.platform", platforms=SPELLED)),
]
AtHelp = help_text("draft.at")


def _when(data: dict[str, Any]) -> str:
    """A post's time as people read it, from its JSON form (ISO 8601 in the organization's zone)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from balise.timeparse import local_text

    return local_text(datetime.fromisoformat(data["scheduled_at"]), ZoneInfo(data["timezone"]))


def _print_post(data: dict[str, Any], review: list[str]) -> None:
    console = output.console
    console.print(f"[bold]{t('cli.post_heading', post_id=data['id'])}[/bold] — {t('labels.' + data['state'])}")
    authors = ", ".join(data["authors"])
    console.print(t("cli.post_scheduled", when=_when(data), zone=data["timezone"], authors=authors))
    console.print(f"\n{data['text']}\n", soft_wrap=True)
    if data["link"]:
        console.print(t("cli.post_link", link=data["link"]))
    for target in data["targets"]:
        line = t("cli.post_target", platform=target["platform"], state=t("labels." + target["state"]))
        if target["url"]:
            line += f" — {target['url']}"
        if target["last_error"]:
            line += f" [red]({target['last_error']})[/red]"
        console.print(line, soft_wrap=True)
    for line in review:
        console.print(line, soft_wrap=True, markup=False)
    check = data["compliance"]
    if check is None:
        console.print(f"\n{t('web.not_checked')}", soft_wrap=True)
    else:
        verdict = t(f"compliance.verdict_{check['verdict']}")
        console.print("\n" + t("cli.post_check", verdict=verdict, policy=check["policy_version"]))
        for reason in check["reasons"]:
            console.print(t("cli.post_reason", code=reason["code"], message=reason["message"], clause=reason["clause"]),
                          soft_wrap=True)  # fmt: skip
            if reason.get("suggestion"):
                console.print(t("cli.post_suggestion", suggestion=reason["suggestion"]), soft_wrap=True)


@app.command("add", help=help_text("draft.add.help"))
def add(
    text: Annotated[str, typer.Argument(help=help_text("draft.add.text"))],
    platform: PlatformOption,
    at: Annotated[str, typer.Option("--at", help=AtHelp)],
    photo: Annotated[list[Path] | None, typer.Option("--photo", help=help_text("draft.add.photo"))] = None,
    person: Annotated[
        list[str] | None,
        typer.Option(
            "--person",
            help=help_text("draft.add.person"),
        ),
    ] = None,
    link: Annotated[str | None, typer.Option("--link", help=help_text("draft.add.link"))] = None,
    topic: Annotated[str | None, typer.Option("--topic", help=help_text("draft.add.topic"))] = None,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    from balise.cadence import cadence_advice
    from balise.config import get_settings
    from balise.organizations import account_owner, org_zone
    from balise.pipeline.draft import DraftInput, add_post
    from balise.posts import post_json
    from balise.timeparse import parse_when

    settings = get_settings()
    with org_session() as (session, org):
        author = acting_member(session, org, as_)
        when = parse_when(at, org_zone(org))
        draft = DraftInput(
            text=text,
            platforms=tuple(platform),
            scheduled_at=when,
            link=link,
            topic=topic,
            photos=tuple(photo or ()),
            people=tuple(person or ()),
        )
        post, after = add_post(session, org, author, draft, settings.data_path / "media")
        data = {**post_json(session, post, org_zone(org)), "warnings": cadence_advice(session, org, [post])}
        unconfigured = _unconfigured_accounts(settings, account_owner(session, org), data)
    after_commit(after)
    if json_:
        output.print_json(data)
    else:
        output.ok(t("cli.draft_added", post_id=post.id, when=_when(data)))
    output.warn_all(data["warnings"])  # on stderr: a script reading the JSON is not disturbed
    output.warn_all(unconfigured)


def _unconfigured_accounts(settings: Settings, owner: AccountOwner, data: dict[str, Any]) -> list[str]:
    """One warning per platform of the draft that has no account: said now, not when publishing
    fails. The draft stays: the account may be configured before its time."""
    from balise.config import account_not_configured

    return [
        t("cli.draft_account_missing", name=t(f"platforms.{name}"), detail=str(account_not_configured(owner, name)))
        for target in data["targets"]
        if not settings.has_account(owner, name := target["platform"])
    ]


@app.command("list", help=help_text("draft.list.help"))
def list_(
    state: Annotated[
        str | None,
        typer.Option("--state", help=help_text("draft.list.state")),
    ] = None,
    json_: JsonOption = False,
) -> None:
    from balise.organizations import org_zone
    from balise.posts import list_posts, post_json

    with org_session() as (session, org):
        zone = org_zone(org)
        posts = [post_json(session, p, zone) for p in list_posts(session, org, state)]
    if json_:
        output.print_json(posts)
        return
    if not posts:
        output.console.print(t("cli.no_posts"))
        return
    table = output.table("number", "state", "scheduled", "platforms", "text")
    for p in posts:
        platforms = ", ".join(f"{x['platform']}:{t('labels.' + x['state'])}" for x in p["targets"])
        table.add_row(str(p["id"]), t("labels." + p["state"]), _when(p), platforms, _short(p["text"]))
    output.console.print(table)


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@app.command("show", help=help_text("draft.show.help"))
def show(
    post_id: Annotated[int, typer.Argument(help=help_text("draft.show.post_id"))], json_: JsonOption = False
) -> None:
    from balise.organizations import org_zone
    from balise.posts import get_post
    from balise.review_sheet import review_data, review_lines

    with org_session() as (session, org):
        post = get_post(session, org, post_id)
        data = review_data(session, post, org_zone(org))
        review = review_lines(session, post, org_zone(org))
    if json_:
        output.print_json(data)
    else:
        _print_post(data, review)


@app.command("edit", help=help_text("draft.edit.help"))
def edit(
    post_id: Annotated[int, typer.Argument(help=help_text("draft.edit.post_id"))],
    text: Annotated[str | None, typer.Option("--text", help=help_text("draft.edit.text"))] = None,
    platform: Annotated[
        list[str] | None, typer.Option("--platform", "-p", help=help_text("draft.edit.platform"))
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help=AtHelp)] = None,
    link: Annotated[str | None, typer.Option("--link", help=help_text("draft.edit.link"))] = None,
    topic: Annotated[str | None, typer.Option("--topic", help=help_text("draft.edit.topic"))] = None,
    remove_photo: Annotated[
        int | None, typer.Option("--remove-photo", help=help_text("draft.edit.remove_photo"))
    ] = None,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    from balise.cadence import cadence_advice
    from balise.organizations import org_zone
    from balise.pipeline.draft import edit_post
    from balise.posts import get_post, post_json
    from balise.timeparse import parse_when

    with org_session() as (session, org):
        editor = acting_member(session, org, as_)
        post = get_post(session, org, post_id)
        when = parse_when(at, org_zone(org)) if at is not None else None
        after = edit_post(
            session,
            post,
            editor,
            text=text,
            platforms=tuple(platform) if platform else None,
            scheduled_at=when,
            link=link,
            topic=topic,
            remove_photo=remove_photo,
        )
        session.flush()
        moved = when is not None or bool(platform)
        warnings = cadence_advice(session, org, [post]) if moved else []
        data = {**post_json(session, post, org_zone(org)), "warnings": warnings}
    after_commit(after)
    if json_:
        output.print_json(data)
    else:
        output.ok(t("cli.draft_edited", post_id=post_id))
    output.warn_all(warnings)


app.command("reschedule", help=help_text("draft.reschedule.help"))(reschedule_command)


@app.command("cancel", help=help_text("draft.cancel.help"))
def cancel(
    post_id: Annotated[int, typer.Argument(help=help_text("draft.cancel.post_id"))],
    reason: Annotated[str | None, typer.Option("--reason", help=help_text("draft.cancel.reason"))] = None,
    as_: AsOption = None,
) -> None:
    from balise.pipeline.draft import cancel_post
    from balise.posts import get_post

    with org_session() as (session, org):
        member = acting_member(session, org, as_)
        after = cancel_post(session, get_post(session, org, post_id), member, reason)
    after_commit(after)
    output.ok(t("cli.draft_cancelled", post_id=post_id))


@app.command("resolve", help=help_text("draft.resolve.help"))
def resolve(
    post_id: Annotated[int, typer.Argument(help=help_text("draft.resolve.post_id"))],
    platform: Annotated[
        str, typer.Option("--platform", "-p", help=help_text("draft.resolve.platform", platforms=SPELLED))
    ],
    published: Annotated[str | None, typer.Option("--published", help=help_text("draft.resolve.published"))] = None,
    not_published: Annotated[
        bool, typer.Option("--not-published", help=help_text("draft.resolve.not_published"))
    ] = False,
    as_: AsOption = None,
) -> None:
    from balise.errors import InvalidInput
    from balise.pipeline.publish import resolve_by_person
    from balise.posts import get_post

    if bool(published) == not_published:
        raise InvalidInput("cli.resolve_choose")
    with org_session() as (session, org):
        member = acting_member(session, org, as_)
        post = get_post(session, org, post_id)
        after = resolve_by_person(session, post, canonical_platform(platform), remote_url=published, actor=member.name)
    after_commit(after)
    output.ok(t("cli.resolved", post_id=post_id))
