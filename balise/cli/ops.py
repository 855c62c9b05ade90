"""`balise publish-due`, `worker`, `status` and `stop`: running the pipeline."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from balise.cli import output
from balise.cli.common import JsonOption, after_commit, org_session
from balise.i18n import t

if TYPE_CHECKING:
    from balise.status import StatusReport


def publish_due_command() -> None:
    """Met en file tout ce qui est dû (à lancer chaque minute par cron). Sans danger en double.

    La ligne cron conseillée est « balise tick » : la même chose, plus les consentements et les rappels.

    Exemple de ligne cron :

      * * * * *  balise publish-due >> ~/balise-cron.log 2>&1
    """
    from balise.pipeline.due import publish_due

    report = publish_due()
    output.console.print(t("cli.due_report", **asdict(report)))
    after_commit()  # the outbox's retries too, and what to fix if mail could not go


def worker_command(
    queue_names: Annotated[
        list[str] | None,
        typer.Option("--queue", "-q", help="File à servir; toutes par défaut (un nom inconnu affiche la liste)."),
    ] = None,
    burst: Annotated[bool, typer.Option("--burst", help="Vider les files puis s'arrêter.")] = False,
    with_scheduler: Annotated[
        bool, typer.Option("--with-scheduler", help="Publier à la seconde près (planificateur de RQ).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Afficher aussi le journal de RQ (en anglais).")
    ] = False,
) -> None:
    """Lance un travailleur qui vérifie, publie et retire les publications.

    Il dit quand il est prêt, une ligne par tâche faite, et un bilan à la fin (--burst ou Ctrl+C).

    Exemples :

      balise worker                        (toutes les files, en continu)

      balise worker --queue compliance --burst

      balise worker --with-scheduler
    """
    from balise.errors import InvalidInput
    from balise.queue.queues import QUEUES
    from balise.queue.worker import run_worker

    for name in queue_names or []:
        if name not in QUEUES:
            raise InvalidInput("cli.unknown_queue", name=name, known=", ".join(QUEUES))
    run_worker(queue_names, burst=burst, with_scheduler=with_scheduler, verbose=verbose)


def status_command(json_: JsonOption = False) -> None:
    """Où en est balise : publications par état, files, cron, travailleurs, retards.

    Un travailleur muet depuis plus de 2 minutes est affiché une fois comme arrêté, puis oublié.

    Code de sortie (surveillance) : 0 tout va bien, 1 intervention nécessaire, 2 publication bloquée.

    Exemples :

      balise status

      balise status --json
    """
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
        output.print_json(data)
    else:
        _print_status(report, zone)
    if report.exit_code():
        raise typer.Exit(report.exit_code())


def _print_status(report: StatusReport, zone: ZoneInfo) -> None:
    from rich.table import Table

    from balise.timeparse import local_iso

    console = output.console
    counts = Table("État", "Nombre")
    for state, n in report.counts.items():
        counts.add_row(t("labels." + state), str(n))
    console.print(counts)
    if report.queues is None:
        output.warn(t("cli.queues_unreachable", detail=report.queue_error))
    else:
        console.print("Files : " + ", ".join(f"{k} {v}" for k, v in report.queues.items()))
    cron = local_iso(report.cron_last, zone) if report.cron_last else t("cli.never")
    console.print(t("cli.cron_last", when=cron))
    for name, seen, alive in report.workers:
        if alive:
            console.print(t("cli.worker_alive", name=name, when=local_iso(seen, zone)))
        else:
            output.warn(t("cli.worker_stopped", name=name, when=local_iso(seen, zone)))
    for p in report.problems:
        problem = t("cli.problem_" + p.kind)
        since = local_iso(p.since, zone)
        line = f"[red]•[/red] n° {p.post_id} {p.platform} : {problem} depuis {since} {p.detail or ''}"
        console.print(line, soft_wrap=True)
    for reason in report.stall_reasons:
        output.error(t("cli.stalled_" + reason))
    if report.needs_person:
        posts = sorted({p.post_id for p in report.problems if p.kind == "needs_person"})
        output.error(t("cli.status_needs_person", post_id=posts[0], posts=", ".join(map(str, posts))))


def stop_command() -> None:
    """Arrête le serveur Redis intégré de ce dossier de données (rien n'est perdu).

    Exemple :

      balise stop
    """
    from balise.config import get_settings
    from balise.queue.embedded import EmbeddedRedis

    settings = get_settings()
    if settings.redis_url:
        output.console.print(t("cli.stop_external"))
        return
    stopped = EmbeddedRedis(settings.data_path).stop()
    output.ok(t("cli.stopped" if stopped else "cli.not_running"))
