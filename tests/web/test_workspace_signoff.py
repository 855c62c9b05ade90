"""The sign-off inbox of the workspace, over real HTTP: the approver sees the post with its photo,
people and consents, approves or refuses; the four eyes, the roles, the organizations and the
CSRF token hold on the server."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import requests

from balise.config import get_settings
from balise.consent import add_person, grant, people
from balise.db import session_scope
from balise.models import Member, Organization, SignInLink, utcnow
from balise.organizations import add_member, create_organization
from balise.pipeline.after_commit import run_after_commit
from balise.pipeline.draft import DraftInput, add_post
from balise.queue.queues import COMPLIANCE, MAIL
from balise.queue.worker import run_worker
from balise.web.sessions import COOKIE, cookie_value
from balise.web.signin import make_sign_in_token, sign_in
from tests.web.conftest import JOB_OFFER, Team, audit_channels, footprint, make_photo, make_team, state


def browser_of(web: str, member_id: int) -> requests.Session:
    """A browser signed in as the member, through the sign-in link's own functions (the emailed
    path itself is tests/web/test_workspace_signin.py's)."""
    token_id = secrets.token_urlsafe(12)
    with session_scope() as session:
        member = session.get(Member, member_id)
        assert member
        session.add(SignInLink(token_id=token_id, member_id=member_id, email=member.email, address="test"))
    session_id = sign_in(make_sign_in_token(member_id, token_id), None)
    browser = requests.Session()
    browser.cookies.set(COOKIE, cookie_value(session_id))
    return browser


def stranger_of(web: str) -> requests.Session:
    """A browser signed in as Zoé, admin of another organization."""
    with session_scope() as session:
        other = create_organization(session, slug="autre", name="Autre Org", timezone="America/Toronto")
        stranger = add_member(session, other, name="Zoé", email="zoe@autre.org", role="admin", actor="test")
        assert stranger.id
        stranger_id = stranger.id
    return browser_of(web, stranger_id)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def draft_with_people(team: Team, photo: Path, author_id: int | None = None) -> int:
    """A draft showing Léa (adult, consent for both platforms), through the real gate."""
    with session_scope() as session:
        org = session.get(Organization, team.org_id)
        author = session.get(Member, author_id or team.author_id)
        assert org and author
        if not any(person.name == "Léa" for person in people(session, org)):
            add_person(session, org, name="Léa", minor=False, guardian=None, guardian_email=None, actor="test")
            grant(
                session, org, "Léa", platforms=("sandbox", "x"), until=utcnow() + timedelta(days=300),
                by_guardian=False, evidence=None, evidence_dir=get_settings().data_path / "media", actor="test",
            )  # fmt: skip
        draft = DraftInput(
            text=JOB_OFFER, platforms=("sandbox", "x"), scheduled_at=utcnow() + timedelta(hours=1), photos=(photo,),
            people=("Léa",),
        )  # fmt: skip
        post, after = add_post(session, org, author, draft, get_settings().data_path / "media")
        assert post.id
        post_id = post.id
    run_after_commit(after)
    run_worker([COMPLIANCE, MAIL], burst=True, with_scheduler=False)
    assert state(post_id) == "awaiting_signoff"
    return post_id


def test_the_approver_sees_the_post_with_its_people_and_approves(web: str, tmp_path: Path) -> None:
    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"))
    julie = browser_of(web, team.approver_id)
    inbox = julie.get(f"{web}/espace/signature", timeout=10)
    assert inbox.status_code == 200 and f"Publication n° {post_id}" in inbox.text and "Écrite par Marie" in inbox.text
    page = julie.get(f"{web}/espace/signature/{post_id}", timeout=10)
    assert page.status_code == 200
    assert "ESPACE recrute une animatrice" in page.text and 'alt="Photo jointe : atelier.png"' in page.text
    assert "Léa" in page.text and "Consentement valide pour sandbox, x" in page.text
    assert page.headers["cache-control"] == "no-store"
    done = julie.post(f"{web}/espace/signature/{post_id}/approuver", data={"csrf": csrf_of(page.text)}, timeout=10)
    assert done.status_code == 200 and f"Publication n° {post_id} approuvée" in done.text
    assert state(post_id) == "scheduled"
    assert ("transition", "scheduled", "web") in audit_channels(post_id)


