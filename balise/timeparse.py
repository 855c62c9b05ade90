"""Reading the times people type: `YYYY-MM-DD HH:MM` in the organization's zone, or ISO 8601.

A local time that does not exist (spring forward) or happens twice (fall back) is refused
with the two readings spelled out, instead of silently shifting a post by an hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from balise.errors import InvalidInput

NOW_WORDS = {"maintenant", "now", "tout de suite"}
PAST_TOLERANCE = timedelta(minutes=1)
LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S")
# A clear limit far inside what Python's dates and the databases hold: a year like 9999 is a typo,
# and moving its last day to another zone, or a day later, overflows.
YEARS = range(2000, 2101)


def known_zone(name: object) -> ZoneInfo | None:
    """The time zone named `name`, or None: a region alone ("America") is a folder of the
    time-zone database, and reading it fails with an OS error rather than "not found"."""
    try:
        return ZoneInfo(name)  # type: ignore[arg-type]
    except (TypeError, ValueError, OSError, ZoneInfoNotFoundError):
        return None


def check_year(day: date, value: str) -> None:
    """`InvalidInput` for a date outside `YEARS`, before any arithmetic on it can overflow."""
    if day.year not in YEARS:
        raise InvalidInput("time.out_of_range", value=value, first=YEARS[0], last=YEARS[-1])


def parse_when(value: str, zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """An aware UTC time; `InvalidInput` for a malformed, past, missing or ambiguous time."""
    now = now or datetime.now(UTC)
    text = value.strip()
    if text.lower() in NOW_WORDS:
        return now
    moment = _parse(text, zone)
    if moment < now - PAST_TOLERANCE:
        local = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        raise InvalidInput("time.past", value=value, local=local)
    return moment


def _parse(text: str, zone: ZoneInfo) -> datetime:
    for fmt in LOCAL_FORMATS:
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        check_year(naive.date(), text)
        return _localize(naive, zone, text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("time.malformed", value=text) from exc
    check_year(moment.date(), text)
    if moment.tzinfo is None:
        return _localize(moment, zone, text)
    return moment.astimezone(UTC)


def _localize(naive: datetime, zone: ZoneInfo, text: str) -> datetime:
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    # A wall time in the spring-forward gap does not survive a round trip through UTC.
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidInput("time.nonexistent", value=text, zone=zone.key)
    if first.utcoffset() != second.utcoffset():
        raise InvalidInput(
            "time.ambiguous",
            value=text,
            zone=zone.key,
            first=first.isoformat(timespec="minutes"),
            second=second.isoformat(timespec="minutes"),
        )
    return first.astimezone(UTC)


def local_iso(moment: datetime, zone: ZoneInfo) -> str:
    """ISO 8601 with the zone's offset, as scripts and people read it."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
