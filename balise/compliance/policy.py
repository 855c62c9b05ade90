"""The policy: ROEQ's TOML file, merged with an organization's override, checked and compiled.

An override replaces the keys it writes and appends the lists under an `add` table. Any
mistake (TOML syntax, unknown key, wrong type, unknown severity, a term that matches nothing)
raises `PolicyError` with a French message naming the key and its line.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import lru_cache
from importlib import resources
from typing import Any

from balise.compliance.normalize import fold_words
from balise.compliance.terms import TermError, compile_terms
from balise.errors import PolicyError
from balise.platforms import LIMIT_KEYS, PLATFORMS

SEVERITIES = ("approved", "needs_review", "rejected")
ADD = "add"

_TEXT, _NUMBER, _TERMS = str, int, list
_CODE_BASE: dict[str, type] = {"severity": _TEXT, "clause": _TEXT, "window": _NUMBER}
_CODE_TERMS = {
    "PERSONAL_INFO": (
        "events",
        "persons",
        "relatives",
        "pronouns",
        "generic",
        "strong",
        "exceptions",
    ),
    "INTERVENTION": (
        "offers",
        "needs",
        "channels",
        "contact",
        "redirections",
        "strong",
        "exceptions",
    ),
    "CHILD_CONTACT": (
        "friending",
        "following",
        "platforms",
        "children",
        "facilitators",
        "exceptions",
    ),
    "OFF_MISSION": ("signals", "exceptions"),
    "TOO_LONG": (),
    "EMPTY": (),
    "PHOTO_CONSENT": (),
    "FACE_COUNT": (),
    "PHOTO_FORMAT": (),
    "QUIET_HOURS": (),
}
_SCHEMA: dict[str, dict[str, Any]] = {
    "policy": {"name": _TEXT, "version": _TEXT, "title": _TEXT},
    "organization": {"name": _TEXT, "phone": _TEXT},
    "input": {"max_chars": _NUMBER},
    "limits": {platform: {**dict.fromkeys(LIMIT_KEYS, _NUMBER), "clause": _TEXT} for platform in PLATFORMS},
    "codes": {code: {**_CODE_BASE, **dict.fromkeys(keys, _TERMS)} for code, keys in _CODE_TERMS.items()},
    "frequency": {
        "clause": _TEXT,
        **{
            platform: {"min_per_week": _NUMBER, "max_per_week": _NUMBER, "max_per_day": _NUMBER}
            for platform in PLATFORMS
        },
    },
    "quiet_hours": {"start": _TEXT, "end": _TEXT, "platforms": _TERMS},
    "topics": {"*": {"label": _TEXT, "clause": _TEXT, "aliases": _TERMS, "terms": _TERMS}},
    "categories": {"neutral": _TERMS},
    "names": {"first": _TERMS, "not_names": _TERMS},
    "language": {"negations": _TERMS, "negation_exceptions": _TERMS},
}
_REQUIRED_TOPIC_KEYS = ("label", "clause", "terms")
_CLOCK = re.compile(r"([01]?\d|2[0-3])[:h]([0-5]\d)")
_TYPE_NAMES = {
    str: "un texte entre guillemets",
    int: "un nombre entier",
    list: "une liste de textes",
}


@dataclass(frozen=True)
class Topic:
    """One of the criteria of what members agree to publish."""

    id: str
    label: str
    clause: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class CodeRules:
    """The severity, clause, window and compiled term lists of one reason code."""

    code: str
    severity: str
    clause: str
    window: int
    patterns: Mapping[str, re.Pattern[str] | None] = field(default_factory=dict)

    def terms(self, name: str) -> re.Pattern[str] | None:
        return self.patterns.get(name)


@dataclass(frozen=True)
class QuietHours:
    """The hours, in the organization's time, when nothing goes out on `platforms`: nobody is
    there to answer comments. `start == end` means no quiet hours."""

    start: time
    end: time
    platforms: frozenset[str]

    def covers(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight: 21:00 to 07:00


@dataclass(frozen=True)
class Cadence:
    """The organization's target for one platform; None where it sets no bound."""

    platform: str
    min_per_week: int | None
    max_per_week: int | None
    max_per_day: int | None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per override text
