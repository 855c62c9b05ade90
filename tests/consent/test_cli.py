"""The commands a coordinator types: the registry, photos on a draft, and `balise check` with photos."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from balise.db import session_scope
from balise.models import Post
from tests.conftest import ROOT, run_cli
from tests.consent.builders import consent, gate, person, photo_post
from tests.consent.images import PHOTOS
from tests.helpers import make_org, state_of


def _ok(args: list[str], env: dict[str, str]) -> str:
    result = run_cli(args, env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_coordinator_registers_a_minor_records_the_guardians_form_and_adds_a_photo(
    env: dict[str, str], tmp_path: Path
) -> None:
    make_org()
    refused = run_cli(["people", "add", "Léa Côté", "--minor", "--as", "Marie"], env)
    assert refused.returncode == 2 and "--guardian" in refused.stderr and "Traceback" not in refused.stderr
    _ok(["people", "add", "Léa Côté", "--minor", "--guardian", "Anne Côté", "--as", "Marie"], env)
    form = tmp_path / "autorisation.pdf"
    form.write_bytes(b"%PDF-1.4 formulaire signe")
    granted = _ok(["consent", "grant", "Léa Côté", "-p", "twitter", "--until", "2099-06-30", "--evidence", str(form),
                   "--by-guardian", "--as", "Marie"], env)  # fmt: skip
    assert "Léa Côté" in granted and "x" in granted

    listed = json.loads(_ok(["consent", "list", "--json"], env))
    assert [(c["person"], c["platforms"], c["given_by"], c["state"]) for c in listed] == [
        ("Léa Côté", ["x"], "guardian", "current")
    ]
    assert listed[0]["valid_until"].startswith("2099-07-01T00:00:00")  # through the 30th, in the org's zone
    assert json.loads(_ok(["consent", "list", "--expiring-within", "30d", "--json"], env)) == []

    added = json.loads(_ok(["draft", "add", "Retour sur notre atelier de prévention", "-p", "x", "--at", "maintenant",
                            "--photo", str(PHOTOS / "grace_hopper.jpg"), "--person", "Léa Côté", "--as", "Marie",
                            "--json"], env))  # fmt: skip
    assert added["photos"][0]["people"] == ["Léa Côté"]
    assert gate(added["id"])[0] == "approved"


def test_tagging_a_photo_is_an_edit_that_goes_back_to_the_gate(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    person(org, "Alice Roy")
    consent(org, "Alice Roy", ("sandbox",))
    post_id = photo_post(org, author, ())
    verdict, reasons = gate(post_id)
    assert verdict == "needs_review" and [r["code"] for r in reasons] == ["FACE_COUNT"]
    with session_scope() as session:
        before = session.get(Post, post_id)
        assert before
        old_hash = before.content_hash

    _ok(["photo", "tag", str(post_id), "--photo", "1", "--person", "Alice Roy", "--as", "Marie"], env)

    with session_scope() as session:
        after = session.get(Post, post_id)
        assert after and after.version == 2 and after.content_hash != old_hash
    assert state_of(post_id) == "pending_check"
    assert gate(post_id) == ("approved", [])
    missing = run_cli(["photo", "tag", str(post_id), "--photo", "2", "--person", "Alice Roy", "--as", "Marie"], env)
    assert missing.returncode == 2 and "1 photo(s)" in missing.stderr


def test_check_jsonl_judges_photos_against_the_registry(env: dict[str, str], tmp_path: Path) -> None:
    org, _, _ = make_org()
    person(org, "Alice Roy")
    consent(org, "Alice Roy", ("facebook",))
    broken = tmp_path / "abimee.jpg"
    broken.write_bytes((PHOTOS / "astronaut.jpg").read_bytes()[:2000])
    text = "Retour en photos sur notre atelier de prévention de la violence."
    lines = [
        {
            "id": 1,
            "text": text,
            "platforms": ["facebook"],
            "photos": [{"path": str(PHOTOS / "astronaut.jpg"), "people": ["Alice Roy"]}],
        },  # noqa: E501
        {
            "id": 2,
            "text": text,
            "platforms": ["facebook"],
            "photos": [{"path": str(PHOTOS / "astronaut.jpg"), "people": ["Zoé"]}],
        },  # noqa: E501
        {"id": 3, "text": text, "platforms": ["facebook"], "photos": [{"path": str(broken), "people": []}]},
        {"id": 4, "text": text, "photos": "astronaut.jpg"},
    ]
    result = run_cli(["check", "--jsonl", "-"], env, stdin="\n".join(json.dumps(line) for line in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["verdict"] for o in out] == ["approved", "rejected", "rejected", "error"]
    assert out[1]["reasons"][0]["code"] == "PHOTO_CONSENT" and "Zoé" in out[1]["reasons"][0]["message"]
    assert [r["code"] for r in out[2]["reasons"]] == ["PHOTO_FORMAT"]


def test_a_text_only_check_loads_neither_the_database_nor_opencv() -> None:
    code = (
        "import sys\nfrom balise.cli.main import run\nsys.argv = ['balise', 'check', '--text', 'Bonjour']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('cv2', 'sqlalchemy') if m in sys.modules], file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_an_empty_file_is_not_a_signed_consent_form(env: dict[str, str], tmp_path: Path) -> None:
    make_org()
    _ok(["people", "add", "Léa Côté", "--as", "Marie"], env)
    empty = tmp_path / "formulaire.pdf"
    empty.write_bytes(b"")
    refused = run_cli(["consent", "grant", "Léa Côté", "-p", "x", "--evidence", str(empty), "--as", "Marie"], env)
    assert refused.returncode == 2 and "est vide" in refused.stderr and "Traceback" not in refused.stderr
    assert json.loads(_ok(["consent", "list", "--json"], env)) == []
