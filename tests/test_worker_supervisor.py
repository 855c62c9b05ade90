"""`balise worker`'s supervisor: the warm worker it forks is replaced when it dies or wears out,
stopped with it, and watched while a job runs as RQ's forking worker watches a work horse."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import psutil
import pytest
from rq import Queue
from rq import Worker as RQWorker
from rq.job import Job, JobStatus

from balise.queue import worker
from balise.queue.connection import get_redis
from balise.queue.queues import COMPLIANCE, enqueue_check, queue
from balise.queue.worker import run_worker
from balise.states import State
from benchmarks._common import Worker, wait_for
from tests.helpers import make_org, make_post, state_of

TEXT = "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention. Postulez avant le 15 janvier."


def _rq_workers() -> set[str]:
    return {w.name for w in RQWorker.all(queue=Queue(COMPLIANCE, connection=get_redis()))}


def _serving(process: Worker) -> psutil.Process:
    """The worker the supervisor forked, once RQ knows it."""
    assert wait_for(lambda: len(process.family()) >= 2 and _rq_workers(), timeout=30)
    return process.family()[1]


def _drafts(count: int) -> list[int]:
    org, author, _ = make_org()
    return [make_post(org, author, text=f"{TEXT} ({n})") for n in range(count)]


def test_a_worn_out_worker_is_replaced_and_the_queue_still_empties(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "MAX_JOBS", 2)
    posts = _drafts(5)
    for post_id in posts:
        enqueue_check(post_id, 1)
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert [state_of(p) for p in posts] == [State.AWAITING_SIGNOFF] * 5
    names = {Job.fetch(f"check-{p}-v1", connection=get_redis()).worker_name for p in posts}
    assert {str(n).rsplit(".", 1)[1] for n in names} == {"1", "2", "3"}  # 2 + 2 + 1 jobs


def test_a_killed_worker_is_replaced_and_the_supervisor_serves_on(env: dict[str, str]) -> None:
    process = Worker(env, "--queue", COMPLIANCE).start()
    try:
        first = _serving(process)
        first.send_signal(signal.SIGKILL)
        assert wait_for(lambda: any(n.endswith(".2") for n in _rq_workers()), timeout=30)
        (post_id,) = _drafts(1)
        enqueue_check(post_id, 1)
        assert wait_for(lambda: state_of(post_id) == State.AWAITING_SIGNOFF, timeout=30)
        assert process.process is not None and process.process.poll() is None
    finally:
        process.stop()


def test_stopping_lets_the_job_in_hand_finish_then_leaves_no_process(env: dict[str, str]) -> None:
    process = Worker(env, "--queue", COMPLIANCE).start()
    try:
        family = [p.pid for p in (process.family()[0], _serving(process))]
        job = queue(COMPLIANCE).enqueue("time.sleep", 3, job_id="slow")
        assert wait_for(lambda: job.get_status(refresh=True) == JobStatus.STARTED, timeout=30)
        assert process.process is not None
        process.process.send_signal(signal.SIGTERM)
        assert process.process.wait(timeout=30) == 0
        assert job.get_status(refresh=True) == JobStatus.FINISHED
        assert not [pid for pid in family if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    finally:
        process.stop()


def test_a_worker_whose_supervisor_was_killed_outright_does_not_serve_on_unwatched(env: dict[str, str]) -> None:
    process = Worker(env, "--queue", COMPLIANCE).start()
    try:
        child = _serving(process)
        assert process.process is not None
        process.process.send_signal(signal.SIGKILL)
        process.process.wait(timeout=10)
        assert wait_for(lambda: not child.is_running() or child.status() == "zombie", timeout=30)
    finally:
        process.stop()


def test_a_long_job_keeps_its_heartbeat_fresh(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Without it the job would be found abandoned JOB_MONITORING + 60 s after it began.
    monkeypatch.setattr(worker, "JOB_MONITORING", 1)
    job = queue(COMPLIANCE).enqueue("time.sleep", 4, job_id="long", job_timeout=30)
    beats: set[object] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            job.refresh()
            if job.get_status(refresh=False) == JobStatus.STARTED:
                beats.add(job.last_heartbeat)
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    finally:
        done.set()
        watcher.join()
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert len(beats) >= 3


def test_the_scheduler_moves_a_job_once_its_second_has_come(env: dict[str, str]) -> None:
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    job = queue(COMPLIANCE).enqueue_at(at, "time.time", job_id="at")
    process = Worker(env, "--queue", COMPLIANCE, "--with-scheduler").start()
    try:
        assert wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, timeout=30)
        assert job.return_value() >= at.timestamp()
    finally:
        process.stop()


STOPPED_WHILE_FORKING = """
import os, signal, time
from balise.queue.supervisor import supervise

os.register_at_fork(before=lambda: os.kill(os.getpid(), signal.SIGTERM))  # the stop lands as it forks
supervise(lambda generation: time.sleep(600) or 0)  # a worker that would serve on
"""


def test_a_stop_that_lands_while_the_supervisor_forks_stops_the_new_worker() -> None:
    process = subprocess.run([sys.executable, "-c", STOPPED_WHILE_FORKING], timeout=60, capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
