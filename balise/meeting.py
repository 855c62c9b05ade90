"""The team meeting's « point médias sociaux », which the policy asks to come back at every meeting:
what went out and its reach, what the gate stopped and why, the comments and how fast they were
answered, the consents about to expire, the weeks ahead that are empty or crowded, and the
policy's questions to settle. Read from the database only (no platform is asked).

A meeting is remembered (`Meeting`) only once produced, so the next one starts where it ended.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from balise.cadence import week_loads
from balise.comments.figures import CommentFigures, comment_figures
from balise.compliance.frequency import LOOKAHEAD_WEEKS, WeekLoad
from balise.consent import consents
from balise.errors import InvalidInput
from balise.i18n import day_label, t
from balise.mail.render import render, stylesheet
from balise.metrics import count_text
from balise.models import (
    AccountSnapshot,
    ComplianceResult,
    Meeting,
    Organization,
    Post,
    PostSnapshot,
    Target,
    utcnow,
)
from balise.organizations import members, org_zone
from balise.report import duration_text, reason_label
from balise.timeparse import check_year

FIRST_SPAN = timedelta(days=30)  # the first meeting looks this far back (or to the organization's start)
EXPIRING_WITHIN = timedelta(days=60)
STOPPED = ("rejected", "needs_review")
SHORT = 80


@dataclass(frozen=True)
class Reach:
    """One published post on one platform, with its latest figures (None where none were taken)."""

    platform: str
    url: str | None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    reach: int | None = None


@dataclass(frozen=True)
class Published:
    post_id: int
    text: str
    published_at: datetime
    reach: tuple[Reach, ...]


@dataclass(frozen=True)
class Audience:
    platform: str
    followers: int | None
    change: int | None  # since the meeting's start, when a figure from before it exists


@dataclass(frozen=True)
class Stopped:
    """A draft the gate stopped during the period: its verdict, codes, and where it stands now."""

    post_id: int
    text: str
    verdict: str
    codes: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class Expiring:
    person: str
    minor: bool
    until: datetime
    platforms: tuple[str, ...]


@dataclass(frozen=True)
class MeetingData:
    org_name: str
    zone: ZoneInfo
    since: datetime
    until: datetime
    published: list[Published]
    audience: list[Audience]
    stopped: list[Stopped]
    comments: CommentFigures
    expiring: list[Expiring]
    weeks: list[WeekLoad]
    responsible: list[tuple[str, str]]  # (name, role) of the approvers and admins


def parse_since(value: str, zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """`--since AAAA-MM-JJ`: from that day's midnight in the organization's zone, not in the future."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput("meeting.bad_since", value=value) from exc
    check_year(day, value)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    if start > (now or utcnow()):
        raise InvalidInput("meeting.future_since", value=value)
    return start


def last_meeting(session: Session, org: Organization) -> Meeting | None:
    query = select(Meeting).where(Meeting.org_id == org.id).order_by(col(Meeting.held_at).desc())
    return session.exec(query.limit(1)).first()


def default_since(session: Session, org: Organization, now: datetime) -> datetime:
    """Where the last meeting ended; the first time, 30 days back or the organization's start.

    The organization's start is floored to the second: the platforms date comments to the second,
    so a comment written in that first second would otherwise fall before it."""
    last = last_meeting(session, org)
    return last.held_at if last is not None else max(now - FIRST_SPAN, org.created_at.replace(microsecond=0))


def gather(
    session: Session, org: Organization, since: datetime | None = None, now: datetime | None = None
) -> MeetingData:
    """Every part of the meeting point, from `since` (default: `default_since`) to `now`."""
    now = now or utcnow()
    since = since if since is not None else default_since(session, org, now)
    zone = org_zone(org)
    return MeetingData(
        org_name=org.name,
        zone=zone,
        since=since,
        until=now,
        published=_published(session, org, since, now),
        audience=_audience(session, org, since, now),
        stopped=_stopped(session, org, since, now),
        comments=comment_figures(session, org, since, now),
        expiring=[
            Expiring(person.name, person.is_minor, consent.valid_until, tuple(consent.platforms))
            for person, consent in consents(session, org, expiring_within=EXPIRING_WITHIN)
            if consent.valid_until is not None
        ],
        weeks=week_loads(session, org, now.astimezone(zone).date()),
        responsible=[(m.name, m.role) for m in members(session, org) if m.role in ("approver", "admin")],
    )


