"""The decisions people make on the gate's verdicts become the organization's labelled examples."""

from __future__ import annotations

import json
from pathlib import Path

from balise.states import State
from tests.conftest import run_cli
from tests.helpers import gate, make_org, make_post, state_of

OFFER = "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention. Postulez avant le 15 janvier."


def test_a_refusal_at_sign_off_with_a_code_is_exported_as_an_example(env: dict[str, str], tmp_path: Path) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=OFFER)
    gate(post_id)
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    refused = run_cli(
        ["approve", str(post_id), "--refuse", "--reason", "Le poste est celui de sa sœur", "--code", "personal_info",
         "--as", "Julie"], env,
    )  # fmt: skip
    assert refused.returncode == 0, refused.stdout + refused.stderr
    assert state_of(post_id) == State.REJECTED
    out = tmp_path / "exemples.jsonl"
    exported = run_cli(["gate", "examples", "--export", str(out)], env)
    assert exported.returncode == 0, exported.stderr
    [example] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert example["text"] == OFFER and example["codes"] == ["PERSONAL_INFO"] and example["expected"] == "rejected"
    assert example["gate_verdict"] == "approved" and example["decided_by"] == "Julie"
    assert "Julie" in run_cli(["gate", "examples"], env).stdout


def test_an_unknown_code_refuses_nothing_and_keeps_nothing(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=OFFER)
    gate(post_id)
    refused = run_cli(["reject", str(post_id), "--reason", "non", "--code", "HUMEUR", "--as", "Julie"], env)
    assert refused.returncode != 0 and "Codes possibles" in refused.stderr and "Traceback" not in refused.stderr
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    assert "Aucun exemple" in run_cli(["gate", "examples"], env).stdout


def test_an_override_is_kept_as_a_compliant_example(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text="Quelle belle soirée au restaurant hier avec les amis!")
    gate(post_id)
    assert state_of(post_id) == State.NEEDS_REVIEW
    done = run_cli(["override", str(post_id), "--reason", "Souper de l'équipe, c'est correct", "--as", "Julie"], env)
    assert done.returncode == 0, done.stderr
    listed = run_cli(["gate", "examples"], env).stdout
    assert "Dérogation de Julie" in listed and "restaurant" in listed
