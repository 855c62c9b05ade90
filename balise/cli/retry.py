"""`balise retry` and `balise draft reschedule`: send again what failed, now or at a new time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from balise.cli import output
from balise.cli.common import AsOption, JsonOption, acting_member, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t
from balise.platforms import SPELLED, canonical_platform

if TYPE_CHECKING:
    from sqlmodel import Session

    from balise.models import Member, Organization, Post
    from balise.pipeline.after_commit import AfterCommit

ReasonOption = Annotated[str, typer.Option("--reason", help=help_text("retry.reason"))]
PlatformHelp = help_text("retry.platform", platforms=SPELLED)
Step = Callable[["Session", "Organization", "Post", "Member"], "AfterCommit"]


def run_step(post_id: int, as_: str | None, step: Step) -> tuple[dict[str, object], str]:
    """The acting approver (a guarded command, as `approve`), the step, the commit, its jobs;
    returns the post as `--json` prints it and what was sent again: its platforms and when."""
    from balise.models import Target
    from balise.organizations import org_zone
    from balise.posts import get_post, post_json
    from balise.timeparse import local_text

    with org_session() as (session, org):
        member = acting_member(session, org, as_, guarded=True)
        after = step(session, org, get_post(session, org, post_id), member)
    after_commit(after)
    with org_session() as (session, org):
        targets = [target for job in after.publishes if (target := session.get(Target, job.target_id))]
        done = t(
            "retry.rescheduled" if after.publishes[0].at else "retry.retried", post_id=post_id,
            platforms=", ".join(sorted(target.platform for target in targets)),
            when=local_text(targets[0].due_at, org_zone(org)),
        )  # fmt: skip
        return post_json(session, get_post(session, org, post_id), org_zone(org)), done


def retry_command(
    post_id: Annotated[int, typer.Argument(help=help_text("retry.post_id"))],
    reason: ReasonOption,
    platform: Annotated[str | None, typer.Option("--platform", "-p", help=PlatformHelp)] = None,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    from balise.pipeline.retry import retry

    chosen = canonical_platform(platform) if platform is not None else None
    data, done = run_step(
        post_id, as_, lambda s, _org, post, m: retry(s, post, m, reason=reason, channel="cli", platform=chosen)
    )
    if json_:
        output.print_json(data)
    else:
        output.ok(done)


def reschedule_command(
    post_id: Annotated[int, typer.Argument(help=help_text("draft.reschedule.post_id"))],
    at: Annotated[str, typer.Option("--at", help=help_text("draft.reschedule.at"))],
    reason: ReasonOption,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    from balise.organizations import org_zone
    from balise.pipeline.retry import reschedule
    from balise.timeparse import parse_when

    def step(session: Session, org: Organization, post: Post, member: Member) -> AfterCommit:
        when = parse_when(at, org_zone(org))
        return reschedule(session, org, post, member, at=when, reason=reason, channel="cli")

    data, done = run_step(post_id, as_, step)
    if json_:
        output.print_json(data)
    else:
        output.ok(done)
