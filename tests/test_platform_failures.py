"""The design's failures that need a platform misbehaving: real facebook-sdk and tweepy code
paths, over HTTP, to the fake platforms; real database and Redis; balise's own publish job."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlmodel import update

from balise.config import reset_settings
from balise.db import session_scope
from balise.models import Post, Target, utcnow
from balise.pipeline.publish import publish_target
from balise.pipeline.takedown import take_down_target
from balise.posts import targets_of
from balise.queue.queues import TAKEDOWN, queue
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.test_pipeline import JOB_OFFER, _scheduled


@pytest.fixture
def accounts(
    env: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """balise configured for the fake Facebook Page and X account; returns the environment."""
    values = {
        **FakeAccount("facebook", fake_facebook).env(),
        **FakeAccount("x", fake_x).env(),
        "BALISE_HTTP_TIMEOUT": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    return {**env, **values}


def _targets(post_id: int) -> dict[str, Target]:
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        return {t.platform: t for t in targets_of(session, post)}


def _post_state(post_id: int) -> str:
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        return post.state


def _lease_runs_out(target_id: int) -> None:
    with session_scope() as session:
        session.execute(
            update(Target).where(Target.id == target_id).values(lease_until=utcnow() - timedelta(seconds=1))
        )  # type: ignore[arg-type]


def test_one_failing_platform_does_not_fail_the_others(
    accounts: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    post_id, target_ids = _scheduled(platforms=("facebook", "x"))
    fake_x.fail_next("invalid")
    for target_id in target_ids:
        publish_target(target_id, "w")
    targets = _targets(post_id)
    assert targets["facebook"].state == "published" and len(fake_facebook.live_posts) == 1
    assert targets["x"].state == "failed" and targets["x"].error_kind == "permanent" and targets["x"].last_error
    assert _post_state(post_id) == State.PUBLISHED


def test_a_network_error_is_not_taken_for_a_dead_token(
    accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port where nothing listens: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("BALISE_X_API_URL", closed)
    reset_settings()
    post_id, target_ids = _scheduled(platforms=("x",))
    assert publish_target(target_ids[0], "w")[0] == "retry_later"
    target = _targets(post_id)["x"]
    assert target.state == "pending" and target.error_kind == "retry_later" and target.due_at > utcnow()
    assert _post_state(post_id) == State.PUBLISHING


def test_a_dead_token_waits_for_a_person_and_is_not_retried(
    accounts: dict[str, str], fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALISE_X_ACCESS_TOKEN", FakeAccount("x", fake_x).env("expired")["BALISE_X_ACCESS_TOKEN"])
    reset_settings()
    post_id, target_ids = _scheduled(platforms=("x",))
    assert publish_target(target_ids[0], "w")[0] == "failed:needs_person"
    assert _targets(post_id)["x"].error_kind == "needs_person" and fake_x.live_posts == []


def test_a_retry_after_a_timeout_never_resends_an_accepted_post(
    accounts: dict[str, str], fake_facebook: FakeFacebook
) -> None:
    post_id, target_ids = _scheduled(platforms=("facebook",))
    fake_facebook.fail_next("timeout_after_create")  # the Page got the post; its answer never came
    assert publish_target(target_ids[0], "w1")[0] == "uncertain"
    assert _targets(post_id)["facebook"].needs_reconcile
    _lease_runs_out(target_ids[0])
    assert publish_target(target_ids[0], "w2")[0] == "reconciled"
    assert len(fake_facebook.live_posts) == 1
    assert _targets(post_id)["facebook"].remote_id == fake_facebook.live_posts[0].id


def test_an_uncertain_failure_that_did_not_post_is_sent_once_after_looking(
    accounts: dict[str, str], fake_x: FakeX
) -> None:
    post_id, target_ids = _scheduled(platforms=("x",))
    fake_x.fail_next("5xx")  # a 5xx on create: maybe posted, in fact not
    assert publish_target(target_ids[0], "w1")[0] == "uncertain"
    _lease_runs_out(target_ids[0])
    assert publish_target(target_ids[0], "w2")[0] == "published"
    assert [p.text for p in fake_x.live_posts] == [JOB_OFFER]


def test_a_rate_limited_post_is_retried_after_the_reset_time_not_before(
    accounts: dict[str, str], fake_x: FakeX
) -> None:
    post_id, target_ids = _scheduled(platforms=("x",))
    fake_x.fail_next("rate_limit")
    assert publish_target(target_ids[0], "w")[0] == "retry_later"
    target = _targets(post_id)["x"]
    assert fake_x.reset_at is not None and abs((target.due_at - fake_x.reset_at).total_seconds()) < 1
    assert publish_target(target_ids[0], "w")[0] == "not_due"
    with session_scope() as session:
        session.execute(update(Target).where(Target.id == target_ids[0]).values(due_at=utcnow()))  # type: ignore[arg-type]
    assert publish_target(target_ids[0], "w")[0] == "published" and len(fake_x.live_posts) == 1


def test_retract_deletes_the_post_on_facebook_and_x(
    accounts: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    post_id, target_ids = _scheduled(platforms=("facebook", "x"))
    for target_id in target_ids:
        assert publish_target(target_id, "w")[0] == "published"
    assert len(fake_facebook.live_posts) == 1 and len(fake_x.live_posts) == 1
    refused = run_cli(["retract", str(post_id), "--reason", "Erreur", "--as", "Marie"], accounts)
    assert refused.returncode == 4 and len(fake_x.live_posts) == 1
    done = run_cli(["retract", str(post_id), "--reason", "Consentement retiré", "--as", "Julie"], accounts)
    assert done.returncode == 0, done.stderr
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)
    assert fake_facebook.live_posts == [] and fake_x.live_posts == []
    assert {t.state for t in _targets(post_id).values()} == {"deleted"}


def test_a_rate_limited_takedown_waits_on_the_scheduler_until_the_reset_time(
    accounts: dict[str, str], fake_x: FakeX
) -> None:
    """The takedown job hands its next try back to the after-commit list, which queues it through
    `queue.queues` (a job id of its own, at the platform's reset time), never by itself."""
    post_id, target_ids = _scheduled(platforms=("x",))
    assert publish_target(target_ids[0], "w")[0] == "published"
    done = run_cli(["retract", str(post_id), "--reason", "Consentement retiré", "--as", "Julie"], accounts)
    assert done.returncode == 0, done.stderr
    fake_x.fail_next("rate_limit", on="delete")
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)
    assert len(fake_x.live_posts) == 1 and _targets(post_id)["x"].state == "published"
    scheduled = queue(TAKEDOWN).scheduled_job_registry
    [job_id] = scheduled.get_job_ids()
    assert job_id.startswith(f"takedown-{target_ids[0]}-") and job_id.endswith("-at")
    assert fake_x.reset_at is not None
    assert abs((scheduled.get_scheduled_time(job_id) - fake_x.reset_at).total_seconds()) <= 1
    assert take_down_target(target_ids[0], "w")[0] == "deleted" and fake_x.live_posts == []
