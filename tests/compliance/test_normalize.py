"""Folding defeats evasions, and every match maps back to the original text."""

from __future__ import annotations

import re

import pytest

from balise.compliance.normalize import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DÉCÈS", "deces"),
        ("de\u0301ce\u0300s", "deces"),  # combining accents
        ("dé\u200bcè\u200ds", "deces"),  # zero-width space and joiner
        ("dеcеs", "deces"),  # Cyrillic е
        ("ϲοngé", "conge"),  # Greek look-alikes
        ("ｃｏｎｇé", "conge"),  # fullwidth forms (NFKC)
        ("c0ngé", "conge"),
        ("m@ladie", "maladie"),
        ("d é c è s", "deces"),
        ("D.É.C.È.S", "deces"),
        ("annnniverssaire", "aniversaire"),
        ("anniversaire", "aniversaire"),
        ("#JoyeuseFête", "joyeuse fete"),
        ("l’enfant", "l enfant"),
        ("œuvre", "oeuvre"),
    ],
)
def test_evasions_fold_to_the_same_words(text: str, expected: str) -> None:
    assert fold(text).text == expected


@pytest.mark.parametrize("text", ["811", "911", "25e anniversaire", "1er mai", "10h30", "mp3"])
def test_numbers_ordinals_and_times_are_not_read_as_leetspeak(text: str) -> None:
    assert fold(text).text.split()[0] == text.split()[0].replace("é", "e")


def test_a_folded_match_maps_back_to_the_original_characters() -> None:
    original = "Bonne fe\u0301te à   Ju\u200blie!"
    view = fold(original)
    match = re.search("fete a julie", view.text)
    assert match is not None
    start, end = view.span(match.start(), match.end())
    assert original[start:end] == "fe\u0301te à   Ju\u200blie"


def test_names_are_told_from_sentence_starts_and_acronyms() -> None:
    view = fold("Merci à Julie. Bravo ESPACE! @marc")
    flags = {token.text: (token.capitalized, token.sentence_start, token.mention) for token in view.tokens}
    assert flags["julie"] == (True, False, False)
    assert flags["bravo"][1] is True
    assert flags["espace"][0] is False
    assert flags["marc"][2] is True