def remember(session: Session, org: Organization, data: MeetingData) -> Meeting:
    """The meeting was produced: the next one starts at its end."""
    assert org.id is not None
    meeting = Meeting(org_id=org.id, since=data.since, held_at=data.until)
    session.add(meeting)
    session.flush()
    return meeting


def _published(session: Session, org: Organization, since: datetime, until: datetime) -> list[Published]:
    rows = session.exec(
        select(Post, Target)
        .join(Target, col(Target.post_id) == col(Post.id))
        .where(Post.org_id == org.id, col(Post.published_at) >= since, col(Post.published_at) < until)
        .where(col(Target.remote_id).is_not(None))
        .order_by(col(Post.published_at), col(Post.id), col(Target.platform))
    ).all()
    latest: dict[int, PostSnapshot] = {}
    target_ids = [target.id for _, target in rows]
    snapshots = session.exec(
        select(PostSnapshot).where(col(PostSnapshot.target_id).in_(target_ids)).order_by(col(PostSnapshot.taken_at))
    )
    for snapshot in snapshots:
        latest[snapshot.target_id] = snapshot
    posts: dict[int, Published] = {}
    for post, target in rows:
        assert post.id is not None and post.published_at is not None and target.id is not None
        figures = latest.get(target.id)
        reach = Reach(
            target.platform, target.url,
            *((figures.reactions, figures.comments, figures.shares, figures.reach) if figures else ()),
        )  # fmt: skip
        known = posts.get(post.id)
        posts[post.id] = Published(post.id, post.text, post.published_at, (*(known.reach if known else ()), reach))
    return list(posts.values())


def _audience(session: Session, org: Organization, since: datetime, until: datetime) -> list[Audience]:
    """Per platform, the latest follower count and how it moved since the meeting's start."""
    rows = session.exec(
        select(AccountSnapshot)
        .where(AccountSnapshot.org_id == org.id, col(AccountSnapshot.taken_at) < until)
        .where(col(AccountSnapshot.followers).is_not(None))
        .order_by(col(AccountSnapshot.taken_at))
    )
    before: dict[str, int | None] = {}
    last: dict[str, int | None] = {}
    for snapshot in rows:
        (before if snapshot.taken_at <= since else last)[snapshot.platform] = snapshot.followers
    audience = []
    for platform in sorted(set(before) | set(last)):
        now_count = last.get(platform, before.get(platform))
        then = before.get(platform)
        change = now_count - then if now_count is not None and then is not None and platform in last else None
        audience.append(Audience(platform, now_count, change))
    return audience


def _stopped(session: Session, org: Organization, since: datetime, until: datetime) -> list[Stopped]:
    """Each draft the gate rejected or sent to a person during the period, by its latest such verdict."""
    rows = session.exec(
        select(ComplianceResult, Post)
        .join(Post, col(Post.id) == col(ComplianceResult.post_id))
        .where(Post.org_id == org.id, col(ComplianceResult.verdict).in_(STOPPED))
        .where(col(ComplianceResult.created_at) >= since, col(ComplianceResult.created_at) < until)
        .order_by(col(ComplianceResult.id))
    )
    latest: dict[int, Stopped] = {}
    for result, post in rows:
        codes = tuple(dict.fromkeys(str(reason.get("code", "?")) for reason in result.reasons))
        latest[result.post_id] = Stopped(result.post_id, post.text, result.verdict, codes, post.state)
    return sorted(latest.values(), key=lambda s: s.post_id)


# -- in words ---------------------------------------------------------------------------------


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def when(data: MeetingData, moment: datetime) -> str:
    """A day in words, in the organization's zone: « mardi 1 décembre 2026 »."""
    return day_label(moment.astimezone(data.zone).date())


