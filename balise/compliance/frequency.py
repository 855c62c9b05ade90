"""How often and when: the quiet-hours rule of the gate, and the cadence advice given to authors.

Both answer the policy's « Qui s'en occupe? À quelle fréquence? ». Quiet hours are a rule (a post
due while nobody can answer comments waits for a responsible person's override); the cadence is
advice only (a crowded day or an empty week is worth a warning, never a refusal).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from balise.compliance.policy import Policy
from balise.compliance.verdicts import Draft, Reason
from balise.i18n import day_label, t

LOOKAHEAD_WEEKS = 8  # empty weeks are reported up to this far ahead, no farther
EMPTY_WEEKS_LISTED = 3


def clock_label(moment: time) -> str:
    """« 21 h », « 7 h 30 »: how Québec writes the time of day."""
    return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")


def in_quiet_hours(policy: Policy, platforms: Iterable[str], at: datetime, timezone: str) -> bool:
    """Whether a post going out at `at` on `platforms` falls inside the quiet hours."""
    quiet = policy.quiet_hours
    return bool(quiet.platforms.intersection(platforms)) and quiet.covers(at.astimezone(ZoneInfo(timezone)).time())


def quiet_hours(draft: Draft, policy: Policy) -> list[Reason]:
    """A post due inside the organization's quiet hours, on a platform they cover."""
    if draft.at is None or not in_quiet_hours(policy, draft.platforms, draft.at, draft.timezone):
        return []
    quiet, local = policy.quiet_hours, draft.at.astimezone(ZoneInfo(draft.timezone))
    rules = policy.codes["QUIET_HOURS"]
    start, end = clock_label(quiet.start), clock_label(quiet.end)
    return [
        Reason(
            code="QUIET_HOURS",
            message=t("compliance.quiet_hours", lang="fr", at=clock_label(local.time()), start=start, end=end),
            span=None,
            clause=rules.clause,
            suggestion=t("compliance.quiet_hours_suggestion", lang="fr", start=end, end=start),
            severity=rules.severity,
        )
    ]


def week_of(day: date) -> date:
    """The Monday that starts `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Planned:
    """One post on one platform, at its local day: what the cadence counts."""

    platform: str
    day: date


@dataclass(frozen=True)
class Crowded:
    """A day (or, `day` None, a week) with more posts on one platform than its cadence allows."""

    platform: str  # its name as people read it
    week: date
    day: date | None
    count: int
    limit: int


def cadence_warnings(
    policy: Policy, planned: Iterable[Planned], new: Iterable[Planned], today: date, *, by_week: bool = False
) -> list[str]:
    """Warnings for the days and weeks of `new` posts (already counted in `planned`): a day or a
    week above its maximum; and the weeks from this one to the farthest new post, at most
    LOOKAHEAD_WEEKS, that have no post at all on a platform with a weekly minimum. `by_week`: one
    line per crowded week, for a whole calendar imported at once (not one per day)."""
    planned = list(planned)
    per_day = Counter((p.platform, p.day) for p in planned)
    per_week = Counter((p.platform, week_of(p.day)) for p in planned)
    crowded: list[Crowded] = []
    empty_lines: list[str] = []
    for platform, days in _by_platform(new).items():
        cadence = policy.cadence(platform)
        if cadence is None:
            continue
        name = t(f"platforms.{platform}")
        for day in sorted(days):
            if cadence.max_per_day and per_day[platform, day] > cadence.max_per_day:
                crowded.append(Crowded(name, week_of(day), day, per_day[platform, day], cadence.max_per_day))
        for week in sorted({week_of(day) for day in days}):
            if cadence.max_per_week and per_week[platform, week] > cadence.max_per_week:
                crowded.append(Crowded(name, week, None, per_week[platform, week], cadence.max_per_week))
        if cadence.min_per_week:
            last = min(max(week_of(day) for day in days), week_of(today) + timedelta(weeks=LOOKAHEAD_WEEKS))
            weeks = _weeks(week_of(today), last)
            empty = [week for week in weeks if not per_week[platform, week]]
            if empty:
                empty_lines.append(_empty_weeks(empty, name, cadence.min_per_week, cadence.max_per_week))
    return (_weekly(crowded) if by_week else [_crowded(c) for c in crowded]) + empty_lines


def _crowded(found: Crowded) -> str:
    if found.day is None:
        return t("compliance.crowded_week", week=day_label(found.week), count=found.count,
                 platform=found.platform, limit=found.limit)  # fmt: skip
    return t("compliance.crowded_day", day=day_label(found.day), count=found.count,
             platform=found.platform, limit=found.limit)  # fmt: skip


def _weekly(crowded: list[Crowded]) -> list[str]:
    """One line per week: each platform's count for the week, and its crowded days."""
    lines = []
    for week in sorted({c.week for c in crowded}):
        this_week = [c for c in crowded if c.week == week]
        parts = [
            t("compliance.week_part", count=c.count, platform=c.platform, limit=c.limit) for c in this_week if not c.day
        ]
        for platform in dict.fromkeys(c.platform for c in this_week if c.day):
            days = [c for c in this_week if c.platform == platform and c.day]
            listed = ", ".join(f"{day_label(c.day)} ({c.count})" for c in days if c.day)
            limit = days[0].limit
            parts.append(t("compliance.days_part", count=len(days), platform=platform, days=listed, limit=limit))
        lines.append(t("compliance.crowded_week_summary", week=day_label(week), parts="; ".join(parts)))
    return lines


def _by_platform(posts: Iterable[Planned]) -> dict[str, set[date]]:
    days: dict[str, set[date]] = {}
    for post in posts:
        days.setdefault(post.platform, set()).add(post.day)
    return days


def _weeks(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _empty_weeks(weeks: list[date], platform: str, low: int, high: int | None) -> str:
    listed = ", ".join(t("compliance.week_of", day=day_label(week)) for week in weeks[:EMPTY_WEEKS_LISTED])
    if len(weeks) > EMPTY_WEEKS_LISTED:
        listed = t("compliance.and_more", listed=listed, more=len(weeks) - EMPTY_WEEKS_LISTED)
    target = t("compliance.cadence_range", low=low, high=high) if high else t("compliance.cadence_min", low=low)
    return t("compliance.empty_weeks", weeks=listed, platform=platform, target=target)


@dataclass(frozen=True)
class WeekLoad:
    """A week ahead on one platform that misses the organization's cadence: empty, or crowded."""

    platform: str
    week: date
    count: int
    kind: str  # "empty" | "crowded"
    limit: int


def weeks_ahead(policy: Policy, planned: Iterable[Planned], platforms: Iterable[str], today: date) -> list[WeekLoad]:
    """For the team meeting: this week and the LOOKAHEAD_WEEKS after it, the weeks with no post on
    a platform that wants some each week, and those above its weekly maximum."""
    per_week = Counter((p.platform, week_of(p.day)) for p in planned)
    weeks = _weeks(week_of(today), week_of(today) + timedelta(weeks=LOOKAHEAD_WEEKS))
    loads = []
    for platform in sorted(platforms):
        cadence = policy.cadence(platform)
        if cadence is None:
            continue
        for week in weeks:
            count = per_week[platform, week]
            if cadence.min_per_week and count == 0:
                loads.append(WeekLoad(platform, week, count, "empty", cadence.min_per_week))
            elif cadence.max_per_week and count > cadence.max_per_week:
                loads.append(WeekLoad(platform, week, count, "crowded", cadence.max_per_week))
    return loads
