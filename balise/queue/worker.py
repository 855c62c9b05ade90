"""The RQ worker balise runs: RQ's forking worker, plus a heartbeat in the database.

The database heartbeat is what `balise status` reads, so a worker is seen alive or dead even
when Redis was restarted and lost RQ's own worker registry.
"""

from __future__ import annotations

import gc
import importlib
import logging
import socket
import time
import uuid
from contextlib import suppress
from typing import Any

import sqlalchemy as sa
from rq import Queue, Worker
from rq.job import Job
from sqlmodel import col

from balise.db import session_scope
from balise.errors import PolicyError
from balise.heartbeat import beat
from balise.models import Member, Organization, Post, utcnow
from balise.queue.connection import get_redis
from balise.queue.queues import QUEUES, queue

log = logging.getLogger(__name__)
DB_BEAT_EVERY = 20.0  # seconds; `heartbeat.WORKER_ALIVE` must stay well above it
POLICIES_EVERY = 30.0  # seconds between two looks, before a job, for organizations' new policies
# RQ marks a running job abandoned once its heartbeat (every JOB_MONITORING s, valid for that
# + 60 s) lapses, but only when a worker cleans the registries: every MAINTENANCE s between jobs
# (RQ's default: 10 minutes), and an idle worker only wakes every WORKER_TTL - 15 s (RQ: 405 s).
# Until then `queues._live` sees the dead job as running and will not enqueue its id again.
JOB_MONITORING = 10
MAINTENANCE = 30
WORKER_TTL = 60
# What the jobs import lazily, imported once in the parent so each forked work horse starts warm
# (`balise.web.mail`, through `notify`, renders the sign-off mail: jinja2 alone is ~30 ms).
JOB_MODULES = ("balise.checking", "balise.publisher.publish", "balise.publisher.takedown", "balise.web.mail")


class BaliseWorker(Worker):
    _db_beat_at = 0.0
    _policies_at = 0.0

    def execute_job(self, job: Job, queue: Queue) -> None:
        """In the parent, before forking: an organization's policy changed since start-up is
        compiled here once, not in every work horse."""
        if time.monotonic() - self._policies_at >= POLICIES_EVERY:
            self._policies_at = time.monotonic()
            _compile_policies()
        super().execute_job(job, queue)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        super().heartbeat(timeout, pipeline)
        if time.monotonic() - self._db_beat_at >= DB_BEAT_EVERY:
            self._db_beat_at = time.monotonic()
            try:
                with session_scope() as session:
                    beat(session, self.name, "worker", ",".join(self.queue_names()))
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.warning("battement de cœur non enregistré", exc_info=True)


def _warm() -> None:
    """Import, compile and load once, in the parent, what every job needs: each work horse is a
    fresh fork that would otherwise redo it per job (an organization's policy: ~80 ms to compile;
    the mail's imports and templates ~50 ms, SQLAlchemy's mappers and the message catalogs ~20 ms)."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    from sqlalchemy.orm import configure_mappers

    from balise.i18n import load_catalogs
    from balise.web.render import compile_templates

    _compile_policies()
    configure_mappers()
    _compile_queries()
    load_catalogs()
    compile_templates()
    # What the parent holds from now on stays put: the work horse's garbage collector then leaves
    # those objects (and the memory pages shared with the parent) untouched instead of copying them.
    gc.collect()
    gc.freeze()


def _compile_queries() -> None:
    """The jobs' reads, run here once on ids that do not exist (nothing is written): the engine
    keeps each query's compiled form, which every work horse inherits. Compiled in a work horse
    instead, a query costs it 1 to 3 ms, mostly in copying the parent's memory it touches."""
    from balise.checking import check_post
    from balise.notify import waiting_on
    from balise.posts import latest_check, photos_of, targets_of
    from balise.publisher.publish import publish_target

    check_post(0, 0)  # "skipped": reads the post
    publish_target(0, "warm-up")  # "missing": reads the target
    nobody = Post(id=0, org_id=0, author_id=0, text="", scheduled_at=utcnow(), content_hash="")
    with session_scope() as session:
        session.get(Organization, 0)
        session.get(Member, 0)
        for read in (targets_of, photos_of, waiting_on, latest_check):
            read(session, nobody)


def _compile_policies() -> None:
    """ROEQ's policy merged with each organization's override, into `load_policy`'s cache (keyed
    by the override's text): a work horse missing its organization's would compile it (~80 ms)."""
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


def run_worker(queue_names: list[str] | None, *, burst: bool, with_scheduler: bool) -> bool:
    names = queue_names or list(QUEUES)
    name = f"balise-{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
    _warm()
    worker = BaliseWorker(
        [queue(n) for n in names],
        connection=get_redis(),
        name=name,
        job_monitoring_interval=JOB_MONITORING,
        maintenance_interval=MAINTENANCE,
        worker_ttl=WORKER_TTL,
    )
    with session_scope() as session:
        beat(session, name, "worker", ",".join(names))
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="WARNING")
