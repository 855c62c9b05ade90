"""`--help` (issue 19, item 5): Typer's own words and balise's, French by default, English with BALISE_LANG=en."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

# Typer's English, as it prints it when nothing translates it.
ENGLISH = ("Usage:", "Show this message and exit", "[required]", "Commands", "Install completion", "<str>",
           "<bool>", "list[")  # fmt: skip
# What gives French away in an English page: accents, guillemets, « Exemples : » and its most common
# small words.
FRENCH = re.compile(
    r"[àâçéèêëîïôùûœ«»]|Exemples? :|\b(publications?|organisme|fichier|le|la|les|des|une|du|pour|avec|et|ou)\b", re.I
)
# The people's names in the examples keep their accents in English.
PROPER_NAMES = ("Léa Côté", "Anne Côté")
# Prints the help page of every command and subcommand, each after a line `=== PATH`.
WALK = """
import contextlib, io
from typer._click import core
from balise.cli.main import _command, main

def paths(command, path):
    yield path
    if hasattr(command, "list_commands"):
        ctx = core.Context(command)
        for name in command.list_commands(ctx):
            yield from paths(command.get_command(ctx, name), [*path, name])

for path in paths(_command(), []):
    page = io.StringIO()
    with contextlib.redirect_stdout(page):
        main([*path, "--help"])
    print("=== balise", *path)
    print(page.getvalue())
"""
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


def _every_help(lang: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200", "BALISE_LANG": lang}
    done = subprocess.run(
        [sys.executable, "-c", WALK], capture_output=True, text=True, timeout=300, env=env, check=True
    )
    pages = re.split(r"^=== (.*)$", done.stdout, flags=re.M)[1:]
    return dict(zip(pages[::2], pages[1::2], strict=True))


def _french_words(page: str) -> list[str]:
    for name in PROPER_NAMES:
        page = page.replace(name, "")
    return sorted({match.group(0) for match in FRENCH.finditer(page)})


def test_every_commands_help_is_english_with_balise_lang_en() -> None:
    pages = _every_help("en")
    assert len(pages) > 60 and "balise draft add" in pages and "balise accounts connect x" in pages
    assert {path: words for path, page in pages.items() if (words := _french_words(page))} == {}


def test_every_commands_help_is_french_by_default() -> None:
    pages = _every_help("fr")
    assert [path for path, page in pages.items() if "Utilisation : " not in page or not _french_words(page)] == []
