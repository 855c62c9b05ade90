"""The audit log cannot be rewritten quietly: a keyed chain, and a head kept outside the database."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from balise import audit
from balise.config import get_settings, reset_settings
from balise.db import get_engine, session_scope
from balise.models import AuditEvent
from balise.organizations import create_organization
from tests.conftest import run_cli
from tests.helpers import make_org

SECRET = "clé-de-test-du-journal-0123456789"


@pytest.fixture
def keyed_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An installation with BALISE_SECRET_KEY, in this process and in the CLI's."""
    monkeypatch.setenv("BALISE_SECRET_KEY", SECRET)
    reset_settings()
    return {**env, "BALISE_SECRET_KEY": SECRET}


def _add_drafts(env: dict[str, str], count: int = 2) -> None:
    for n in range(count):
        added = run_cli(["draft", "add", f"Offre d'emploi {n}", "-p", "sandbox", "--at", "2031-06-01 10:00",
                         "--as", "Marie"], env)  # fmt: skip
        assert added.returncode == 0, added.stderr


def _rewrite_and_rehash(victim_index: int, key: bytes | None) -> int:
    """What someone with write access to the database does: change one row, then recompute the
    hash of it and of every row after it, so that the chain links again."""
    with session_scope() as session:
        events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))
        events[victim_index].actor = "Quelqu'un d'autre"
        previous = events[victim_index - 1].hash if victim_index else ""
        for event in events[victim_index:]:
            event.prev_hash = previous
            event.hash = audit._digest(event, key)
            previous = event.hash
            session.add(event)
        victim = events[victim_index].id
    assert victim is not None
    return victim


def _delete_last(count: int) -> list[int]:
    with get_engine().begin() as conn:
        ids = conn.execute(sa.text("SELECT id FROM auditevent ORDER BY id")).scalars().all()
        conn.execute(sa.text("DELETE FROM auditevent WHERE id > :id"), {"id": ids[-count - 1]})
    return list(ids[-count:])


