"""Typer's own words in `--help` (issue 19, item 5): French by default, English with BALISE_LANG=en."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Typer's English, as it prints it when nothing translates it.
ENGLISH = ("Usage:", "Show this message and exit", "[required]", "Commands", "Install completion", "<str>",
           "<bool>", "list[")  # fmt: skip
HELPS = [["--help"], ["draft", "add", "--help"], ["draft", "list", "--help"], ["consent", "grant", "--help"]]


def _help(args: list[str], lang: str) -> str:
    env = {**os.environ, "COLUMNS": "200", "BALISE_LANG": lang}
    code = "from balise.cli.main import run; run()"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_help_has_no_typer_english_in_french(args: list[str]) -> None:
    text = _help(args, "fr")
    assert [word for word in ENGLISH if word in text] == []
    assert "Utilisation : balise" in text and "Afficher cette aide et quitter." in text


def test_help_says_typers_words_in_english_with_balise_lang_en() -> None:
    text = _help(["draft", "add", "--help"], "en")
    for word in ("Usage: balise draft add", "Show this message and exit.", "[required]", "<text>", "<file…>"):
        assert word in text
    assert "Utilisation" not in text and "obligatoire" not in text


def test_a_flag_shows_no_value_to_type() -> None:
    line = next(line for line in _help(["draft", "add", "--help"], "fr").splitlines() if "--json" in line)
    assert "<" not in line


@pytest.mark.parametrize(
    ("args", "french", "english"),
    [
        (["draft", "list", "--json=3"], "L'option --json ne prend pas de valeur.", "does not take a value"),
        (["draft", "add", "x", "-p", "x", "--photo"], "L'option --photo attend une valeur.", "needs a value"),
        (["draft", "list", "un", "deux"], "Argument en trop : un deux", "Unexpected extra argument: un deux"),
    ],
)
def test_usage_errors_are_said_in_the_users_language(args: list[str], french: str, english: str) -> None:
    for lang, expected, prefix in (("fr", french, "Erreur :"), ("en", english, "Error:")):
        env = {**os.environ, "COLUMNS": "200", "BALISE_LANG": lang}
        code = "from balise.cli.main import run; run()"
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 2 and done.stderr.startswith(prefix) and expected in done.stderr, done.stderr
        assert "Got unexpected" not in done.stderr and "requires" not in done.stderr
