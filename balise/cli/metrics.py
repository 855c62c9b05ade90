"""`balise metrics collect`: the daily snapshot of followers, likes and engagement (cron)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from balise.cli import output
from balise.cli.common import org_session
from balise.cli.help_lang import help_text
from balise.i18n import t

if TYPE_CHECKING:
    from balise.models import AccountSnapshot

app = typer.Typer(help=help_text("metrics.help"), no_args_is_help=True)


@app.command("collect", help=help_text("metrics.collect.help"))
def collect() -> None:
    from rich.progress import track

    from balise.config import get_settings
    from balise.metrics import collect_metrics, note_text, platform_name
    from balise.organizations import org_zone
    from balise.timeparse import local_text

    with org_session() as (_, org):
        assert org.id is not None
        org_id, zone = org.id, org_zone(org)
    result = collect_metrics(
        org_id,
        get_settings(),
        track=lambda targets: track(targets, t("metrics.progress"), console=output.err_console, transient=True),
    )
    for outcome in result.outcomes.values():
        name = platform_name(outcome.platform)
        if outcome.account is not None and (figures := _account_figures(outcome.account)):
            output.ok(t("metrics.account_line", name=name, figures=figures))
        if outcome.posts:
            output.ok(t("metrics.posts_line", name=name, count=outcome.posts))
        for note in sorted(outcome.notes):
            output.console.print(
                f"  [dim]{t('labels.labelled', label=name, value=note_text(note))}[/dim]", soft_wrap=True
            )
        for problem in outcome.problems:
            output.warn(problem)
    if result.not_configured:
        names = ", ".join(platform_name(n) for n in result.not_configured)
        output.console.print(f"[dim]{t('metrics.not_configured', names=names)}[/dim]")
    if result.complete_failure:
        output.error(t("metrics.nothing"))
        raise typer.Exit(1)
    output.console.print(t("metrics.done", when=local_text(result.taken_at, zone), count=result.stored))


def _account_figures(snapshot: AccountSnapshot) -> str:
    """« 1 342 abonnés, 1 287 mentions J'aime »; empty when the platform gave no figure."""
    from balise.metrics import count_text

    figures = [
        t(f"metrics.{label}", count=count_text(value))
        for label, value in (("followers", snapshot.followers), ("likes", snapshot.likes))
        if value is not None
    ]
    return ", ".join(figures)
