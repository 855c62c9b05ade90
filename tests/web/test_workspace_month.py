"""The month page of the workspace, over real HTTP: each post on its day with its state in words,
never another organization's; the cadence guidance on its week; moving a post is
`balise draft edit --at` (back to the gate, its sign-off void), and a wrong time changes nothing."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlmodel import select

from balise.compliance.frequency import week_of
from balise.config import reset_settings
from balise.db import session_scope
from balise.i18n import day_label
from balise.models import Approval, Member, Post
from balise.organizations import add_member, create_organization
from balise.pipeline.draft import cancel_post
from balise.queue.queues import COMPLIANCE
from balise.queue.worker import run_worker
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.helpers import make_post
from tests.web.conftest import Mailbox, Team, awaiting_draft, footprint, make_team, state
from tests.web.test_browser import CHROMIUM
from tests.web.test_workspace_browser import AXE, review, sign_in, workspace_page
from tests.web.test_workspace_signoff import browser_of, csrf_of

ZONE = ZoneInfo("America/Toronto")


def month_of(post_id: int) -> str:
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        return post.scheduled_at.astimezone(ZONE).strftime("%Y-%m")


def month_page(web: str, browser: requests.Session, post_id: int) -> str:
    answer = browser.get(f"{web}/espace/mois", params={"mois": month_of(post_id)}, timeout=10)
    assert answer.status_code == 200, answer.text
    return html.unescape(answer.text)


def approved(web: str, team: Team) -> int:
    """A post through the real gate, approved by Julie in the workspace: scheduled."""
    post_id = awaiting_draft(team)
    julie = browser_of(web, team.approver_id)
    page = julie.get(f"{web}/espace/signature/{post_id}", timeout=10)
    julie.post(f"{web}/espace/signature/{post_id}/approuver", data={"csrf": csrf_of(page.text)}, timeout=10)
    assert state(post_id) == "scheduled"
    return post_id


def test_each_post_is_on_its_day_in_its_state_and_another_organizations_never_are(web: str) -> None:
    team = make_team()
    waiting = awaiting_draft(team)
    checking = make_post(team.org_id, team.author_id, in_minutes=90)
    cancelled = make_post(team.org_id, team.author_id, in_minutes=120)
    with session_scope() as session:
        post, marie = session.get(Post, cancelled), session.get(Member, team.author_id)
        assert post and marie
        cancel_post(session, post, marie, "reportée")
        other = create_organization(session, slug="autre", name="Autre Org", timezone="America/Toronto")
        zoe = add_member(session, other, name="Zoé", email="zoe@autre.org", role="admin", actor="test")
        assert other.id and zoe.id
        zoe_id, other_id = zoe.id, other.id
    theirs = make_post(other_id, zoe_id, text="Secret de l'autre organisme", in_minutes=60)
    marie_sees = month_page(web, browser_of(web, team.author_id), waiting)
    day = datetime.now(ZONE) + timedelta(minutes=60)
    assert f'class="etat etat-awaiting_signoff" href="#publication-{waiting}"' in marie_sees
    sandbox = "Bac à sable (essai, rien n'est publié)"
    assert f"n° {waiting} · {sandbox}, X (Twitter) · en attente d'approbation" in marie_sees
    assert f"n° {checking} · {sandbox} · en vérification" in marie_sees
    assert f"n° {cancelled} ·" not in marie_sees and "annulée" not in marie_sees
    assert f'value="{day.date().isoformat()}"' in marie_sees  # the move form starts from its day
    assert "Secret de l'autre" not in marie_sees and f"n° {theirs} " not in marie_sees
    julie_sees = month_page(web, browser_of(web, team.approver_id), waiting)
    assert f'href="/espace/signature/{waiting}"' in julie_sees  # her inbox entry
    zoe_sees = month_page(web, browser_of(web, zoe_id), theirs)
    assert "Secret de l'autre" in zoe_sees and f"n° {waiting} " not in zoe_sees


def test_moving_a_post_sends_it_back_to_the_gate_and_voids_its_sign_off(web: str) -> None:
    team = make_team()
    post_id = approved(web, team)
    marie = browser_of(web, team.author_id)
    page = month_page(web, marie, post_id)
    assert "Déplacer cette publication la renvoie à la vérification et annule son approbation" in page
    moved = marie.post(
        f"{web}/espace/mois/{post_id}/deplacer", data={"csrf": csrf_of(page), "quand": "demain 10 h"}, timeout=10
    )
    assert moved.status_code == 200, moved.text
    tomorrow = (datetime.now(ZONE) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    assert "Elle repasse à la vérification et son approbation est annulée" in html.unescape(moved.text)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post and post.state == "pending_check" and post.scheduled_at == tomorrow
        approvals = session.exec(select(Approval).where(Approval.post_id == post_id)).all()
        assert approvals and all(a.voided_at is not None for a in approvals)
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert state(post_id) == "awaiting_signoff"  # signed off again before it goes out


def test_a_move_by_the_day_and_hour_fields_is_the_same_edit(web: str) -> None:
    team = make_team()
    post_id = awaiting_draft(team)
    julie = browser_of(web, team.approver_id)
    later = (datetime.now(ZONE) + timedelta(days=3)).replace(hour=14, minute=30, second=0, microsecond=0)
    fields = {"csrf": csrf_of(month_page(web, julie, post_id)), "date": later.date().isoformat(), "heure": "14:30"}
    assert julie.post(f"{web}/espace/mois/{post_id}/deplacer", data=fields, timeout=10).status_code == 200
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post and post.scheduled_at == later and post.state == "pending_check"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"quand": "le jour de la Saint-Glinglin"}, "le jour de la Saint-Glinglin"),
        ({"date": "2020-01-15", "heure": "10:00"}, "passé"),
        ({"date": "", "heure": "10:00"}, "Dites quand publier"),
    ],
)
def test_a_wrong_time_is_refused_in_french_and_changes_nothing(web: str, fields: dict[str, str], words: str) -> None:
    team = make_team()
    post_id = approved(web, team)
    marie = browser_of(web, team.author_id)
    before = footprint(post_id)
    csrf = csrf_of(month_page(web, marie, post_id))
    refused = marie.post(f"{web}/espace/mois/{post_id}/deplacer", data={"csrf": csrf, **fields}, timeout=10)
    assert refused.status_code == 400 and words in html.unescape(refused.text), refused.text
    assert 'role="alert"' in refused.text and "Traceback" not in refused.text
    assert footprint(post_id) == before and state(post_id) == "scheduled"


def test_a_bad_month_is_refused_in_french(web: str) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)
    refused = marie.get(f"{web}/espace/mois", params={"mois": "2027-13"}, timeout=10)
    assert refused.status_code == 400 and "« 2027-13 » n'est pas un mois" in html.unescape(refused.text)


def test_another_organization_cannot_move_a_post_and_a_move_needs_the_session_and_its_form(web: str) -> None:
    team = make_team()
    post_id = awaiting_draft(team)
    with session_scope() as session:
        other = create_organization(session, slug="autre", name="Autre Org", timezone="America/Toronto")
        zoe = add_member(session, other, name="Zoé", email="zoe@autre.org", role="admin", actor="test")
        assert zoe.id
        zoe_id = zoe.id
    before = footprint(post_id)
    zoe_browser = browser_of(web, zoe_id)
    csrf = csrf_of(zoe_browser.get(f"{web}/espace/mois", timeout=10).text)
    url = f"{web}/espace/mois/{post_id}/deplacer"
    assert zoe_browser.post(url, data={"csrf": csrf, "quand": "demain 10 h"}, timeout=10).status_code == 404
    marie = browser_of(web, team.author_id)
    assert marie.post(url, data={"csrf": csrf, "quand": "demain 10 h"}, timeout=10).status_code == 403
    assert requests.post(url, data={"quand": "demain 10 h"}, timeout=10).status_code == 401
    signed_out = requests.get(f"{web}/espace/mois", timeout=10, allow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].endswith("/connexion")
    assert footprint(post_id) == before


def test_an_empty_week_on_a_configured_platform_is_shown_on_its_week(
    web: str, fake_facebook: FakeFacebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in FakeAccount("facebook", fake_facebook).env().items():
        monkeypatch.setenv(name, value)
    reset_settings()
    team = make_team()
    post_id = awaiting_draft(team)  # on the sandbox and X: Facebook has nothing this week
    page = month_page(web, browser_of(web, team.author_id), post_id)
    assert "Facebook : aucune publication prévue cette semaine (la politique en vise au moins 3 par semaine)" in page
    assert f"Semaine du {day_label(week_of(datetime.now(ZONE).date()))} :" in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent: see .ci/run (npm install --prefix .ci axe-core)")
def test_the_month_reads_well_on_a_computer_and_a_phone_and_moves_a_post(
    web: str, mailbox: Mailbox, backend: str
) -> None:
    from playwright.sync_api import expect

    team = make_team()
    waiting = awaiting_draft(team)
    make_post(team.org_id, team.author_id, in_minutes=90)
    with workspace_page() as page:
        sign_in(page, web, mailbox, "julie@exemple.org", backend, "mois-julie")
        page.goto(f"{web}/espace/mois?mois={month_of(waiting)}")
        expect(page.get_by_role("link", name=re.compile(f"n° {waiting} .* en attente d'approbation"))).to_be_visible()
        review(page, "mois", backend)
        section = page.locator(f"#publication-{waiting}")
        expect(section).to_contain_text("annule son approbation")
        section.get_by_label("Ou en mots").fill("demain 10 h")
        section.get_by_role("button", name=f"Déplacer la publication n° {waiting}").click()
        expect(page.get_by_role("status")).to_contain_text("Elle repasse à la vérification")
        review(page, "mois-deplacee", backend)
    assert state(waiting) == "pending_check"


def test_the_month_shows_one_platform_when_asked(web: str) -> None:
    team = make_team()
    both = awaiting_draft(team)  # the sandbox and X
    sandbox_only = make_post(team.org_id, team.author_id, in_minutes=90)
    marie = browser_of(web, team.author_id)
    x_only = marie.get(f"{web}/espace/mois", params={"mois": month_of(both), "plateforme": "x"}, timeout=10)
    assert f"n° {both} ·" in x_only.text and f"n° {sandbox_only} ·" not in x_only.text
    assert 'aria-current="page">X (Twitter)' in x_only.text
    unknown = marie.get(f"{web}/espace/mois", params={"plateforme": "myspace"}, timeout=10)
    assert unknown.status_code == 400 and "« myspace » n'est pas une plateforme" in html.unescape(unknown.text)
