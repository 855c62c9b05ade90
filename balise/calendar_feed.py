"""The calendar of planned posts: an iCalendar feed for a phone or Outlook, and the weeks ahead.

The feed is made by one function, `calendar_ics`, so the command line and the web app's secret
address serve the same bytes. Drafts still waiting for the gate or a sign-off are in it too
(as tentative events): the coordinator plans with them; cancelled, rejected and withdrawn posts are not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from balise.i18n import t
from balise.models import Organization, Post, Target, utcnow
from balise.organizations import org_zone
from balise.states import PLANNED, State

CONFIRMED = {State.SCHEDULED, State.PUBLISHING, State.PUBLISHED}
EVENT_LENGTH = timedelta(minutes=15)  # calendars draw a zero-length event as a thin line, or not at all
SUMMARY_LENGTH = 60


@dataclass(frozen=True)
class CalendarEntry:
    post: Post
    platforms: tuple[str, ...]

    def summary(self, width: int = SUMMARY_LENGTH) -> str:
        flat = " ".join(self.post.text.split())
        return flat if len(flat) <= width else flat[: width - 1] + "…"


def calendar_entries(
    session: Session, org: Organization, start: datetime | None = None, end: datetime | None = None
) -> list[CalendarEntry]:
    """Planned posts of `org` (scheduled in [start, end) when given), in time order."""
    query = select(Post).where(Post.org_id == org.id, col(Post.state).in_([s.value for s in PLANNED]))
    if start is not None:
        query = query.where(col(Post.scheduled_at) >= start)
    if end is not None:
        query = query.where(col(Post.scheduled_at) < end)
    posts = list(session.exec(query.order_by(col(Post.scheduled_at), col(Post.id))))
    platforms: dict[int, list[str]] = defaultdict(list)
    targets = select(Target).where(col(Target.post_id).in_([p.id for p in posts])).order_by(col(Target.platform))
    for target in session.exec(targets):
        platforms[target.post_id].append(target.platform)
    return [CalendarEntry(post, tuple(platforms[post.id or 0])) for post in posts]


def calendar_ics(session: Session, org: Organization) -> bytes:
    """The organization's planned posts as an iCalendar (RFC 5545) file, one event per post."""
    calendar = Calendar()
    calendar.add("prodid", "-//balise//calendrier des publications//FR")
    calendar.add("version", "2.0")
    # One line: icalendar does not escape a line break in this property and refuses the file.
    calendar.add("x-wr-calname", " ".join(t("calendar.feed_name", org=org.name).split()))
    for entry in calendar_entries(session, org):
        post = entry.post
        event = Event()
        event.add("uid", f"post-{post.id}.{org.slug}@balise")
        event.add("dtstamp", post.updated_at)
        event.add("last-modified", post.updated_at)
        event.add("sequence", post.version)  # an edit bumps the version: calendars replace the event
        event.add("dtstart", post.scheduled_at)
        event.add("dtend", post.scheduled_at + EVENT_LENGTH)
        event.add("summary", entry.summary())
        event.add("description", _description(entry))
        event.add("status", "CONFIRMED" if post.state in CONFIRMED else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()


def _description(entry: CalendarEntry) -> str:
    return "\n".join(
        [
            entry.post.text,
            "",
            t("calendar.platforms", platforms=", ".join(entry.platforms)),
            t("calendar.state", state=t("labels." + entry.post.state)),
            t("calendar.post_number", post_id=entry.post.id),
        ]
    )


def upcoming_days(
    session: Session, org: Organization, weeks: int, now: datetime | None = None
) -> list[tuple[date, list[CalendarEntry]]]:
    """The days from today (in the organization's zone) to `weeks` weeks ahead that have posts."""
    zone = org_zone(org)
    today = (now or utcnow()).astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(weeks=weeks), time(0), tzinfo=zone)
    days: dict[date, list[CalendarEntry]] = defaultdict(list)
    for entry in calendar_entries(session, org, start, end):
        days[entry.post.scheduled_at.astimezone(zone).date()].append(entry)
    return sorted(days.items())
