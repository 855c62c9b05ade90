"""docs/settings.md is what balise/config.py generates: a setting added or changed without its
description, or a hand edit of the reference, fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from balise.config import ENV_NAMES
from balise.config_reference import reference

DOCS = Path(__file__).resolve().parents[1] / "docs"
FILES = {"fr": DOCS / "settings.md", "en": DOCS / "settings.en.md"}


@pytest.mark.parametrize("lang", sorted(FILES))
def test_committed_reference_is_what_config_generates(lang: str) -> None:
    regenerate = f"python -m balise.config_reference --lang {lang} > {FILES[lang].relative_to(DOCS.parent)}"
    assert FILES[lang].read_text(encoding="utf-8") == reference(lang), f"docs out of date: {regenerate}"


def test_reference_names_every_setting() -> None:
    text = FILES["fr"].read_text(encoding="utf-8")
    assert all(f"`{env}`" in text for env in ENV_NAMES.values())


def test_module_prints_the_reference() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "balise.config_reference"], capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout == reference("fr")