def test_the_approver_refuses_with_a_reason_and_a_policy_code(web: str, tmp_path: Path) -> None:
    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"))
    julie = browser_of(web, team.approver_id)
    page = julie.get(f"{web}/espace/signature/{post_id}", timeout=10)
    empty = julie.post(f"{web}/espace/signature/{post_id}/refuser", data={"csrf": csrf_of(page.text)}, timeout=10)
    assert empty.status_code == 400 and state(post_id) == "awaiting_signoff"
    fields = {"csrf": csrf_of(page.text), "motif": "Hors mission", "code": "OFF_MISSION"}
    done = julie.post(f"{web}/espace/signature/{post_id}/refuser", data=fields, timeout=10)
    assert done.status_code == 200 and state(post_id) == "rejected"


def test_an_author_cannot_reach_the_approve_action_of_their_own_post(web: str, tmp_path: Path) -> None:
    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"), author_id=team.admin_id)
    chantal = browser_of(web, team.admin_id)  # an admin may sign off, but not what she wrote
    home = chantal.get(f"{web}/espace", timeout=10)
    assert f"Publication n° {post_id}" not in chantal.get(f"{web}/espace/signature", timeout=10).text
    assert chantal.get(f"{web}/espace/signature/{post_id}", timeout=10).status_code == 404
    before = footprint(post_id)
    own = chantal.post(f"{web}/espace/signature/{post_id}/approuver", data={"csrf": csrf_of(home.text)}, timeout=10)
    assert own.status_code == 403 and footprint(post_id) == before


def test_an_author_has_no_sign_off_pages(web: str, tmp_path: Path) -> None:
    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"), author_id=team.approver_id)
    marie = browser_of(web, team.author_id)
    home = marie.get(f"{web}/espace", timeout=10)
    assert "À approuver" not in home.text
    assert marie.get(f"{web}/espace/signature", timeout=10).status_code == 403
    before = footprint(post_id)
    tried = marie.post(f"{web}/espace/signature/{post_id}/approuver", data={"csrf": csrf_of(home.text)}, timeout=10)
    assert tried.status_code == 403 and footprint(post_id) == before


def test_a_decision_needs_the_form_of_this_session(web: str, tmp_path: Path) -> None:
    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"))
    julie, other = browser_of(web, team.approver_id), browser_of(web, team.approver_id)
    foreign = csrf_of(other.get(f"{web}/espace", timeout=10).text)
    before = footprint(post_id)
    for token in ("", "faux", foreign):
        tried = julie.post(f"{web}/espace/signature/{post_id}/approuver", data={"csrf": token}, timeout=10)
        assert tried.status_code == 403
    assert footprint(post_id) == before


def test_another_organization_reaches_nothing_of_this_one(web: str, tmp_path: Path) -> None:
    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"))
    zoe = stranger_of(web)
    home = zoe.get(f"{web}/espace", timeout=10)
    assert "Autre Org" in home.text and "ESPACE Test" not in home.text
    assert f"Publication n° {post_id}" not in zoe.get(f"{web}/espace/signature", timeout=10).text
    assert zoe.get(f"{web}/espace/signature/{post_id}", timeout=10).status_code == 404
    before = footprint(post_id)
    tried = zoe.post(f"{web}/espace/signature/{post_id}/approuver", data={"csrf": csrf_of(home.text)}, timeout=10)
    assert tried.status_code == 404 and footprint(post_id) == before
    assert "ESPACE" not in zoe.get(f"{web}/espace/etat", timeout=10).text