class Policy:
    """The effective policy of one organization, ready for the gate."""

    data: Mapping[str, Any]
    version: str
    codes: Mapping[str, CodeRules]
    topics: tuple[Topic, ...]
    topic_pattern: re.Pattern[str]
    categories: Mapping[str, str | None]  # folded category name -> topic id (None: neutral)
    first_names: frozenset[str]
    not_names: frozenset[str]
    negations: re.Pattern[str] | None
    negation_exceptions: re.Pattern[str] | None
    quiet_hours: QuietHours

    @property
    def name(self) -> str:
        return str(self.data["policy"]["name"])

    @property
    def phone(self) -> str:
        return str(self.data["organization"]["phone"])

    @property
    def max_input_chars(self) -> int:
        return int(self.data["input"]["max_chars"])

    def limits(self, platform: str) -> Mapping[str, Any]:
        return dict(self.data["limits"].get(platform, {}))

    def cadence(self, platform: str) -> Cadence | None:
        """The target cadence on `platform`, None when the policy sets none."""
        table = self.data.get("frequency", {}).get(platform)
        if not table:
            return None
        return Cadence(platform, *(table.get(k) for k in ("min_per_week", "max_per_week", "max_per_day")))

    def category_topic(self, category: str) -> tuple[bool, str | None]:
        """(known, topic id) for a category as a person wrote it."""
        key = fold_words(category)
        return key in self.categories, self.categories.get(key)

    def to_toml(self) -> str:
        """The effective policy, as TOML text a coordinator can read and copy."""
        return _dump(self.data)


def load_policy(override_text: str | None = None) -> Policy:
    """ROEQ's policy merged with an organization's override (TOML text); cached per text."""
    return _load(override_text or "")


@lru_cache(maxsize=32)
def _load(override_text: str) -> Policy:
    base = _with_platform_limits(tomllib.loads(_base_text()))
    if override_text.strip():
        override = _parse(override_text)
        _check_keys(override, _SCHEMA, (), override_text, allow_add=True)
        base = _merge(base, override)
    _check_complete(base, override_text)
    _check_frequency(base, override_text)
    return _compile(base, override_text)


def _with_platform_limits(data: dict[str, Any]) -> dict[str, Any]:
    """Each platform's own limits under ROEQ's clauses: the numbers are the platforms' facts
    (`balise.platforms`), which an organization's override may still replace."""
    own = {name: facts.limits.table() for name, facts in PLATFORMS.items() if facts.limits.table()}
    data["limits"] = _merge(own, data.get("limits", {}))
    return data


@lru_cache(maxsize=1)
def _base_text() -> str:
    return resources.files("balise.compliance").joinpath("policies/roeq.toml").read_text(encoding="utf-8")


