"""The RQ worker balise runs: RQ's forking worker, plus a heartbeat in the database.

The database heartbeat is what `balise status` reads, so a worker is seen alive or dead even
when Redis was restarted and lost RQ's own worker registry.
"""

from __future__ import annotations

import importlib
import logging
import socket
import time
import uuid
from typing import Any

from rq import Worker

from balise.db import session_scope
from balise.heartbeat import beat
from balise.queue.connection import get_redis
from balise.queue.queues import QUEUES, queue

log = logging.getLogger(__name__)
DB_BEAT_EVERY = 20.0  # seconds; `heartbeat.WORKER_ALIVE` must stay well above it
# RQ marks a running job abandoned once its heartbeat (every JOB_MONITORING s, valid for that
# + 60 s) lapses, but only when a worker cleans the registries: every MAINTENANCE s between jobs
# (RQ's default: 10 minutes), and an idle worker only wakes every WORKER_TTL - 15 s (RQ: 405 s).
# Until then `queues._live` sees the dead job as running and will not enqueue its id again.
JOB_MONITORING = 10
MAINTENANCE = 30
WORKER_TTL = 60
# What the jobs import lazily, imported once in the parent so each forked work horse starts warm.
JOB_MODULES = ("balise.checking", "balise.publisher.publish", "balise.publisher.takedown")


class BaliseWorker(Worker):
    _db_beat_at = 0.0

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
    """Import and compile once, in the parent, what every job needs: each work horse is a fresh
    fork that would otherwise redo it per job (ROEQ's policy alone takes ~0.4 s to compile)."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    from balise.compliance import load_policy

    load_policy()


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
