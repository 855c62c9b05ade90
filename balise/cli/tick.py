"""`balise tick`: the periodic work for cron, one line per part."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import typer

from balise.cli import output
from balise.cli.common import JsonOption
from balise.i18n import t

if TYPE_CHECKING:
    from balise.pipeline.consent import Consequences
    from balise.tick import TickReport


def tick_command(json_: JsonOption = False) -> None:
    from balise.tick import tick

    report = tick()
    if json_:
        output.print_json(_as_json(report))
    else:
        _print(report)
    if report.failures:
        raise typer.Exit(1)


def _done(report: TickReport) -> dict[str, str]:
    """What each part that ran says, in the user's language."""
    done = {}
    if report.swept is not None:
        done["consent"] = t("tick.consent_done", rechecks=len(report.swept.rechecks))
    if report.due is not None:
        done["due"] = t("cli.due_report", **asdict(report.due))
    if report.reminders is not None:
        done["reminders"] = t("tick.reminders_done", count=report.reminders)
    if report.comments is not None:
        c = report.comments
        done["comments"] = " ".join(
            [t("comments.fetched", new=c.new, urgent=c.urgent, posts=c.posts, gone=c.gone), *c.problems]
        )
    if report.mail is not None:
        done["mail"] = t("tick.mail_done", count=report.mail)
    return done


def _print(report: TickReport) -> None:
    from balise.tick import PARTS

    done = _done(report)
    for part in PARTS:
        name = t(f"tick.part_{part}")
        if part in report.failures:
            output.error(t("tick.failed", part=name, detail=report.failures[part].message()))
        elif part in done:
            output.ok(t("tick.done", part=name, detail=done[part]))
    if report.failures:
        output.error(t("tick.some_failed", count=len(report.failures), total=len(PARTS)))


def _as_json(report: TickReport) -> dict[str, Any]:
    return {
        "ok": not report.failures,
        "consent": _swept_json(report.swept) if report.swept is not None else None,
        "due": asdict(report.due) if report.due is not None else None,
        "reminders": report.reminders,
        "comments": asdict(report.comments) if report.comments is not None else None,
        "mail": report.mail,
        "failures": {part: error.message() for part, error in report.failures.items()},
    }


def _swept_json(swept: Consequences) -> dict[str, Any]:
    """The posts the sweep withdrew or sent back to the gate, and the platform targets to take down."""
    takedowns = [job.target_id for job in swept.after.takedowns]
    return {"withdrawn": swept.withdrawn, "rechecks": swept.rechecks, "takedowns": takedowns}
