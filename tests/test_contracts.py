"""The JSON shapes scripts rely on (shared/DESIGN.md), and the tamper-evident audit log."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from balise.db import get_engine
from tests.conftest import run_cli
from tests.helpers import make_org

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def _check_post_shape(post: dict[str, object]) -> None:
    assert isinstance(post["id"], int)
    assert post["state"] in {"pending_check", "rejected", "needs_review", "awaiting_signoff", "scheduled",
                             "publishing", "published", "failed", "cancelled", "withdrawn"}  # fmt: skip
    assert ISO_WITH_OFFSET.match(str(post["scheduled_at"]))
    targets = post["targets"]
    assert isinstance(targets, list) and targets
    for target in targets:
        assert set(target) >= {"platform", "state", "remote_id", "url"}
        assert target["platform"] in {"facebook", "x", "sandbox"}


def test_draft_add_show_and_list_print_the_design_json(env: dict[str, str]) -> None:
    make_org()
    added = run_cli(
        ["draft", "add", "Offre d'emploi : animatrice", "-p", "facebook", "-p", "twitter", "--at", "2031-06-01 10:00",
         "--as", "Marie", "--json"],
        env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    post = json.loads(added.stdout)
    _check_post_shape(post)
    assert post["scheduled_at"] == "2031-06-01T10:00:00-04:00"
    assert [t["platform"] for t in post["targets"]] == ["facebook", "x"]
    shown = json.loads(run_cli(["draft", "show", str(post["id"]), "--json"], env).stdout)
    listed = json.loads(run_cli(["draft", "list", "--json"], env).stdout)
    _check_post_shape(shown)
    assert [p["id"] for p in listed] == [post["id"]] and listed[0]["state"] == shown["state"]


def test_an_iso_time_with_an_offset_is_accepted(env: dict[str, str]) -> None:
    make_org()
    added = run_cli(
        [
            "draft",
            "add",
            "Offre d'emploi",
            "-p",
            "sandbox",
            "--at",
            "2031-06-01T14:00:00+00:00",
            "--as",
            "Marie",
            "--json",
        ],
        env,
    )
    assert json.loads(added.stdout)["scheduled_at"] == "2031-06-01T10:00:00-04:00"


def test_status_json_has_the_same_figures_as_status(env: dict[str, str]) -> None:
    make_org()
    run_cli(["draft", "add", "Offre d'emploi", "-p", "sandbox", "--at", "2031-06-01 10:00", "--as", "Marie"], env)
    data = json.loads(run_cli(["status", "--json"], env).stdout)
    assert data["counts"]["pending_check"] == 1
    assert set(data) >= {"counts", "queues", "cron_last", "workers", "problems", "stalled"}
    text = run_cli(["status"], env).stdout
    assert "en vérification" in text and "compliance 1" in text


def test_editing_an_audit_row_by_hand_is_detected_and_named(env: dict[str, str]) -> None:
    make_org()
    run_cli(["draft", "add", "Offre d'emploi", "-p", "sandbox", "--at", "2031-06-01 10:00", "--as", "Marie"], env)
    assert run_cli(["audit", "verify"], env).returncode == 0
    with get_engine().begin() as conn:
        victim = conn.execute(sa.text("SELECT id FROM auditevent ORDER BY id LIMIT 1 OFFSET 1")).scalar_one()
        conn.execute(sa.text("UPDATE auditevent SET actor = 'Quelqu''un' WHERE id = :id"), {"id": victim})
    result = run_cli(["audit", "verify"], env)
    assert result.returncode == 1
    assert f"n° {victim}" in result.stderr and "modifiée" in result.stderr


def test_deleting_an_audit_row_by_hand_is_detected(env: dict[str, str]) -> None:
    make_org()
    run_cli(["draft", "add", "Offre d'emploi", "-p", "sandbox", "--at", "2031-06-01 10:00", "--as", "Marie"], env)
    with get_engine().begin() as conn:
        ids = conn.execute(sa.text("SELECT id FROM auditevent ORDER BY id")).scalars().all()
        conn.execute(sa.text("DELETE FROM auditevent WHERE id = :id"), {"id": ids[1]})
    result = run_cli(["audit", "verify"], env)
    assert result.returncode == 1 and f"n° {ids[2]}" in result.stderr
