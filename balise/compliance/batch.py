"""`balise check --jsonl`: one verdict object per input line, in order; errors stay on their line.

The run never stops on a line: invalid UTF-8, invalid JSON, a JSON value that is not an object,
a missing or mistyped field, an empty or oversized text, an unknown platform or category each
produce `{"verdict": "error", "message": ...}` for that line only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from balise.compliance.gate import check_draft
from balise.compliance.photo_rules import PhotoFacts
from balise.compliance.policy import Policy
from balise.compliance.rules import is_empty, message
from balise.compliance.verdicts import Draft
from balise.errors import BaliseError
from balise.i18n import t
from balise.platforms import PUBLIC
from balise.timeparse import known_zone

DEFAULT_ZONE = "America/Toronto"
# Turns a line's photos, (path, names of the people shown), into facts from the consent registry.
PhotoResolver = Callable[[list[tuple[str, list[str]]]], tuple[PhotoFacts, ...]]


class LineError(Exception):
    """A line that cannot be checked: its error code and French message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _field_error(number: int, name: str, expected: str) -> LineError:
    return LineError("INVALID_INPUT", message("line_bad_field", line=number, field=name, expected=expected))


def _parse(number: int, raw: bytes) -> dict[str, Any]:
    """The line as a JSON object, or `LineError`."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LineError("INVALID_INPUT", message("line_not_utf8", line=number)) from None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        detail = getattr(exc, "msg", type(exc).__name__)
        raise LineError("INVALID_INPUT", message("line_not_json", line=number, detail=detail)) from None
    if not isinstance(data, dict):
        raise LineError("INVALID_INPUT", message("line_not_object", line=number))
    return data


def _photos(number: int, data: dict[str, Any], resolve: PhotoResolver | None) -> tuple[PhotoFacts, ...]:
    raw = data.get("photos")
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else None
    if entries is None or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("people", []), list)
        and all(isinstance(name, str) for name in e.get("people", []))
        for e in entries
    ):  # fmt: skip
        raise _field_error(number, "photos", 'une liste d\'objets {"path": "…", "people": ["…"]}')
    if resolve is None:
        raise LineError("INVALID_INPUT", message("line_error", line=number, detail=t("consent.photos_need_registry")))
    return resolve([(e["path"], list(e.get("people", []))) for e in entries])


def _fields(number: int, data: dict[str, Any], policy: Policy, resolve: PhotoResolver | None = None) -> Draft:
    text = data.get("text")
    if text is None:
        raise LineError("INVALID_INPUT", message("line_missing_text", line=number))
    if not isinstance(text, str):
        raise _field_error(number, "text", "une chaîne de caractères")
    platforms = data.get("platforms") or PUBLIC
    if isinstance(platforms, str):
        platforms = [platforms]
    if not isinstance(platforms, list | tuple) or not all(isinstance(p, str) for p in platforms):
        raise _field_error(number, "platforms", "une liste de noms de plateformes")
    category = data.get("category")
    if category is not None and not isinstance(category, str):
        raise _field_error(number, "category", "une chaîne de caractères")
    if is_empty(text):
        raise LineError("EMPTY", message("line_empty", line=number))
    if len(text) > policy.max_input_chars:
        detail = message("text_too_large", length=len(text), limit=policy.max_input_chars)
        raise LineError("TOO_LONG", message("line_error", line=number, detail=detail))
    identifier = data.get("id")
    photos = _photos(number, data, resolve)
    at, zone = _when(number, data)
    return Draft(text, tuple(platforms), category, None if identifier is None else str(identifier), photos, at, zone)


def _when(number: int, data: dict[str, Any]) -> tuple[datetime | None, str]:
    """The optional `at` (ISO 8601; without an offset, in `timezone`), for the quiet hours."""
    zone = data.get("timezone", DEFAULT_ZONE)
    tz = known_zone(zone)  # cached by zoneinfo: cheap on every line
    if tz is None:
        raise _field_error(number, "timezone", 'un fuseau horaire comme "America/Toronto"')
    zone = str(zone)
    raw = data.get("at")
    if raw is None:
        return None, zone
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if at is None:
        raise _field_error(number, "at", 'une date et heure ISO 8601, comme "2027-01-15T10:00"')
    return (at if at.tzinfo else at.replace(tzinfo=tz)), zone


def _error(number: int, identifier: Any, code: str, text: str) -> dict[str, Any]:
    reason = {"code": code, "message": text, "span": None, "clause": None}
    return {
        "id": identifier,
        "line": number,
        "verdict": "error",
        "message": text,
        "reasons": [reason],
    }


def check_lines(
    lines: Iterable[bytes], policy: Policy, resolve_photos: PhotoResolver | None = None
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in input order; lines with photos need
    `resolve_photos` (the consent registry)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        identifier = None
        try:
            data = _parse(number, raw)
            identifier = data.get("id")
            yield check_draft(_fields(number, data, policy, resolve_photos), policy).to_dict(identifier)
        except LineError as exc:
            yield _error(number, identifier, exc.code, exc.message)
        except BaliseError as exc:  # unknown platform or category
            detail = exc.message(lang="fr")
            yield _error(
                number,
                identifier,
                "INVALID_INPUT",
                message("line_error", line=number, detail=detail),
            )
