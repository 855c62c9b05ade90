"""The RQ worker balise runs: jobs in one warm process, watched as RQ's forking worker watches
a work horse, plus a heartbeat in the database.

The database heartbeat is what `balise status` reads, so a worker is seen alive or dead even
when Redis was restarted and lost RQ's own worker registry.
"""

from __future__ import annotations

import faulthandler
import gc
import importlib
import logging
import os
import resource
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.scheduler import RQScheduler
from rq.worker import BaseWorker, WorkerStatus
from sqlmodel import col

from balise.db import session_scope
from balise.errors import PolicyError
from balise.heartbeat import beat
from balise.models import Organization
from balise.queue.connection import get_redis
from balise.queue.feedback import Tally, job_line, kind_of, ready_line, say, summary_line
from balise.queue.queues import QUEUES, queue
from balise.queue.supervisor import RECYCLE, supervise

log = logging.getLogger(__name__)
DB_BEAT_EVERY = 20.0  # seconds; `heartbeat.WORKER_ALIVE` must stay well above it
# RQ marks a running job abandoned once its heartbeat (every JOB_MONITORING s, valid for that
# + 60 s) lapses, but only when a worker cleans the registries: every MAINTENANCE s between jobs
# (RQ's default: 10 minutes), and an idle worker only wakes every WORKER_TTL - 15 s (RQ: 405 s).
# Until then `queues._live` sees the dead job as running and will not enqueue its id again.
JOB_MONITORING = 10
MAINTENANCE = 30
WORKER_TTL = 60
# A worker leaves to be replaced by a fresh fork of the supervisor after this many jobs, or once
# its peak RSS grew this many MB past its start (~100 MB): what a job leaked or a big photo grew
# goes with it.
MAX_JOBS = 1000
MAX_GROWTH_MB = 50
# How often the scheduler process (`--with-scheduler`) moves due jobs to their queue. RQ's 1 s,
# added to the up to 1 s `queues.enqueue_publish` rounds a time up by, put p99 lateness at 1.9 s;
# each look is a few Redis round trips.
LOOK_EVERY = 0.2
# The jobs and the pipeline steps they call, imported once in the supervisor so each worker starts
# warm (`balise.mail.outbox` renders the sign-off mail: jinja2 alone is ~30 ms).
JOB_MODULES = ("balise.queue.jobs",)


class Scheduler(RQScheduler):
    """RQ's scheduler, looking every LOOK_EVERY s. Its `interval` stays RQ's 1 s: RQ also
    sets its locks' lifetime from it, in the whole seconds Redis takes."""

    def work(self) -> None:
        self._install_signal_handlers()
        self.register_birth()
        while not self._stop_requested:
            if self.should_reacquire_locks:
                self.acquire_locks()
            self.heartbeat()
            self.enqueue_scheduled_jobs()
            time.sleep(LOOK_EVERY)
        self.stop()


