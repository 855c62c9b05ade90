"""Reading the times people type: `YYYY-MM-DD HH:MM` in the organization's zone, ISO 8601, or a
phrase (« demain 10 h », « lundi 9 h 30 », « 10h00 ») read by dateparser.

A local time that does not exist (spring forward) or happens twice (fall back) is refused
with the two readings spelled out, instead of silently shifting a post by an hour.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from balise.errors import InvalidInput
from balise.i18n import current_lang, t

NOW_WORDS = {"maintenant", "now", "tout de suite"}
PAST_TOLERANCE = timedelta(minutes=1)
LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S")
# A clear limit far inside what Python's dates and the databases hold: a year like 9999 is a typo,
# and moving its last day to another zone, or a day later, overflows.
YEARS = range(2000, 2101)
# « 10 h », « 9 h 30 », « 10h00 »: Québec's way of writing a time, which dateparser reads as a
# duration (« 10 h » = ten hours from now); said as 10:00 before it reads the phrase.
CLOCK = re.compile(r"\b(?P<hour>\d{1,2})\s*h\s*(?P<minute>\d{2})?\b", re.IGNORECASE)
# 01/02/2027: the 1st of February or January the 2nd, depending on who wrote it.
SLASHED_DAY = re.compile(r"\b(?P<first>\d{1,2})[/.](?P<second>\d{1,2})[/.]\d{2,4}\b")


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
    moment = _parse(text, zone, now)
    if moment < now - PAST_TOLERANCE:
        raise InvalidInput("time.past", value=value, local=local_text(moment, zone))
    return moment


def _parse(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    for fmt in LOCAL_FORMATS:
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        check_year(naive.date(), text)
        return _localize(naive, zone, text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _localize(_phrase(text, zone, now), zone, text)
    check_year(moment.date(), text)
    if moment.tzinfo is None:
        return _localize(moment, zone, text)
    return moment.astimezone(UTC)


def _phrase(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A wall time in `zone` from a phrase; a phrase without an hour or with a day that reads two
    ways is refused rather than guessed. dateparser is imported only here: the plain formats above
    answer `draft add` without its start-up cost."""
    from dateparser.date import DateDataParser

    slashed = SLASHED_DAY.search(text)
    if slashed and slashed["first"] != slashed["second"] and max(int(slashed["first"]), int(slashed["second"])) <= 12:
        raise InvalidInput("time.ambiguous_day", value=text)
    said = CLOCK.sub(lambda m: f"{m['hour']}:{m['minute'] or '00'}", text)
    settings = {"PREFER_DATES_FROM": "future", "RETURN_TIME_AS_PERIOD": True, "DATE_ORDER": "DMY",
                "RELATIVE_BASE": now.astimezone(zone).replace(tzinfo=None)}  # fmt: skip
    found = DateDataParser(languages=["fr", "en"], settings=settings).get_date_data(said)
    if found.date_obj is None:
        raise InvalidInput("time.malformed", value=text)
    if found.period != "time":
        raise InvalidInput("time.no_hour", value=text)
    check_year(found.date_obj.date(), text)
    return found.date_obj.replace(tzinfo=None, second=0, microsecond=0)


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


def local_text(moment: datetime, zone: ZoneInfo, lang: str | None = None) -> str:
    """« vendredi 15 janvier 2027 à 9 h 30 » (« à 10 h » on the hour), in the organization's zone:
    how people read a time. Babel holds each language's names and patterns, the machine's locale
    plays no part; it is imported here, when a time is shown, not when a command starts."""
    from babel.dates import format_datetime

    lang = lang or current_lang()
    local = moment.astimezone(zone)
    pattern = t("dates.at_hour" if local.minute == 0 else "dates.at_minute", lang=lang)
    return format_datetime(local, pattern, locale=t("dates.locale", lang=lang))


def local_day(day: date, lang: str | None = None) -> str:
    """« 30 juin 2027 »: a day as people read it."""
    from babel.dates import format_date

    lang = lang or current_lang()
    return format_date(day, t("dates.day_pattern", lang=lang), locale=t("dates.locale", lang=lang))
