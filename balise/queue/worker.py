"""The RQ worker balise runs: RQ's forking worker, plus a heartbeat in the database.

The database heartbeat is what `balise status` reads, so a worker is seen alive or dead even
when Redis was restarted and lost RQ's own worker registry.
"""

from __future__ import annotations

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


def run_worker(queue_names: list[str] | None, *, burst: bool, with_scheduler: bool) -> bool:
    names = queue_names or list(QUEUES)
    name = f"balise-{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
    worker = BaliseWorker([queue(n) for n in names], connection=get_redis(), name=name)
    with session_scope() as session:
        beat(session, name, "worker", ",".join(names))
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="WARNING")