def figures_text(reach: Reach) -> str:
    parts = [
        t(f"meeting.figure_{name}", count=count_text(value))
        for name, value in (("reactions", reach.reactions), ("comments", reach.comments),
                            ("shares", reach.shares), ("reach", reach.reach))
        if value is not None
    ]  # fmt: skip
    return ", ".join(parts) if parts else t("meeting.no_figures")


def platform_list(platforms: tuple[str, ...]) -> str:
    return ", ".join(t(f"platforms.{p}") for p in platforms)


def week_lines(data: MeetingData) -> list[str]:
    """One line per platform and kind: « Facebook : aucune publication prévue les semaines du … »."""
    grouped: dict[tuple[str, str], list[WeekLoad]] = defaultdict(list)
    for load in data.weeks:
        grouped[load.platform, load.kind].append(load)
    return [
        t(
            f"meeting.weeks_{kind}", platform=t(f"platforms.{platform}"), limit=loads[0].limit,
            weeks=", ".join(short_day(load.week) + ("" if kind == "empty" else f" ({load.count})") for load in loads),
        )
        for (platform, kind), loads in grouped.items()
    ]  # fmt: skip


def short_day(day: date) -> str:
    """« 7 déc. »: the weeks of the next two months, without the weekday and the year."""
    return f"{day.day} {t('dates.months_short').split(',')[day.month - 1]}"


def as_data(data: MeetingData) -> dict[str, Any]:
    """`balise meeting --json`: times in ISO 8601 with the organization's offset."""

    def iso(moment: datetime) -> str:
        return moment.astimezone(data.zone).isoformat(timespec="seconds")

    figures = data.comments
    return {
        "organization": data.org_name,
        "since": iso(data.since),
        "until": iso(data.until),
        "published": [
            {
                "id": p.post_id,
                "text": p.text,
                "published_at": iso(p.published_at),
                "targets": [vars(r) for r in p.reach],
            }
            for p in data.published
        ],  # fmt: skip
        "audience": [vars(a) for a in data.audience],
        "stopped": [vars(s) | {"codes": list(s.codes)} for s in data.stopped],
        "comments": {
            "categories": figures.categories,
            "done": [{"category": c, "state": s, "count": n} for (c, s), n in figures.done.items()],
            "waiting": figures.waiting,
            "answered": len(figures.delays),
            "median_minutes": _minutes(figures.median),
            "p90_minutes": _minutes(figures.p90),
            "urgent_median_minutes": _minutes(figures.urgent_median),
        },
        "expiring_consents": [
            {"person": e.person, "minor": e.minor, "until": iso(e.until), "platforms": list(e.platforms)}
            for e in data.expiring
        ],
        "weeks": [
            {"platform": w.platform, "week": w.week.isoformat(), "kind": w.kind, "count": w.count, "limit": w.limit}
            for w in data.weeks
        ],  # fmt: skip
        "questions": [t(f"meeting.question_{n}") for n in (1, 2, 3)],
    }


def _minutes(delay: timedelta | None) -> float | None:
    return None if delay is None else round(delay.total_seconds() / 60, 1)


def by_category(figures: CommentFigures) -> dict[str, list[tuple[str, int]]]:
    """What was done with each category's comments: (state, count), in the inbox's words."""
    done: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (category, state), count in figures.done.items():
        done[category].append((t(f"comments.state_{state}"), count))
    return done


def responsible_text(data: MeetingData) -> str:
    names = ", ".join(f"{name} ({t(f'meeting.role_{role}')})" for name, role in data.responsible)
    return t("meeting.who_now", names=names) if names else t("meeting.nobody")


def frequency_text(data: MeetingData) -> str:
    weeks = max((data.until - data.since) / timedelta(weeks=1), 1)  # a shorter period says its count as is
    per_week = f"{len(data.published) / weeks:.1f}"
    return t("meeting.how_often_now", count=len(data.published), per_week=per_week.replace(".", t("meeting.decimal")))


