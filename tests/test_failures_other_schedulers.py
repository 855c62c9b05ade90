"""One test per failure other schedulers shipped (shared/DESIGN.md), named after what balise
does instead. Those that need a failing platform are in tests/test_platform_failures.py."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from sqlmodel import func, select

from balise.db import session_scope
from balise.errors import TransitionRefused
from balise.heartbeat import beat
from balise.models import Heartbeat, Member, Notice, Post, Target, utcnow
from balise.pipeline.draft import edit_post
from balise.pipeline.due import publish_due
from balise.pipeline.publish import publish_target
from balise.queue.queues import PUBLISH
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.test_pipeline import _crash_mid_publish, _scheduled, outbox


def test_a_failure_after_the_platform_accepted_never_resends(env: dict[str, str]) -> None:
    # The platform accepted the post, then the worker died before the database heard of it.
    post_id, targets = _scheduled()
    _crash_mid_publish(targets[0], sent=True)
    publish_due()
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert len(outbox()) == 1
    with session_scope() as session:
        target = session.get(Target, targets[0])
        assert target and target.state == "published" and target.remote_id == outbox()[0]["id"]


def test_an_edit_after_publication_does_not_republish(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    assert publish_target(targets[0], "w")[0] == "published"
    with pytest.raises(TransitionRefused), session_scope() as session:
        post = session.get(Post, post_id)
        marie = session.exec(select(Member).where(Member.name == "Marie")).one()
        assert post
        edit_post(session, post, marie, text="Texte modifié après publication")
    publish_due()
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert len(outbox()) == 1
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post and post.state == State.PUBLISHED and post.text != "Texte modifié après publication"


def test_a_late_post_notifies_the_responsible_person_once(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    with session_scope() as session:
        target = session.get(Target, targets[0])
        assert target
        target.due_at = utcnow() - timedelta(minutes=10)
        session.add(target)
    for _ in range(3):
        assert publish_due().overdue == 1
    with session_scope() as session:
        notices = session.exec(select(func.count()).select_from(Notice).where(Notice.kind == "overdue")).one()
    assert notices == 1


def test_status_says_when_cron_stopped_and_exits_non_zero(env: dict[str, str]) -> None:
    _scheduled()
    publish_due()
    assert run_cli(["status"], env).returncode == 0
    with session_scope() as session:
        for row in session.exec(select(Heartbeat)):
            row.last_seen = utcnow() - timedelta(minutes=10)
            session.add(row)
    result = run_cli(["status"], env)
    assert result.returncode == 2  # publishing stalled (README)
    assert "cron n'a pas lancé" in result.stderr
    data = json.loads(run_cli(["status", "--json"], env).stdout)
    assert data["stalled"] is True and "cron" in data["stall_reasons"]


def test_status_lists_workers_alive_and_overdue_posts(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    with session_scope() as session:
        beat(session, "balise-test-worker", "worker", "publish")
        target = session.get(Target, targets[0])
        assert target
        target.due_at = utcnow() - timedelta(minutes=5)
        session.add(target)
    data = json.loads(run_cli(["status", "--json"], env).stdout)
    assert {"name": "balise-test-worker", "alive": True} == {k: data["workers"][0][k] for k in ("name", "alive")}
    assert [(p["post_id"], p["kind"]) for p in data["problems"]] == [(post_id, "overdue")]
    assert data["stalled"] is True


def test_times_survive_a_machine_without_tzdata(env: dict[str, str]) -> None:
    # No system zoneinfo: Python falls back to the `tzdata` package, a dependency of balise.
    environ = {**env, "PYTHONTZPATH": "/nonexistent-zoneinfo", "TZ": "UTC"}
    run_cli(["init", "--name", "ESPACE Sans Fuseau", "--admin", "Julie", "--email", "julie@exemple.org"], environ)
    added = run_cli(
        ["draft", "add", "Offre d'emploi", "-p", "sandbox", "--at", "2031-01-15 10:00", "--as", "Julie", "--json"],
        environ,
    )
    assert added.returncode == 0, added.stderr
    summer = run_cli(
        ["draft", "add", "Offre d'emploi", "-p", "sandbox", "--at", "2031-07-15 10:00", "--as", "Julie", "--json"],
        environ,
    )
    assert json.loads(added.stdout)["scheduled_at"] == "2031-01-15T10:00:00-05:00"
    assert json.loads(summer.stdout)["scheduled_at"] == "2031-07-15T10:00:00-04:00"
    with session_scope() as session:
        post = session.get(Post, json.loads(added.stdout)["id"])
        assert post and post.scheduled_at.utcoffset() == timedelta(0) and post.scheduled_at.hour == 15
    assert os.environ.get("PYTHONTZPATH") != "/nonexistent-zoneinfo"
