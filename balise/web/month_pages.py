"""The month in the workspace: a calendar of the organization's planned and published posts, each
with its state in colour and in words, the cadence guidance on the weeks it concerns (the team
meeting's `cadence.week_loads`), and moving a post to another day or time: the same edit as
`balise draft edit --at` (`pipeline.draft.edit_post`), so the post goes back to the gate and
loses its sign-off, and the cadence advice the CLI prints after a move.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select
from starlette.responses import Response

from balise.cadence import cadence_advice, week_loads
from balise.compliance.frequency import WeekLoad, clock_label, week_of
from balise.errors import InvalidInput
from balise.i18n import day_label, t
from balise.models import Organization, Post, Target, utcnow
from balise.organizations import org_zone
from balise.pipeline.draft import edit_post
from balise.pipeline.signoff import inbox
from balise.platforms import PLATFORMS
from balise.posts import get_post
from balise.states import EDITABLE, PLANNED
from balise.timeparse import check_year, local_text, parse_when
from balise.web.guard import Asked, workspace_route
from balise.web.workspace import APPROVERS, page

MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Entry:
    """One post on its day, as the calendar shows it."""

    post_id: int
    clock: str  # « 10 h », in the organization's zone
    platforms: str  # their names as people read them
    state: str
    text: str
    waiting: bool  # in this member's sign-off inbox: its link opens there
    movable: bool
    day: date  # local, as the move form starts from it
    hour: str  # HH:MM


@dataclass(frozen=True)
class Week:
    days: list[tuple[date, list[Entry]]]
    guidance: list[str]


def _month(text: str, today: date) -> date:
    """The first day of the month asked (`AAAA-MM`), this month when none is."""
    if not text:
        return today.replace(day=1)
    found = MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise InvalidInput("workspace.month_invalid", value=text)
    first = date(int(found[1]), int(found[2]), 1)
    check_year(first, text)
    return first


def _next(first: date) -> date:
    return (first + timedelta(days=31)).replace(day=1)


def _platform(text: str) -> str | None:
    """The one platform asked, or None for all."""
    if text and text not in PLATFORMS:
        raise InvalidInput("workspace.month_platform_unknown", value=text, known=", ".join(PLATFORMS))
    return text or None


def _entries(session: Session, asked: Asked, start: date, end: date, only: str | None) -> dict[date, list[Entry]]:
    """The posts planned or published from `start` to `end` (excluded), local days, by day; those
    on the platform `only` when one is given."""
    org, zone = asked.who.org, org_zone(asked.who.org)
    rows = session.exec(
        select(Post, Target.platform)
        .where(Target.post_id == Post.id, Post.org_id == org.id, col(Post.state).in_([s.value for s in PLANNED]))
        .where(col(Post.scheduled_at) >= datetime.combine(start, time(0), tzinfo=zone))
        .where(col(Post.scheduled_at) < datetime.combine(end, time(0), tzinfo=zone))
        .order_by(col(Post.scheduled_at), col(Post.id), col(Target.id))  # its platforms in the order given
    )
    platforms: dict[int, list[str]] = {}
    posts: dict[int, Post] = {}
    for post, platform in rows:
        assert post.id is not None
        posts[post.id] = post
        platforms.setdefault(post.id, []).append(platform)
    waiting = {p.id for p in inbox(session, org, asked.who.member)} if asked.who.member.role in APPROVERS else set()
    days: dict[date, list[Entry]] = {}
    for post_id, post in posts.items():
        if only and only not in platforms[post_id]:
            continue
        local, names = post.scheduled_at.astimezone(zone), ", ".join(t(f"web.platform_{p}") for p in platforms[post_id])
        entry = Entry(
            post_id, clock_label(local.time()), names, post.state, post.text,
            post_id in waiting, post.state in EDITABLE, local.date(), local.strftime("%H:%M"),
        )  # fmt: skip
        days.setdefault(local.date(), []).append(entry)
    return days


def _guidance(load: WeekLoad) -> str:
    key = "workspace.month_week_empty" if load.kind == "empty" else "workspace.month_week_crowded"
    return t(key, platform=t(f"platforms.{load.platform}"), count=load.count, limit=load.limit)


def _weeks(session: Session, asked: Asked, first: date, only: str | None) -> list[Week]:
    """The month's weeks, Monday to Sunday, with the guidance for the weeks from this one on."""
    start, end = week_of(first), week_of(_next(first) - timedelta(days=1)) + timedelta(days=7)
    days = _entries(session, asked, start, end, only)
    today = utcnow().astimezone(org_zone(asked.who.org)).date()
    loads = week_loads(session, asked.who.org, max(today, start)) if end > today else []
    weeks = []
    for monday in (start + timedelta(weeks=n) for n in range((end - start).days // 7)):
        week_days = [monday + timedelta(days=n) for n in range(7)]
        guidance = [_guidance(load) for load in loads if load.week == monday and only in (None, load.platform)]
        weeks.append(Week([(day, days.get(day, [])) for day in week_days], guidance))
    return weeks


def _calendar(
    session: Session, asked: Asked, first: date, *, only: str | None = None, error: str | None = None,
    done: list[str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    org: Organization = asked.who.org
    weeks = _weeks(session, asked, first, only)
    month_name = t("dates.months").split(",")[first.month - 1]
    month = t("dates.month", month=month_name, year=first.year)
    response = page(
        asked, "month.html", t("workspace.month_title", month=month), month=month, first=first, weeks=weeks,
        previous=(first - timedelta(days=1)).strftime("%Y-%m"), following=_next(first).strftime("%Y-%m"),
        weekdays=t("dates.days").split(","), platforms=list(PLATFORMS), only=only, day_label=day_label,
        zone=org.timezone, error=error, done=done or [],
        entries=[entry for week in weeks for _, entries in week.days for entry in entries],
    )  # fmt: skip
    response.status_code = status
    return response


def month_page(session: Session, asked: Asked) -> Response:
    today = utcnow().astimezone(org_zone(asked.who.org)).date()
    first = _month(str(asked.params.get("mois", "")), today)
    return _calendar(session, asked, first, only=_platform(str(asked.params.get("plateforme", ""))))


def _when(form: Mapping[str, str]) -> str:
    """« demain 10 h » when written in words, else the day and hour fields."""
    words = form.get("quand", "").strip()
    if words:
        return words
    day, hour = form.get("date", "").strip(), form.get("heure", "").strip()
    if not day or not hour:
        raise InvalidInput("workspace.move_when_required")
    return f"{day} {hour}"


def move(session: Session, asked: Asked) -> Response:
    """`balise draft edit --at`: the new time, back to the gate, earlier sign-offs void; a wrong
    time changes nothing and shows the month again with what was wrong."""
    org, zone = asked.who.org, org_zone(asked.who.org)
    post = get_post(session, org, int(asked.params["post_id"]))
    try:
        when = parse_when(_when(asked.form), zone)
    except InvalidInput as exc:
        first = post.scheduled_at.astimezone(zone).date().replace(day=1)
        return _calendar(session, asked, first, error=exc.message(), status=400)
    asked.after.append(edit_post(session, post, asked.who.member, scheduled_at=when, channel="web"))
    session.flush()
    done = [t("workspace.moved", post_id=post.id, when=local_text(when, zone)), *cadence_advice(session, org, [post])]
    return _calendar(session, asked, when.astimezone(zone).date().replace(day=1), done=done)


ROUTES = [
    workspace_route("/espace/mois", month_page),
    workspace_route("/espace/mois/{post_id:int}/deplacer", move, methods=("POST",)),
]
