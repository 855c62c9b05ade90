"""Retraction: a published post is taken down everywhere it went, by an approver or admin only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from balise.db import session_scope
from balise.errors import PermissionDenied
from balise.models import AuditEvent, Member, Post, Target
from balise.pipeline.publish import publish_target
from balise.pipeline.takedown import retract
from balise.queue.queues import TAKEDOWN, enqueue_takedown
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.test_pipeline import _scheduled, outbox


def _published() -> tuple[int, list[int]]:
    post_id, targets = _scheduled()
    for target_id in targets:
        assert publish_target(target_id, "w")[0] == "published"
    return post_id, targets


def test_retract_deletes_the_post_on_every_platform_and_says_who_and_why(env: dict[str, str]) -> None:
    post_id, targets = _published()
    assert len(outbox()) == 1
    result = run_cli(["retract", str(post_id), "--reason", "Consentement retiré", "--as", "Julie"], env)
    assert result.returncode == 0, result.stderr
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)
    assert outbox() == []
    with session_scope() as session:
        post = session.get(Post, post_id)
        target = session.get(Target, targets[0])
        events = session.exec(select(AuditEvent).where(AuditEvent.post_id == post_id)).all()
    assert post and post.state == State.WITHDRAWN and target and target.state == "deleted"
    withdrawn = [e for e in events if e.to_state == "withdrawn"]
    assert [(e.actor, e.reason, e.channel) for e in withdrawn] == [("Julie", "Consentement retiré", "cli")]
    assert any(e.action == "deleted_on_platform" for e in events)


def test_an_author_who_is_not_an_approver_cannot_retract(env: dict[str, str]) -> None:
    post_id, _ = _published()
    result = run_cli(["retract", str(post_id), "--reason", "Je préfère", "--as", "Marie"], env)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    with session_scope() as session:
        marie = session.exec(select(Member).where(Member.name == "Marie")).one()
        post = session.get(Post, post_id)
        assert post and post.state == State.PUBLISHED
        with pytest.raises(PermissionDenied):
            retract(session, post, marie, reason="x", channel="cli")
    assert len(outbox()) == 1


def test_a_takedown_job_run_twice_deletes_once(env: dict[str, str]) -> None:
    post_id, targets = _published()
    run_cli(["retract", str(post_id), "--reason", "Erreur", "--as", "Julie"], env)
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)
    enqueue_takedown(targets[0])
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)
    with session_scope() as session:
        deletions = session.exec(
            select(AuditEvent).where(AuditEvent.post_id == post_id, AuditEvent.action == "deleted_on_platform")
        ).all()
    assert len(deletions) == 1
