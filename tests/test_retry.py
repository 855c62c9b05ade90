"""No dead ends: a failed target is retried or rescheduled by an approver, through the command
line, published once by a real worker on the fake platforms, and every refusal leaves nothing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import col, select, update

from balise.config import reset_settings
from balise.db import session_scope
from balise.models import Approval, AuditEvent, Member, Post, utcnow
from balise.pipeline.publish import publish_target
from balise.queue.queues import PUBLISH, enqueue_publish
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX
from tests.helpers import snapshot, state_of, targets_by_platform
from tests.test_pipeline import _scheduled
from tests.test_platform_failures import (
    _lease_runs_out,
    accounts,  # noqa: F401  (the fixture: balise on the fake platforms)
)


def _failed_on_facebook(fake_facebook: FakeFacebook, platforms: tuple[str, ...] = ("facebook",)) -> int:
    """A post the fake Page refused (an invalid-content answer: never retried by the machine)."""
    post_id, target_ids = _scheduled(platforms=platforms)
    fake_facebook.fail_next("invalid")
    for target_id in target_ids:
        enqueue_publish(target_id, 0)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert targets_by_platform(post_id)["facebook"].state == "failed"
    return post_id


def _events(post_id: int, action: str) -> list[AuditEvent]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.post_id == post_id, AuditEvent.action == action)))


def test_a_failed_target_is_retried_by_an_approver_and_published_once(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
) -> None:
    post_id = _failed_on_facebook(fake_facebook)
    assert state_of(post_id) == State.FAILED and fake_facebook.live_posts == []
    result = run_cli(["retry", str(post_id), "--reason", "Texte accepté maintenant", "--as", "Julie"], accounts)
    assert result.returncode == 0, result.stderr
    assert "relancée sur facebook" in result.stdout
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    run_worker([PUBLISH], burst=True, with_scheduler=False)  # a second worker finds nothing more to send
    assert len(fake_facebook.live_posts) == 1 and state_of(post_id) == State.PUBLISHED
    assert targets_by_platform(post_id)["facebook"].remote_id == fake_facebook.live_posts[0].id
    [requeued] = _events(post_id, "requeued")
    assert (requeued.actor, requeued.channel, requeued.from_state, requeued.to_state) == (
        "Julie", "cli", "failed", "pending",
    )  # fmt: skip
    assert requeued.reason and requeued.reason.endswith("Texte accepté maintenant")
    moves = [(e.from_state, e.to_state, e.actor) for e in _events(post_id, "transition")]
    assert ("failed", "scheduled", "Julie") in moves and moves[-1][1] == "published"
    again = run_cli(["retry", str(post_id), "--reason", "Encore", "--as", "Julie"], accounts)
    assert again.returncode == 2 and "aucune cible en échec" in again.stderr and "Traceback" not in again.stderr
    assert len(fake_facebook.live_posts) == 1


def test_a_retried_target_of_a_partly_published_post_keeps_its_first_publication_time(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
    fake_x: FakeX,
) -> None:
    post_id = _failed_on_facebook(fake_facebook, platforms=("facebook", "x"))
    with session_scope() as session:
        first = session.get(Post, post_id)
        assert first and first.state == State.PUBLISHED and first.published_at
    args = ["retry", str(post_id), "-p", "facebook", "--reason", "Corrigé", "--as", "Julie", "--json"]
    result = run_cli(args, accounts)
    assert result.returncode == 0, result.stderr
    assert '"state": "publishing"' in result.stdout
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert len(fake_facebook.live_posts) == 1 and len(fake_x.live_posts) == 1
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post and post.state == State.PUBLISHED and post.published_at == first.published_at


def test_a_rescheduled_target_is_published_at_its_new_time_by_publish_due(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
) -> None:
    post_id = _failed_on_facebook(fake_facebook)
    at = (utcnow() + timedelta(seconds=30)).replace(microsecond=0)
    args = ["draft", "reschedule", str(post_id), "--at", at.isoformat(), "--reason", "Page rétablie", "--as", "Julie"]
    result = run_cli(args, accounts)
    assert result.returncode == 0, result.stderr
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post and post.state == State.SCHEDULED and post.scheduled_at == at
        # The approver who chose the time signed off the new content hash (the late sign-off rule).
        signed = session.exec(select(Approval).where(Approval.content_hash == post.content_hash)).all()
        assert [(a.comment, a.channel) for a in signed] == [("Page rétablie", "cli")]
    assert run_cli(["publish-due"], accounts).returncode == 0
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert utcnow() < at and fake_facebook.live_posts == []  # not before its new time
    time.sleep(max(0.0, (at - utcnow()).total_seconds()) + 0.5)
    assert run_cli(["publish-due"], accounts).returncode == 0
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert len(fake_facebook.live_posts) == 1 and state_of(post_id) == State.PUBLISHED
    assert [e.actor for e in _events(post_id, "rescheduled")] == ["Julie"]


@pytest.mark.parametrize(
    "command",
    [["retry", "{id}"], ["draft", "reschedule", "{id}", "--at", "2099-01-05 10:00"]],
    ids=["retry", "reschedule"],
)
def test_an_author_can_neither_retry_nor_reschedule(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
    command: list[str],
) -> None:
    post_id = _failed_on_facebook(fake_facebook)
    before = snapshot()
    args = [part.format(id=post_id) for part in command]
    result = run_cli([*args, "--reason", "Je relance", "--as", "Marie"], accounts)
    assert result.returncode == 4 and "approver" in result.stderr and "Traceback" not in result.stderr
    assert snapshot() == before


def test_a_published_target_is_not_retried(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
) -> None:
    post_id, target_ids = _scheduled(platforms=("facebook",))
    enqueue_publish(target_ids[0], 0)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    before = snapshot()
    result = run_cli(["retry", str(post_id), "-p", "facebook", "--reason", "Encore", "--as", "Julie"], accounts)
    assert result.returncode == 2 and "déjà publiée sur facebook" in result.stderr
    assert snapshot() == before and len(fake_facebook.live_posts) == 1


def test_an_uncertain_target_is_left_to_draft_resolve(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
) -> None:
    post_id, target_ids = _scheduled(platforms=("facebook",))
    fake_facebook.fail_next("timeout_after_create")  # the Page got it; its answer never came
    enqueue_publish(target_ids[0], 0)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert targets_by_platform(post_id)["facebook"].error_kind == "uncertain"
    before = snapshot()
    for args in (["retry", str(post_id)], ["draft", "reschedule", str(post_id), "--at", "2099-01-05 10:00"]):
        result = run_cli([*args, "--reason", "Relance", "--as", "Julie"], accounts)
        assert result.returncode == 2 and "balise draft resolve" in result.stderr, result.stderr
    assert snapshot() == before and len(fake_facebook.live_posts) == 1


def test_a_retry_looks_on_the_platform_first_and_never_posts_twice(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post_id, target_ids = _scheduled(platforms=("facebook",))
    fake_facebook.fail_next("timeout_after_create")  # the Page got it; its answer never came
    enqueue_publish(target_ids[0], 0)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    _lease_runs_out(target_ids[0])
    token = accounts["BALISE_FACEBOOK_PAGE_TOKEN"]
    monkeypatch.delenv("BALISE_FACEBOOK_PAGE_TOKEN")  # the account removed before the second look
    reset_settings()
    assert publish_target(target_ids[0], "w")[0] == "failed:needs_person"
    monkeypatch.setenv("BALISE_FACEBOOK_PAGE_TOKEN", token)
    reset_settings()
    result = run_cli(["retry", str(post_id), "--reason", "Compte reconnecté", "--as", "Julie"], accounts)
    assert result.returncode == 0, result.stderr
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert len(fake_facebook.live_posts) == 1 and state_of(post_id) == State.PUBLISHED
    assert targets_by_platform(post_id)["facebook"].remote_id == fake_facebook.live_posts[0].id


def test_a_new_time_is_a_sign_off_never_by_an_author_while_a_retry_by_one_is_fine(
    accounts: dict[str, str],  # noqa: F811
    fake_facebook: FakeFacebook,
) -> None:
    post_id = _failed_on_facebook(fake_facebook)
    with session_scope() as session:  # Marie wrote it, and is an approver now
        session.execute(update(Member).where(col(Member.name) == "Marie").values(role="approver"))
    before = snapshot()
    args = ["draft", "reschedule", str(post_id), "--at", "2099-01-05 10:00", "--reason", "Ma page", "--as", "Marie"]
    refused = run_cli(args, accounts)
    assert refused.returncode == 4 and "quatre yeux" in refused.stderr and snapshot() == before
    retried = run_cli(["retry", str(post_id), "--reason", "Texte corrigé chez Facebook", "--as", "Marie"], accounts)
    assert retried.returncode == 0, retried.stderr