def _parse(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line, column = where.groups() if where else ("?", "?")
        raise PolicyError("compliance.policy_syntax", line=line, column=column, detail=str(exc)) from exc


def _line_of(text: str, key: str) -> str:
    """The first line of `text` where `key` is written, for error messages ("?" if not found)."""
    pattern = re.compile(rf"(^|[\s.\[\"']){re.escape(key)}([\s.\]\"'=]|$)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line.split("#", 1)[0]):
            return str(number)
    return "?"


def _where(path: tuple[str, ...]) -> str:
    """Where a key sits, without square brackets: the CLI prints messages as rich markup."""
    return "la section « " + ".".join(path) + " »" if path else "l'en-tête du fichier"


def _check_keys(
    data: Mapping[str, Any],
    schema: Mapping[str, Any],
    path: tuple[str, ...],
    text: str,
    allow_add: bool,
) -> None:
    """Every key of `data` exists in `schema` with the right type; suggests the closest key."""
    for key, value in data.items():
        if allow_add and key == ADD and isinstance(value, dict) and path:
            lists = {name: kind for name, kind in schema.items() if kind is _TERMS}
            _check_keys(value, lists, (*path, ADD), text, allow_add=False)
            continue
        expected = schema.get(key, schema.get("*"))
        if expected is None:
            close = difflib.get_close_matches(key, [k for k in schema if k != "*"], n=1)
            hint = close[0] if close else ", ".join(k for k in schema if k != "*")
            raise PolicyError(
                "compliance.policy_unknown_key",
                name=key,
                where=_where(path),
                line=_line_of(text, key),
                hint=hint,
            )
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise PolicyError(
                    "compliance.policy_not_table",
                    name=key,
                    where=_where(path),
                    line=_line_of(text, key),
                )
            _check_keys(value, expected, (*path, key), text, allow_add)
        else:
            _check_value(key, value, expected, path, text)


def _check_value(key: str, value: object, kind: type, path: tuple[str, ...], text: str) -> None:
    line = _line_of(text, key)
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if kind is _TERMS:
        ok = ok and all(isinstance(item, str) for item in value)  # type: ignore[attr-defined]
    if not ok:
        raise PolicyError(
            "compliance.policy_bad_type",
            name=key,
            where=_where(path),
            line=line,
            expected=_TYPE_NAMES[kind],
        )
    if key == "severity" and value not in SEVERITIES:
        raise PolicyError(
            "compliance.policy_bad_severity",
            value=value,
            where=_where(path),
            line=line,
            known=", ".join(SEVERITIES),
        )
    if kind is _NUMBER and int(value) <= 0:  # type: ignore[call-overload]
        raise PolicyError("compliance.policy_not_positive", name=key, where=_where(path), line=line)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Override's keys replace base's; lists under `add` are appended."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if key == ADD:
            for name, items in value.items():
                merged[name] = [*merged.get(name, []), *items]
        elif isinstance(value, dict):
            merged[key] = _merge(merged.get(key, {}), value)
        else:
            merged[key] = value
    return merged


def _check_complete(data: Mapping[str, Any], text: str) -> None:
    """A topic added by an organization has what the gate needs."""
    for topic_id, topic in data.get("topics", {}).items():
        for key in _REQUIRED_TOPIC_KEYS:
            if key not in topic:
                raise PolicyError(
                    "compliance.policy_missing_key",
                    name=key,
                    where=_where(("topics", topic_id)),
                    line=_line_of(text, topic_id),
                )


def clock(value: str) -> time | None:
    """« 21:00 » or « 21h00 » as a time of day; None when it is neither."""
    match = _CLOCK.fullmatch(value.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def _check_frequency(data: Mapping[str, Any], text: str) -> None:
    """Quiet hours are clock times on known platforms; a weekly minimum is below its maximum."""
    quiet = data.get("quiet_hours", {})
    for key in ("start", "end"):
        if clock(quiet.get(key, "")) is None:
            raise PolicyError(
                "compliance.policy_bad_clock",
                name=key,
                value=quiet.get(key, ""),
                where=_where(("quiet_hours",)),
                line=_line_of(text, key),
            )
    unknown = [name for name in quiet.get("platforms", []) if name not in PLATFORMS]
    if unknown:
        raise PolicyError(
            "compliance.policy_unknown_platform",
            name=unknown[0],
            where=_where(("quiet_hours",)),
            line=_line_of(text, unknown[0]),
            known=", ".join(PLATFORMS),
        )
    for platform, table in data.get("frequency", {}).items():
        if isinstance(table, dict) and table.get("min_per_week", 0) > table.get("max_per_week", 10**6):
            raise PolicyError(
                "compliance.policy_min_above_max",
                where=_where(("frequency", platform)),
                line=_line_of(text, "min_per_week"),
            )


def _compiled(terms: list[str], where: str, text: str) -> re.Pattern[str] | None:
    try:
        return compile_terms(terms)
    except TermError as exc:
        raise PolicyError(
            "compliance.policy_bad_term", term=str(exc), where=where, line=_line_of(text, str(exc))
        ) from exc


def _compile(data: dict[str, Any], text: str) -> Policy:
    codes = {}
    for code, table in data["codes"].items():
        patterns = {name: _compiled(table.get(name, []), _where(("codes", code)), text) for name in _CODE_TERMS[code]}
        codes[code] = CodeRules(code, table["severity"], table["clause"], int(table.get("window", 10)), patterns)
    topics = tuple(
        Topic(topic_id, t["label"], t["clause"], tuple(t.get("aliases", ()))) for topic_id, t in data["topics"].items()
    )
    groups = []
    for index, (topic_id, topic) in enumerate(data["topics"].items()):
        pattern = _compiled(topic["terms"], _where(("topics", topic_id)), text)
        if pattern is not None:
            groups.append(f"(?P<t{index}>{pattern.pattern.removesuffix('(?![^ ])')})")
    categories: dict[str, str | None] = {fold_words(name): None for name in data["categories"]["neutral"]}
    for topic in topics:
        for name in (topic.id, topic.label, *topic.aliases):
            categories[fold_words(name)] = topic.id
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:8]
    return Policy(
        data=data,
        version=f"{data['policy']['name']} {data['policy']['version']} {digest}",
        codes=codes,
        topics=topics,
        topic_pattern=re.compile("(?:" + "|".join(groups) + ")(?![^ ])"),
        categories=categories,
        first_names=frozenset(fold_words(name) for name in data["names"]["first"]),
        not_names=frozenset(fold_words(name) for name in data["names"]["not_names"]),
        negations=_compiled(data["language"]["negations"], _where(("language",)), text),
        negation_exceptions=_compiled(data["language"]["negation_exceptions"], _where(("language",)), text),
        quiet_hours=QuietHours(
            start=clock(data["quiet_hours"]["start"]) or time(0),
            end=clock(data["quiet_hours"]["end"]) or time(0),
            platforms=frozenset(data["quiet_hours"].get("platforms", ())),
        ),
    )


def _dump(data: Mapping[str, Any], path: tuple[str, ...] = ()) -> str:
    """Minimal TOML writer for the policy's shapes: tables of strings, numbers, lists of strings."""
    lines: list[str] = []
    tables = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list):
            items = ",\n".join(f"    {json.dumps(item, ensure_ascii=False)}" for item in value)
            lines.append(f"{key} = [\n{items},\n]" if value else f"{key} = []")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    out = []
    if lines:
        out.append(("[" + ".".join(path) + "]\n" if path else "") + "\n".join(lines) + "\n")
    for key, value in tables:
        out.append(_dump(value, (*path, key)))
    return "\n".join(out)
