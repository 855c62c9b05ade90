"""X's weighted length against twitter-text's own conformance cases."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from balise.platforms.x_length import MAX_WEIGHTED_LENGTH, overflow_index, weighted_length

CONFORMANCE = Path(__file__).resolve().parents[1] / "data" / "twitter-text-validate.yml"
SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def _cases() -> list[pytest.ParameterSet]:
    tests = yaml.safe_load(CONFORMANCE.read_text(encoding="utf-8"))["tests"]
    return [
        pytest.param(case["text"], case["expected"]["weightedLength"], id=f"{section}: {case['description']}")
        for section in SECTIONS
        for case in tests[section]
    ]


@pytest.mark.parametrize(("text", "expected"), _cases())
def test_it_counts_like_twitter_text(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


# Expected values computed with twitter-text-parser 3.0.0 (which passes the conformance cases).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inscrivez-vous : https://espace.org/formation?x=1.", 41),
        ("Voir espace-mtl.org/emploi, merci!", 36),
        ("(voir espace.org/emploi)", 30),
        ("Le 811 répond 24/7", 18),
        ("Québec… “guillemets” — tiret", 29),
        ("🇨🇦 1️⃣ 👩🏽‍🏫", 8),
    ],
)
def test_it_counts_french_posts_with_links_and_emoji(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_overflow_index_points_at_the_first_character_past_the_limit() -> None:
    text = "é" * 300
    assert overflow_index(text) == MAX_WEIGHTED_LENGTH
    assert overflow_index("日" * 141) == 140
    assert overflow_index("court") is None


def test_a_megabyte_of_text_is_counted_quickly() -> None:
    assert weighted_length("abcdé " * 200_000) == 1_200_000
