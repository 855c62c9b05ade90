"""French and English messages: one file per component in `fr/` and `en/`.

A key is `component.name` (`cli.post_not_found`): the component is the file's stem; a TOML table
adds its name (`[draft.add]`'s `at` is `commands.draft.add.at`).
French is the reference; a key missing in English falls back to French.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from datetime import date
from functools import cache
from importlib import resources

LANGS = ("fr", "en")


@cache
def _component(lang: str, stem: str) -> dict[str, str]:
    """One file's messages: a command reads only the files of the messages it says (`balise
    --help` two of them), not every component's."""
    entry = resources.files("balise.i18n").joinpath(lang, f"{stem}.toml")
    if not entry.is_file():
        return {}
    return _flat(tomllib.loads(entry.read_text(encoding="utf-8")), stem)


def _flat(table: dict[str, object], prefix: str) -> dict[str, str]:
    """A TOML table's messages under `prefix`, its sub-tables' under `prefix.name`."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}.{key}"))
        else:
            flat[f"{prefix}.{key}"] = str(value)
    return flat


def load_catalogs() -> None:
    """Read every language's messages now (a worker's supervisor does it once, before forking the worker)."""
    for lang in LANGS:
        for entry in resources.files("balise.i18n").joinpath(lang).iterdir():
            if entry.name.endswith(".toml"):
                _component(lang, entry.name.removesuffix(".toml"))


def fallback_lang() -> str:
    """The language from BALISE_LANG alone: for a message about broken settings, and for `--help`,
    drawn before the settings are read (their reading costs pydantic's import, a tenth of a second)."""
    return "en" if os.environ.get("BALISE_LANG") == "en" else "fr"


def current_lang() -> str:
    from balise.config import get_settings
    from balise.errors import ConfigError

    try:
        return get_settings().lang
    except ConfigError:
        return fallback_lang()


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message `key` in the user's language, with `params` filled in."""
    lang = lang or current_lang()
    stem = key.partition(".")[0]
    text = _component(lang, stem).get(key) or _component("fr", stem).get(key)
    if text is None:
        raise KeyError(f"message inconnu : {key}")
    return text.format(**params) if params else text


def folded(name: str) -> str:
    """A name as typed, compared without case, accents or underscores: « Planifiée » is "planifiee"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().replace("_", " "))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def day_label(day: date, lang: str | None = None) -> str:
    """« lundi 12 janvier 2027 », without depending on the machine's locale."""
    weekday = t("dates.days", lang=lang).split(",")[day.weekday()]
    month = t("dates.months", lang=lang).split(",")[day.month - 1]
    return t("dates.day", lang=lang, weekday=weekday, day=day.day, month=month, year=day.year)