def test_it_detects_a_rewritten_row_whose_chain_was_recomputed(keyed_env: dict[str, str]) -> None:
    make_org()
    _add_drafts(keyed_env)
    assert run_cli(["audit", "verify"], keyed_env).returncode == 0
    victim = _rewrite_and_rehash(1, key=None)  # the former algorithm, public in the source
    result = run_cli(["audit", "verify"], keyed_env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"n° {victim}" in result.stderr and "modifiée" in result.stderr


def test_it_detects_a_chain_recomputed_with_another_key(keyed_env: dict[str, str]) -> None:
    make_org()
    _add_drafts(keyed_env)
    victim = _rewrite_and_rehash(1, key=b"une cle devinee")
    result = run_cli(["audit", "verify"], keyed_env)
    assert result.returncode == 1 and f"n° {victim}" in result.stderr


def test_it_detects_the_deletion_of_the_last_rows(keyed_env: dict[str, str]) -> None:
    make_org()
    _add_drafts(keyed_env)
    deleted = _delete_last(2)
    result = run_cli(["audit", "verify"], keyed_env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"n° {deleted[-1]}" in result.stderr and "dernières entrées" in result.stderr


def test_a_kept_json_output_proves_truncation_even_without_the_head_file(
    keyed_env: dict[str, str], tmp_path: Path
) -> None:
    org_id = make_org()[0]
    _add_drafts(keyed_env)
    shown = run_cli(["audit", "verify", "--json"], keyed_env)
    report = json.loads(shown.stdout)
    assert report["intact"] and report["keyed"] and report["head"]["hash"].startswith(audit.KEYED)
    kept = tmp_path / "audit-kept.json"
    kept.write_text(shown.stdout, encoding="utf-8")
    deleted = _delete_last(1)
    audit.head_path(org_id).unlink()  # whoever truncated the table also removed the head file
    assert run_cli(["audit", "verify"], keyed_env).returncode == 0
    result = run_cli(["audit", "verify", "--anchor", str(kept), "--json"], keyed_env)
    assert result.returncode == 1
    assert json.loads(result.stdout)["breaks"] == [{"event_id": deleted[0], "problem": "truncated"}]


def test_an_old_unkeyed_chain_still_verifies_and_is_sealed_by_the_first_keyed_event(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_org()  # written before the key existed: unkeyed hashes
    unkeyed = run_cli(["audit", "verify"], env)
    assert unkeyed.returncode == 0 and "non signé" in unkeyed.stderr
    monkeypatch.setenv("BALISE_SECRET_KEY", SECRET)
    reset_settings()
    keyed_env = {**env, "BALISE_SECRET_KEY": SECRET}
    _add_drafts(keyed_env, count=1)
    result = run_cli(["audit", "verify", "--json"], keyed_env)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["intact"] and 0 < report["unkeyed_events"] < report["events"]
    _rewrite_and_rehash(0, key=None)  # rewrite the unkeyed part and recompute it, even the keyed rows' links
    assert run_cli(["audit", "verify"], keyed_env).returncode == 1


def test_an_unkeyed_event_after_keyed_ones_is_refused(keyed_env: dict[str, str]) -> None:
    org_id = make_org()[0]
    _add_drafts(keyed_env, count=1)
    with session_scope() as session:
        count = len(list(session.exec(select(AuditEvent))))
    victim = _rewrite_and_rehash(count - 1, key=None)  # downgrade the last event to the former hash
    audit.head_path(org_id).unlink()  # and the head file with it: the chain alone must tell
    result = run_cli(["audit", "verify"], keyed_env)
    assert result.returncode == 1 and f"n° {victim}" in result.stderr


def test_a_missing_head_file_on_an_old_install_is_a_warning(keyed_env: dict[str, str]) -> None:
    org_id = make_org()[0]
    audit.head_path(org_id).unlink()
    result = run_cli(["audit", "verify"], keyed_env)
    assert result.returncode == 0, result.stderr
    assert "Aucune tête de journal" in result.stderr and "Traceback" not in result.stderr


def test_a_signed_log_without_its_key_says_to_set_it_back(keyed_env: dict[str, str]) -> None:
    make_org()
    keyed_env.pop("BALISE_SECRET_KEY")
    result = run_cli(["audit", "verify"], keyed_env)
    assert result.returncode == 3 and "BALISE_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_the_head_file_ends_at_each_organizations_last_event_with_concurrent_writers(
    keyed_env: dict[str, str],
) -> None:
    with session_scope() as session:
        orgs = [create_organization(session, slug=f"espace-{n}", name=f"ESPACE {n}", timezone="America/Toronto")
                for n in range(2)]  # fmt: skip
        org_ids = [org.id for org in orgs if org.id is not None]

    def write(org_id: int) -> None:
        for n in range(15):
            with session_scope() as session:
                audit.record(session, org_id=org_id, actor="test", channel="system", action=f"essai-{n}")

    threads = [threading.Thread(target=write, args=(org_id,)) for org_id in org_ids for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope() as session:
        for org_id in org_ids:
            verdict = audit.verify(session, org_id, [])
            assert not verdict.breaks and verdict.head == audit.read_head(audit.head_path(org_id))
    assert get_settings().data_path in audit.head_path(org_ids[0]).parents


def test_a_head_written_late_never_moves_the_file_back(keyed_env: dict[str, str]) -> None:
    """Commits end in one order and their head files may be written in another: eight writers
    race on one organization's file, each with its own increasing events."""

    def write(first: int) -> None:
        for event_id in range(first, 1600, 8):
            audit._advance_head(7, audit.Head(event_id, f"h{event_id}"))

    threads = [threading.Thread(target=write, args=(first,)) for first in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert audit.read_head(audit.head_path(7)) == audit.Head(1599, "h1599")
