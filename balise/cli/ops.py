"""`balise publish-due`, `worker`, `status` and `stop`: running the pipeline."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from balise.cli import output
from balise.cli.common import JsonOption, after_commit, org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

if TYPE_CHECKING:
    from balise.status import StatusReport


def publish_due_command() -> None:
    from balise.pipeline.due import publish_due

    report = publish_due()
    output.console.print(t("cli.due_report", **asdict(report)))
    after_commit()  # the outbox's retries too, and what to fix if mail could not go


def worker_command(
    queue_names: Annotated[
        list[str] | None,
        typer.Option("--queue", "-q", help=help_text("worker.queue_names")),
    ] = None,
    burst: Annotated[bool, typer.Option("--burst", help=help_text("worker.burst"))] = False,
    with_scheduler: Annotated[bool, typer.Option("--with-scheduler", help=help_text("worker.with_scheduler"))] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=help_text("worker.verbose"))] = False,
) -> None:
    from balise.errors import InvalidInput
    from balise.queue.queues import QUEUES
    from balise.queue.worker import run_worker

    for name in queue_names or []:
        if name not in QUEUES:
            raise InvalidInput("cli.unknown_queue", name=name, known=", ".join(QUEUES))
    run_worker(queue_names, burst=burst, with_scheduler=with_scheduler, verbose=verbose)


def status_command(json_: JsonOption = False) -> None:
    from balise.organizations import org_zone
    from balise.status import build_status
    from balise.timeparse import local_iso

    with org_session() as (session, org):
        report = build_status(session, org)
        zone = org_zone(org)
    if json_:
        data = asdict(report)
        data["cron_last"] = local_iso(report.cron_last, zone) if report.cron_last else None
        data["workers"] = [{"name": n, "last_seen": local_iso(s, zone), "alive": a} for n, s, a in report.workers]
        for problem in data["problems"]:
            problem["since"] = local_iso(problem["since"], zone)
        if report.urgent_comment is not None:
            data["urgent_comment"]["since"] = local_iso(report.urgent_comment.since, zone)
        output.print_json(data)
    else:
        _print_status(report, zone)
    if report.exit_code():
        raise typer.Exit(report.exit_code())


def _print_status(report: StatusReport, zone: ZoneInfo) -> None:
    from balise.timeparse import local_iso

    console = output.console
    counts = output.table("state", "count")
    for state, n in report.counts.items():
        counts.add_row(t("labels." + state), str(n))
    console.print(counts)
    if report.queues is None:
        output.warn(t("cli.queues_unreachable", detail=report.queue_error))
    else:
        console.print(t("cli.queues_line", queues=", ".join(f"{k} {v}" for k, v in report.queues.items())))
    cron = local_iso(report.cron_last, zone) if report.cron_last else t("cli.never")
    console.print(t("cli.cron_last", when=cron))
    for name, seen, alive in report.workers:
        if alive:
            console.print(t("cli.worker_alive", name=name, when=local_iso(seen, zone)))
        else:
            output.warn(t("cli.worker_stopped", name=name, when=local_iso(seen, zone)))
    for p in report.problems:
        problem = t("cli.problem_" + p.kind)
        line = t("cli.problem_line", post_id=p.post_id, platform=p.platform, problem=problem,
                 since=local_iso(p.since, zone), detail=p.detail or "")  # fmt: skip
        console.print(f"[red]•[/red] {line}", soft_wrap=True)
    if (urgent := report.urgent_comment) is not None:
        from balise.models import utcnow
        from balise.report import duration_text

        output.warn(
            t("comments.status_urgent", id=urgent.comment_id, category=t(f"comments.category_{urgent.category}"),
              platform=urgent.platform, waited=duration_text(utcnow() - urgent.since))
        )  # fmt: skip
    for reason in report.stall_reasons:
        output.error(t("cli.stalled_" + reason))
    if report.needs_person:
        posts = sorted({p.post_id for p in report.problems if p.kind == "needs_person"})
        output.error(t("cli.status_needs_person", post_id=posts[0], posts=", ".join(map(str, posts))))


def stop_command() -> None:
    from balise.config import get_settings
    from balise.queue.embedded import EmbeddedRedis

    settings = get_settings()
    if settings.redis_url:
        output.console.print(t("cli.stop_external"))
        return
    stopped = EmbeddedRedis(settings.data_path).stop()
    output.ok(t("cli.stopped" if stopped else "cli.not_running"))