def lines(data: MeetingData) -> list[str]:
    """The meeting point as plain text: the terminal and the mail's text part."""
    out = [
        t("meeting.title", org=data.org_name),
        t("meeting.period", since=when(data, data.since), until=when(data, data.until)),
        "",
        t("meeting.section_published", count=len(data.published)),
    ]
    for post in data.published:
        day = when(data, post.published_at)
        out.append(t("meeting.published_line", id=post.post_id, day=day, text=short(post.text)))
        out += [
            "      " + t("labels.labelled", label=t(f"platforms.{r.platform}"), value=figures_text(r))
            for r in post.reach
        ]
    if not data.published:
        out.append(t("meeting.none_published"))
    for audience in data.audience:
        change = "" if audience.change is None else t("meeting.change", change=f"{audience.change:+d}")
        followers = "—" if audience.followers is None else count_text(audience.followers)
        out.append(t("meeting.audience_line", platform=t(f"platforms.{audience.platform}"), count=followers,
                     change=change))  # fmt: skip
    out += ["", t("meeting.section_stopped", count=len(data.stopped))]
    for stopped in data.stopped:
        out.append(t("meeting.stopped_line", id=stopped.post_id, verdict=t(f"meeting.verdict_{stopped.verdict}"),
                     text=short(stopped.text), state=t(f"labels.{stopped.state}")))  # fmt: skip
        out += ["      " + t("labels.labelled", label=code, value=reason_label(code)) for code in stopped.codes]
    if not data.stopped:
        out.append(t("meeting.none_stopped"))
    figures = data.comments
    out += ["", t("meeting.section_comments", count=figures.total)]
    done = by_category(figures)
    for category, count in figures.categories.items():
        if count:
            what = ", ".join(f"{n} {state}" for state, n in done[category])
            out.append(t("meeting.category_line", category=t(f"comments.category_{category}"), count=count, done=what))
    if figures.total:
        out.append(t("meeting.response", answered=len(figures.delays), median=duration_text(figures.median),
                     p90=duration_text(figures.p90), urgent=duration_text(figures.urgent_median)))  # fmt: skip
        if figures.waiting:
            out.append(t("meeting.waiting", count=figures.waiting))
    else:
        out.append(t("meeting.none_comments"))
    out += ["", t("meeting.section_consents", count=len(data.expiring))]
    for expiring in data.expiring:
        minor = t("meeting.minor") if expiring.minor else ""
        out.append(t("meeting.consent_line", person=expiring.person, minor=minor, day=when(data, expiring.until),
                     platforms=platform_list(expiring.platforms)))  # fmt: skip
    if not data.expiring:
        out.append(t("meeting.none_consents"))
    out += ["", t("meeting.section_weeks", weeks=LOOKAHEAD_WEEKS + 1)]
    out += [f"  - {line}" for line in week_lines(data)] or [t("meeting.none_weeks")]
    out += [
        "",
        t("meeting.section_questions"),
        f"  1. {t('meeting.question_1')}",
        f"     {t('meeting.what_now', count=len(data.published))}",
        f"  2. {t('meeting.question_2')}",
        f"     {responsible_text(data)}",
        f"  3. {t('meeting.question_3')}",
        f"     {frequency_text(data)}",
    ]
    return out


def render_html(data: MeetingData) -> str:
    """The same meeting point as one page (escaped: texts come from people and commenters)."""
    return render(
        "meeting.html",
        css=stylesheet(),
        data=data,
        since=when(data, data.since),
        until=when(data, data.until),
        when=lambda moment: when(data, moment),
        short=short,
        figures_text=figures_text,
        code_label=reason_label,
        platform_list=platform_list,
        week_lines=week_lines(data),
        done=by_category(data.comments),
        count_text=count_text,
        median=duration_text(data.comments.median),
        p90=duration_text(data.comments.p90),
        urgent=duration_text(data.comments.urgent_median),
        responsible=responsible_text(data),
        frequency=frequency_text(data),
        weeks=LOOKAHEAD_WEEKS + 1,
    )
