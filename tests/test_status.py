"""`balise status` as a monitoring tool reads it: stopped workers reported once, then forgotten,
and an exit code for each verdict (README): 0 all is well, 1 a person is needed, 2 stalled
(cron stalled: `test_failures_other_schedulers.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from balise.config import reset_settings
from balise.db import session_scope
from balise.heartbeat import beat
from balise.models import Heartbeat, Target, utcnow
from balise.pipeline.due import publish_due
from balise.pipeline.publish import publish_target
from balise.queue.worker import run_worker
from tests.conftest import ROOT, run_cli
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.helpers import make_org
from tests.test_pipeline import _scheduled


def _worker_beat(name: str, minutes_ago: float) -> None:
    with session_scope() as session:
        beat(session, name, "worker", "publish")
        row = session.get(Heartbeat, name)
        assert row
        row.last_seen = utcnow() - timedelta(minutes=minutes_ago)
        session.add(row)


def _workers() -> set[str]:
    with session_scope() as session:
        return {row.name for row in session.exec(select(Heartbeat).where(Heartbeat.kind == "worker"))}


def test_a_stopped_worker_is_listed_once_as_stopped_then_forgotten(env: dict[str, str]) -> None:
    make_org()
    _worker_beat("balise-vieux", minutes_ago=3)
    _worker_beat("balise-vivant", minutes_ago=0.5)
    first = run_cli(["status"], env)
    assert first.returncode == 0, first.stderr
    assert "Travailleur balise-vieux : arrêté (dernier signe de vie : " in first.stderr
    assert "Travailleur balise-vivant : actif" in first.stdout and "balise-vivant" not in first.stderr
    second = run_cli(["status"], env)
    assert second.returncode == 0, second.stderr
    assert "balise-vieux" not in second.stdout + second.stderr and "balise-vivant : actif" in second.stdout
    assert _workers() == {"balise-vivant"}


def test_json_reports_a_stopped_worker_once_with_its_last_beat(env: dict[str, str]) -> None:
    make_org()
    _worker_beat("balise-vieux", minutes_ago=10)
    first = json.loads(run_cli(["status", "--json"], env).stdout)
    [stopped] = first["workers"]
    assert (stopped["name"], stopped["alive"]) == ("balise-vieux", False) and stopped["last_seen"]
    assert json.loads(run_cli(["status", "--json"], env).stdout)["workers"] == []


def test_two_status_at_once_list_each_stopped_worker_once(env: dict[str, str]) -> None:
    make_org()
    names = {f"balise-arrete-{n}" for n in range(20)}
    for name in names:
        _worker_beat(name, minutes_ago=5)
    command = [sys.executable, "-m", "balise.cli.main", "status", "--json"]
    running = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    listed = [[w["name"] for w in json.loads(p.communicate(timeout=120)[0])["workers"]] for p in running]
    assert sorted(listed[0] + listed[1]) == sorted(names)  # each once, by one of the two
    assert _workers() == set()


def test_all_well_exits_zero(env: dict[str, str]) -> None:
    _scheduled()
    publish_due()  # cron's heartbeat
    _worker_beat("balise-vivant", minutes_ago=0)
    result = run_cli(["status"], env)
    assert result.returncode == 0, result.stderr
    data = json.loads(run_cli(["status", "--json"], env).stdout)
    assert (data["stalled"], data["needs_person"], data["problems"]) == (False, False, [])


def test_a_post_that_needs_a_person_exits_one(
    env: dict[str, str], fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in FakeAccount("x", fake_x).env("expired").items():
        monkeypatch.setenv(name, value)
    reset_settings()
    post_id, targets = _scheduled(platforms=("x",))
    assert publish_target(targets[0], "w")[0] == "failed:needs_person"
    result = run_cli(["status"], env)
    assert result.returncode == 1, result.stderr
    assert f"Une intervention est nécessaire (publication n° {post_id})" in result.stderr
    assert f"balise draft show {post_id}" in result.stderr
    data = json.loads(run_cli(["status", "--json"], env).stdout)
    assert data["needs_person"] is True and data["stalled"] is False
    assert [(p["post_id"], p["kind"]) for p in data["problems"]] == [(post_id, "needs_person")]


def test_an_overdue_post_exits_two(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    publish_due()
    run_worker(["compliance"], burst=True, with_scheduler=False)  # a worker that beat just now
    with session_scope() as session:
        target = session.get(Target, targets[0])
        assert target
        target.due_at = utcnow() - timedelta(minutes=5)
        session.add(target)
    result = run_cli(["status"], env)
    assert result.returncode == 2 and "Des publications sont en retard" in result.stderr
    data = json.loads(run_cli(["status", "--json"], env).stdout)
    assert data["stall_reasons"] == ["overdue"] and [p["kind"] for p in data["problems"]] == ["overdue"]
