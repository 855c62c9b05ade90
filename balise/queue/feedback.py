"""What `balise worker` tells the person who runs it, on stderr: that it is ready, one line per job
done, and a summary when it stops (RQ's own English log lines are kept for `--verbose`).

The counts live in memory shared with the supervisor: the worker that does the jobs is a fork the
supervisor may replace, and the summary is the supervisor's, over every worker it ran.
"""

from __future__ import annotations

import mmap
import struct
import sys
from datetime import datetime

from rq.job import Job, JobStatus

from balise.db import read_scope
from balise.i18n import t
from balise.models import Target

KINDS = ("check", "publish", "takedown", "mail")  # `balise.queue.jobs`' functions
FAILED_OUTCOMES = ("failed", "needs_person")  # a job that ran, but its target did not go through
SLOT = struct.Struct("q")


class Tally:
    """Jobs done per kind, and failures, in an anonymous shared mapping: each worker the supervisor
    forks adds to it, and the supervisor reads it once they are gone (even one that was killed)."""

    def __init__(self) -> None:
        self._memory = mmap.mmap(-1, SLOT.size * (len(KINDS) + 1))

    def _add(self, index: int) -> None:
        offset = index * SLOT.size
        SLOT.pack_into(self._memory, offset, SLOT.unpack_from(self._memory, offset)[0] + 1)

    def count(self, kind: str, failed: bool) -> None:
        if kind in KINDS:
            self._add(KINDS.index(kind))
        if failed:
            self._add(len(KINDS))

    def done(self) -> dict[str, int]:
        return {kind: SLOT.unpack_from(self._memory, i * SLOT.size)[0] for i, kind in enumerate(KINDS)}

    def failures(self) -> int:
        return int(SLOT.unpack_from(self._memory, len(KINDS) * SLOT.size)[0])


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def ready_line(queue_names: list[str]) -> str:
    return t("worker.ready", queues=", ".join(queue_names))


def kind_of(job: Job) -> str:
    return (job.func_name or "").rpartition(".")[2]


def job_line(job: Job, kind: str, now: datetime) -> tuple[str, bool]:
    """The job's one line (« 14:02 publication n° 12 sur X : publiée ») and whether it failed."""
    if job.get_status(refresh=False) == JobStatus.FINISHED:
        outcome = str(job.return_value(refresh=False))
        failed = outcome.partition(":")[0] in FAILED_OUTCOMES
        said = _outcome(outcome) if kind in KINDS else t("worker.outcome_finished")
    else:  # it raised: RQ keeps the traceback in the failed registry
        failed, said = True, t("worker.outcome_error")
    return t("worker.job", time=now.strftime("%H:%M"), subject=_subject(job, kind), outcome=said), failed


def summary_line(tally: Tally) -> str:
    done = tally.done()
    parts = [t("worker.kind_count", kind=t("worker.kind_" + kind), count=n) for kind, n in done.items() if n]
    return t("worker.summary", jobs=sum(done.values()), kinds=", ".join(parts) or "—", failures=tally.failures())


def _subject(job: Job, kind: str) -> str:
    """What the job was about, as the commands name it: the post's number, and the platform."""
    arg = job.args[0] if job.args else "?"
    if kind in ("publish", "takedown"):
        with read_scope() as session:
            target = session.get(Target, arg)
            if target is not None:
                platform = t("platforms." + target.platform)
                return t("worker.subject_" + kind, post_id=target.post_id, platform=platform)
    if kind in KINDS:
        return t("worker.subject_" + kind, post_id=arg, platform="?")
    return job.func_name or job.id


def _outcome(outcome: str) -> str:
    """An outcome string of `balise.queue.jobs` in words; `skipped:cancelled` names the post's state."""
    head, _, detail = outcome.partition(":")
    try:
        return t(f"worker.outcome_{head}_state", state=_label(detail)) if detail else t("worker.outcome_" + head)
    except KeyError:
        return outcome


def _label(state: str) -> str:
    try:
        return t("labels." + state)
    except KeyError:
        return state
