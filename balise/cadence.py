"""Cadence advice for posts just added or moved: the organization's plan, counted per day and week.

The counting and the wording are the compliance package's (`compliance.frequency`); this module
only reads what is planned. Cancelled, rejected and withdrawn posts do not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from balise.compliance import load_policy
from balise.compliance.frequency import LOOKAHEAD_WEEKS, Planned, WeekLoad, cadence_warnings, week_of, weeks_ahead
from balise.config import get_settings
from balise.models import Organization, Post, Target, utcnow
from balise.organizations import account_owner, org_zone
from balise.platforms import PLATFORMS
from balise.states import PLANNED


def cadence_advice(session: Session, org: Organization, posts: Sequence[Post], *, by_week: bool = False) -> list[str]:
    """Warnings for the days and weeks of `posts` (flushed, so they count themselves); `by_week`:
    one line per crowded week (an imported calendar), not one per day."""
    if not posts:
        return []
    zone = org_zone(org)
    today = utcnow().astimezone(zone).date()
    ids = [post.id for post in posts]
    new = [
        Planned(target.platform, post.scheduled_at.astimezone(zone).date())
        for post, target in session.exec(select(Post, Target).where(Target.post_id == Post.id, col(Post.id).in_(ids)))
    ]
    first = week_of(min(today, *(p.day for p in new)))
    last = max(week_of(today) + timedelta(weeks=LOOKAHEAD_WEEKS), *(p.day for p in new)) + timedelta(days=7)
    counted = planned_posts(session, org, first, last)
    return cadence_warnings(load_policy(org.policy_override), counted, new, today, by_week=by_week)


def planned_posts(session: Session, org: Organization, first: date, last: date) -> list[Planned]:
    """Every post planned or published on each platform, local days `first` to `last` (excluded)."""
    zone = org_zone(org)
    planned = session.exec(
        select(Post.scheduled_at, Target.platform).where(
            Target.post_id == Post.id,
            Post.org_id == org.id,
            col(Post.state).in_([s.value for s in PLANNED]),
            col(Post.scheduled_at) >= datetime.combine(first, time(0), tzinfo=zone),
            col(Post.scheduled_at) < datetime.combine(last, time(0), tzinfo=zone),
        )
    )
    return [Planned(platform, at.astimezone(zone).date()) for at, platform in planned]


def week_loads(session: Session, org: Organization, today: date) -> list[WeekLoad]:
    """The week of `today` and the LOOKAHEAD_WEEKS after it that miss the cadence, on each platform
    the organization has an account on: the team meeting's weeks ahead, and the month page's."""
    settings, owner = get_settings(), account_owner(session, org)
    platforms = [name for name in PLATFORMS if name != "sandbox" and settings.has_account(owner, name)]
    first = week_of(today)
    planned = planned_posts(session, org, first, first + timedelta(weeks=LOOKAHEAD_WEEKS + 1))
    return weeks_ahead(load_policy(org.policy_override), planned, platforms, today)
