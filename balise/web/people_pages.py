"""The people who may appear in photos, in the workspace: the registry with each person's
consents and their state, a person added (a minor with the guardian who signs), a signed form
recorded (uploaded into the same evidence store, with the same checks, as `balise consent grant
--evidence`), and a withdrawal that first shows what it will take down and is done only by the
confirming POST, through `pipeline.consent.revoke`, as `balise consent revoke`.

Any member may do each of these, as on the command line: a withdrawal must be acted on whoever
takes the call. A person of another organization has no page.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session
from starlette.responses import Response

from balise.consent import add_person, consents_of, grant, last_day, parse_until, people
from balise.errors import InvalidInput, NotFound
from balise.i18n import t
from balise.media.evidence import evidence_folder
from balise.models import Person, Post
from balise.organizations import org_zone
from balise.pipeline.consent import revoke, withdrawal_plan
from balise.platforms import PLATFORMS
from balise.timeparse import local_day, local_text
from balise.web.guard import Asked, in_words, own_row, workspace_route
from balise.web.workspace import consent_rows, page

MAX_REASON = 2000


def _person(session: Session, asked: Asked) -> Person:
    """The person of the address, in the visitor's organization only."""
    person = own_row(session, Person, asked, "person_id")
    if person is None:
        raise NotFound("workspace.unknown_person")
    return person


def _shown(response: Response, status: int) -> Response:
    response.status_code = status
    return response


def people_page(
    session: Session, asked: Asked, values: Mapping[str, str] | None = None, error: str | None = None, status: int = 200
) -> Response:  # fmt: skip
    org = asked.who.org
    registry = [(person, consent_rows(session, org, person)) for person in people(session, org)]
    title = t("workspace.people_title")
    return _shown(page(asked, "people.html", title, registry=registry, values=values or {}, error=error), status)


def new_person(session: Session, asked: Asked) -> Response:
    """`balise people add`, from the form; then the person's page, to record their signed form."""
    form = asked.form
    try:
        person = add_person(
            session, asked.who.org, name=form.get("nom", ""), minor=bool(form.get("mineur")),
            guardian=form.get("tuteur", "").strip() or None,
            guardian_email=form.get("courriel_tuteur", "").strip() or None, actor=asked.who.member.name, channel="web",
        )  # fmt: skip
    except InvalidInput as exc:  # raised before anything was written
        return people_page(session, asked, form, in_words(exc), 400)
    session.flush()
    notice = t("consent.person_added_minor" if person.is_minor else "consent.person_added", name=person.name,
               guardian=person.guardian_name)  # fmt: skip
    return _person_page(session, asked, person, notice=notice)


def person_page(session: Session, asked: Asked) -> Response:
    return _person_page(session, asked, _person(session, asked))


def _person_page(
    session: Session, asked: Asked, person: Person, *, values: Mapping[str, str] | None = None,
    error: str | None = None, notice: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    consents = consent_rows(session, asked.who.org, person)
    title = t("workspace.person_title", name=person.name)
    response = page(
        asked, "person.html", title, person=person, consents=consents, platforms=list(PLATFORMS),
        values=values or {}, error=error, notice=notice, can_withdraw=any(c.state != "revoked" for c in consents),
    )  # fmt: skip
    return _shown(response, status)


def new_consent(session: Session, asked: Asked) -> Response:
    """`balise consent grant --evidence`: the uploaded form, its platforms, its last day, who signed."""
    person, form, org = _person(session, asked), asked.form, asked.who.org
    by_guardian = bool(form.get("par_tuteur"))
    try:
        if not asked.files:
            raise InvalidInput("workspace.evidence_required")
        until = parse_until(form["jusquau"], org_zone(org)) if form.get("jusquau", "").strip() else None
        consent = grant(
            session, org, person.name, platforms=[name for name in PLATFORMS if form.get(f"plateforme_{name}")],
            until=until, by_guardian=by_guardian, evidence=asked.files[0], evidence_dir=evidence_folder(),
            actor=asked.who.member.name, channel="web",
        )  # fmt: skip
    except InvalidInput as exc:  # raised before anything was written
        return _person_page(session, asked, person, values=form, error=in_words(exc), status=400)
    ends = t("consent.until_date", date=local_day(last_day(until, org_zone(org)))) if until else t("consent.until_none")
    notice = t("consent.granted", name=person.name, platforms=", ".join(consent.platforms), until=ends)
    if person.is_minor and not by_guardian:
        notice += " " + t("workspace.minor_self_warning", name=person.name)
    return _person_page(session, asked, person, notice=notice)


def _listed(asked: Asked, posts: list[Post]) -> list[tuple[Post, str]]:
    zone = org_zone(asked.who.org)
    return [(post, local_text(post.published_at or post.scheduled_at, zone)) for post in posts]


def withdrawal_page(session: Session, asked: Asked) -> Response:
    """What a withdrawal will take down and stop, and the button that does it; nothing changes here."""
    person = _person(session, asked)
    plan = withdrawal_plan(session, asked.who.org, person.name)
    current = [c for c in consents_of(session, person) if c.revoked_at is None]
    return page(
        asked, "withdraw.html", t("workspace.withdraw_title", name=person.name), person=person, current=bool(current),
        taken_down=_listed(asked, plan.taken_down), rechecked=_listed(asked, plan.rechecked), max_reason=MAX_REASON,
    )  # fmt: skip


def withdraw(session: Session, asked: Asked) -> Response:
    """The confirmation: `pipeline.consent.revoke`; its takedowns and re-checks run after the commit."""
    person = _person(session, asked)
    reason = asked.form.get("motif", "").strip()[:MAX_REASON] or None
    try:
        done = revoke(session, asked.who.org, person.name, reason=reason, actor=asked.who.member.name, channel="web")
    except InvalidInput as exc:  # nothing left to withdraw: nothing was written
        return _person_page(session, asked, person, error=in_words(exc), status=400)
    asked.after.append(done.after)
    notice = t("workspace.withdrawn", name=person.name, posts=len(done.withdrawn), rechecks=len(done.rechecks))
    return _person_page(session, asked, person, notice=notice)


ROUTES = [
    workspace_route("/espace/personnes", people_page),
    workspace_route("/espace/personnes", new_person, methods=("POST",)),
    workspace_route("/espace/personnes/{person_id:int}", person_page),
    workspace_route("/espace/personnes/{person_id:int}/consentement", new_consent, methods=("POST",), files=1),
    workspace_route("/espace/personnes/{person_id:int}/retrait", withdrawal_page),
    workspace_route("/espace/personnes/{person_id:int}/retrait", withdraw, methods=("POST",)),
]
