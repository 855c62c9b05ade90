"""Every labeled draft of the corpus gets its expected verdict and codes (one test per draft)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from balise.compliance import Draft
from balise.compliance.gate import check_draft

DATA = Path(__file__).resolve().parents[1] / "data"


def load_corpus() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(DATA.glob("corpus*.jsonl")):
        cases += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return cases


CORPUS = load_corpus()


def _param(case: dict[str, Any]) -> pytest.ParameterSet:
    """A draft the gate is known to get wrong stays in the corpus, marked, so a fix shows up."""
    known = "known_miss" in case["tags"]
    marks = [pytest.mark.xfail(strict=True, reason="limite connue du moteur")] if known else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CORPUS])
def test_the_gate_gives_the_expected_verdict(case: dict[str, Any]) -> None:
    draft = Draft(case["text"], tuple(case["platforms"]), case.get("category"), case["id"])
    verdict = check_draft(draft)
    codes = {reason.code for reason in verdict.reasons}
    assert verdict.verdict == case["expected"], [r.message for r in verdict.reasons]
    assert set(case["codes"]) <= codes
    for reason in verdict.reasons:
        if reason.span is not None:
            start, end = reason.span
            assert 0 <= start < end <= len(case["text"])


def test_the_corpus_covers_what_the_issue_asks() -> None:
    hard = [case for case in CORPUS if "hard_negative" in case["tags"]]
    codes = {code for case in CORPUS for code in case["codes"]}
    assert len(CORPUS) >= 300
    assert len(hard) >= 100
    assert {"PERSONAL_INFO", "INTERVENTION", "CHILD_CONTACT", "OFF_MISSION", "TOO_LONG"} <= codes
    assert {"fr", "en"} <= {tag for case in CORPUS for tag in case["tags"]}
    assert len({case["id"] for case in CORPUS}) == len(CORPUS)
