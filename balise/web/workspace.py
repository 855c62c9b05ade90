"""The workspace's pages for a signed-in member. Each page is a thin function behind
`guard.workspace_route` (session, role, CSRF), calling the same functions as the CLI: the
status is `balise.status.build_status`, as `balise status` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from starlette.responses import HTMLResponse, Response

from balise.comments.store import urgent_waiting
from balise.consent import consents_of, last_day, state_of
from balise.db import read_scope
from balise.i18n import t
from balise.models import Organization, Person, utcnow
from balise.organizations import org_zone
from balise.status import build_status
from balise.timeparse import local_day, local_text
from balise.web.guard import Asked, workspace_route
from balise.web.render import render
from balise.web.sessions import form_token

APPROVERS = ("approver", "admin")


@dataclass(frozen=True)
class Shown:
    """One consent of a person, as a member reads it."""

    platforms: str
    given_by: str
    until: str | None
    state: str  # current | expired | revoked


def consent_rows(session: Session, org: Organization, person: Person) -> list[Shown]:
    """The person's consents from the registry, each with its state now (`consent.state_of`, as
    `balise consent list` says it) and the last day it covers."""
    zone, now = org_zone(org), utcnow()
    return [
        Shown(
            ", ".join(c.platforms) or t("workspace.all_platforms"),
            c.given_by,
            local_day(last_day(c.valid_until, zone)) if c.valid_until else None,
            state_of(c, now),
        )  # fmt: skip
        for c in consents_of(session, person)
    ]


def page(asked: Asked, template: str, title: str, **context: object) -> HTMLResponse:
    """A workspace page: the menu for this member's role, with the urgent comments waiting (read on
    their own: the page's transaction may be writing), and the sign-out form's token."""
    who = asked.who
    with read_scope() as session:
        urgent = urgent_waiting(session, who.org)
    html = render(
        template, title=title, member=who.member, org=who.org, csrf=form_token(who.session_id),
        can_sign_off=who.member.role in APPROVERS, urgent_comments=urgent, **context,
    )  # fmt: skip
    return HTMLResponse(html)


def home_page(_: Session, asked: Asked) -> Response:
    return page(asked, "space.html", t("workspace.home_title", org=asked.who.org.name))


def status_page(session: Session, asked: Asked) -> Response:
    """`balise status` in words, each problem with the next step."""
    org = asked.who.org
    report = build_status(session, org)
    zone = org_zone(org)
    seen = {name: local_text(when, zone) for name, when, _ in report.workers}
    problems = [(p, local_text(p.since, zone)) for p in report.problems]
    cron = local_text(report.cron_last, zone) if report.cron_last else None
    title = t("workspace.status_title")
    return page(asked, "status.html", title, report=report, problems=problems, seen=seen, cron=cron)


ROUTES = [
    workspace_route("/espace", home_page),
    workspace_route("/espace/etat", status_page),
]
