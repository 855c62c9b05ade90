"""Exactly once under faults: a short run of the chaos benchmark (platforms failing, workers
SIGKILLed, Redis flushed), and the publish-path bugs that chaos found, one test each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from balise.config import reset_settings
from balise.errors import RetryLater
from balise.models import utcnow
from balise.publisher.base import Publication
from balise.queue import jobs, worker
from balise.queue.connection import get_redis
from balise.queue.queues import PUBLISH, enqueue_publish, queue
from benchmarks.chaos import ChaosConfig, run_chaos
from tests.fakes.base import TRANSIENT, RecordedPost
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.test_pipeline import _scheduled


@pytest.mark.slow
def test_nothing_is_lost_or_posted_twice_when_platforms_workers_and_redis_fail(redis_url: str) -> None:
    config = ChaosConfig(
        posts=24,
        workers=2,
        refusals=1,
        kill_every=4,
        kill_window=10,
        spread=8,
        lease=10,
        retry_max=3,
        settle=90,
        facebook_kinds=tuple(k for k in TRANSIENT if k != "rate_limit"),  # its 429 says "in a minute"
        redis_url=redis_url,
    )
    result = run_chaos(config)
    assert result.flushed and result.kills >= 2 and result.faults > 0
    assert (result.duplicates, result.lost) == (0, 0), result.problems


def _scheduled_at(job_id: str) -> datetime:
    score = get_redis().zscore(ScheduledJobRegistry(PUBLISH, connection=get_redis()).key, job_id)
    assert score is not None, f"{job_id} is not on RQ's schedule"
    return datetime.fromtimestamp(score, UTC)


def test_a_job_due_mid_second_is_never_moved_before_its_time(env: dict[str, str]) -> None:
    at = datetime.now(UTC).replace(microsecond=700_000) + timedelta(seconds=30)
    assert enqueue_publish(1, 0, at)
    # RQ's scheduler keeps whole seconds; rounded down, the job would run 0.7 s early and find
    # its target not due, and nothing but cron would run it again.
    assert _scheduled_at("publish-1-0-at") >= at


def test_cron_adds_no_second_job_for_an_attempt_the_scheduler_already_queued(env: dict[str, str]) -> None:
    assert enqueue_publish(1, 0, datetime.now(UTC) + timedelta(seconds=30))
    job = Job.fetch("publish-1-0-at", connection=get_redis())
    ScheduledJobRegistry(PUBLISH, connection=get_redis()).remove(job)
    queue(PUBLISH).enqueue_job(job)  # what RQ's scheduler does at the job's time
    assert not enqueue_publish(1, 0)
    assert queue(PUBLISH).count == 1


def test_an_uncertain_post_is_looked_for_again_without_waiting_for_cron(
    env: dict[str, str], fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**FakeAccount("x", fake_x).env(), "BALISE_HTTP_TIMEOUT": "1"}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    _, (target_id,) = _scheduled(platforms=("x",))
    fake_x.fail_next("5xx")  # maybe posted: the target waits out its back-off, then looks first
    assert jobs.publish(target_id) == "uncertain"  # the job runs the step's after-commit work
    assert _scheduled_at(f"publish-{target_id}-1-at") > datetime.now(UTC)


def test_a_publish_job_is_stopped_before_its_lease_runs_out(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALISE_PUBLISH_LEASE_SECONDS", "40")
    reset_settings()
    enqueue_publish(1, 0)
    assert Job.fetch("publish-1-0", connection=get_redis()).timeout == 20


def test_an_abandoned_job_is_noticed_within_two_minutes() -> None:
    # A dead horse's job stays "started" until its heartbeat lapses (JOB_MONITORING + 60 s) and a
    # worker next cleans the registries: between jobs every MAINTENANCE s, idle every WORKER_TTL - 15 s.
    noticed = worker.JOB_MONITORING + 60 + max(worker.MAINTENANCE, worker.WORKER_TTL - 15)
    assert noticed <= 120


def test_a_post_older_than_the_last_page_read_is_not_taken_for_missing(fake_x: FakeX) -> None:
    adapter = FakeAccount("x", fake_x).adapter()
    wanted = Publication(post_id=1, target_id=1, text="Offre d'emploi : animatrice", not_before=utcnow())
    adapter.publish(wanted)
    for n in range(510):  # a busy account: 510 newer posts on the timeline
        fake_x.record(RecordedPost(fake_x.new_id(), f"Autre publication {n}", utcnow()))
    try:
        assert adapter.find(wanted) is not None
    except RetryLater:
        pass  # "cannot tell" is honest: the publisher asks again later, or a person