class BaliseWorker(SimpleWorker):
    """RQ's SimpleWorker, given what RQ's forking worker does from outside its work horse."""

    def __init__(self, *args: Any, beat_name: str, tally: Tally, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._db_beat_at = 0.0
        self.supervisor = os.getppid()
        self.beat_name = beat_name  # the supervisor's name: one row in `balise status`, whichever worker
        self.jobs_done = 0
        self.recycle = False  # it left to be replaced
        self.born_rss_mb = _peak_rss_mb()
        self.tally = tally

    # RQ's own (not SimpleWorker's job timeout + 60 s): `_watched` keeps the heartbeat fresh,
    # so a dead worker's job is found abandoned as soon as with a forking worker.
    get_heartbeat_ttl = BaseWorker.get_heartbeat_ttl

    def execute_job(self, job: Job, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        with self._watched(job, execution):
            self.perform_job(job, queue, execution)
        self.set_state(WorkerStatus.IDLE)
        self._tell(job)
        self.jobs_done += 1
        if self.jobs_done >= MAX_JOBS or _peak_rss_mb() - self.born_rss_mb > MAX_GROWTH_MB:
            self.recycle = True
            raise StopRequested  # RQ's work loop ends here, between two jobs

    def _tell(self, job: Job) -> None:
        """The job's line for the person watching, and its count for the summary."""
        kind = kind_of(job)
        try:
            line, failed = job_line(job, kind, datetime.now())
        except Exception:  # noqa: BLE001 - the job is done; a database hiccup must not kill the worker
            log.warning("ligne de la tâche %s non affichée", job.id, exc_info=True)
            line, failed = None, job.get_status(refresh=False) != JobStatus.FINISHED
        if line:
            say(line)
        self.tally.count(kind, failed)

    @contextmanager
    def _watched(self, job: Job, execution: Execution) -> Iterator[None]:
        """While the job runs: its heartbeat every JOB_MONITORING s from a thread, and, past its
        timeout + 60 s (stuck in C code, where RQ's SIGALRM cannot reach), the process ends:
        faulthandler's watchdog writes where it was stuck, and the supervisor forks a new one."""
        done = threading.Event()

        def keep_alive() -> None:
            while not done.wait(self.job_monitoring_interval):
                try:
                    self.maintain_heartbeats(job, execution)
                except Exception:  # noqa: BLE001 - a Redis hiccup must not end the job
                    log.warning("battement de cœur de la tâche non enregistré", exc_info=True)

        beating = threading.Thread(target=keep_alive, name="heartbeat", daemon=True)
        faulthandler.dump_traceback_later((job.timeout or self.queue_class.DEFAULT_TIMEOUT) + 60, exit=True)
        beating.start()
        try:
            yield
        finally:
            done.set()
            faulthandler.cancel_dump_traceback_later()
            beating.join()

    def _start_scheduler(self, burst: bool = False, logging_level: str | None = "INFO", *args: Any) -> None:
        """RQ's, with `Scheduler` for RQ's scheduler (RQ takes no class for it)."""
        if burst:  # one pass over the due jobs, then gone: how often it looks plays no part
            super()._start_scheduler(burst, logging_level, *args)
            return
        self.scheduler = Scheduler(
            self.queues, connection=self.connection, serializer=self.serializer,
            logging_level=logging_level or self.log.level,
        )  # fmt: skip
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            self.scheduler.start()

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        if threading.current_thread() is threading.main_thread() and os.getppid() != self.supervisor:
            # The supervisor is gone and its SIGTERM (`supervisor._stop_with`) did not stop us:
            # RQ raises StopRequested from the signal handler, and a broad `except` may swallow it.
            raise StopRequested
        super().heartbeat(timeout, pipeline)
        if time.monotonic() - self._db_beat_at >= DB_BEAT_EVERY:
            self._db_beat_at = time.monotonic()
            try:
                with session_scope() as session:
                    beat(session, self.beat_name, "worker", ",".join(self.queue_names()))
            except StopRequested:
                raise  # RQ's answer to SIGTERM when idle, raised wherever the worker was
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.warning("battement de cœur non enregistré", exc_info=True)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes there, KiB on Linux


def _warm() -> None:
    """Import, compile and load once, in the supervisor, what every job needs: each worker it forks
    starts warm, its first job as quick as the others (an organization's policy: ~80 ms to compile;
    the mail's imports and templates ~50 ms, SQLAlchemy's mappers and the message catalogs ~20 ms)."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    from sqlalchemy.orm import configure_mappers

    from balise.i18n import load_catalogs
    from balise.mail.render import compile_templates

    _compile_policies()
    configure_mappers()
    load_catalogs()
    compile_templates()
    # What the supervisor holds from now on stays put: the worker's garbage collector then leaves
    # those objects (and the memory pages shared with the supervisor) untouched instead of copying them.
    gc.collect()
    gc.freeze()


def _compile_policies() -> None:
    """ROEQ's policy merged with each organization's override, into `load_policy`'s cache (keyed
    by the override's text); a policy installed later is compiled by the first job that needs it."""
    from balise.compliance import load_policy

    load_policy()
    try:
        with session_scope() as session:
            overrides = set(session.execute(sa.select(col(Organization.policy_override)).distinct()).scalars())
    except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
        log.warning("politiques des organismes non préparées", exc_info=True)
        return
    for text in overrides:
        with suppress(PolicyError):  # a bad override fails its organization's jobs, not the worker
            load_policy(text)


def run_worker(queue_names: list[str] | None, *, burst: bool, with_scheduler: bool, verbose: bool = False) -> None:
    """Warm up here, then serve in a forked worker the supervisor replaces if it dies or wears out.

    Says on stderr when it is ready, each job done, and a summary once it stops; RQ's own (English)
    log lines only with `verbose`."""
    names = queue_names or list(QUEUES)
    name = f"balise-{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
    get_redis()  # a wrong REDIS_URL is one message here, not a worker that fails and is replaced forever
    _warm()
    with session_scope() as session:
        beat(session, name, "worker", ",".join(names))
    tally = Tally()

    def serve(generation: int) -> int:
        worker = BaliseWorker(
            [queue(n) for n in names],
            connection=get_redis(),
            name=f"{name}.{generation}",  # RQ keeps a killed worker's name registered for a while
            job_monitoring_interval=JOB_MONITORING,
            maintenance_interval=MAINTENANCE,
            worker_ttl=WORKER_TTL,
            beat_name=name,
            tally=tally,
        )
        # RQ gives its loggers ('rq.worker', 'rq.job', 'rq.scheduler') this level; a failed job's
        # traceback stays in RQ's failed registry and `--verbose`.
        worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO" if verbose else "CRITICAL")
        return RECYCLE if worker.recycle else 0

    say(ready_line(names))
    supervise(serve)
    say(summary_line(tally))
