"""Issue 21's whole journey in one real Chromium: an author signs in by the emailed link (real
SMTP), writes a post the live check flags, fixes it, adds a photo and the person in it, saves;
the approver signs in, finds it with its photo and that person, approves; the month shows it on
its day; when its time comes a real worker publishes it on the fake Facebook Page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select, update

from balise.config import get_settings, reset_settings
from balise.consent import add_person, grant
from balise.db import session_scope
from balise.i18n import day_label
from balise.models import Organization, Post, Target, utcnow
from balise.pipeline.due import publish_due
from balise.queue.queues import COMPLIANCE, MAIL, PUBLISH
from balise.queue.worker import run_worker
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.web.conftest import Mailbox, Team, make_photo, make_team, state
from tests.web.test_browser import CHROMIUM
from tests.web.test_workspace_browser import AXE, review, sign_in, workspace_page
from tests.web.test_workspace_write import FIXED, FLAGGED, TOMORROW

ZONE = ZoneInfo("America/Toronto")


def lea_may_be_shown_on_facebook(team: Team) -> None:
    with session_scope() as session:
        org = session.get(Organization, team.org_id)
        assert org
        add_person(session, org, name="Léa", minor=False, guardian=None, guardian_email=None, actor="test")
        grant(
            session, org, "Léa", platforms=("facebook",), until=utcnow() + timedelta(days=300), by_guardian=False,
            evidence=None, evidence_dir=get_settings().data_path / "media", actor="test",
        )  # fmt: skip


def the_day_comes(post_id: int) -> None:
    """Its time has come: cron's `publish-due` queues it, as every minute."""
    with session_scope() as session:
        session.execute(update(Target).where(Target.post_id == post_id).values(due_at=utcnow()))  # type: ignore[arg-type]
    publish_due()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent: see .ci/run (npm install --prefix .ci axe-core)")
def test_a_post_goes_from_the_authors_emailed_link_to_the_facebook_page(
    web: str, mailbox: Mailbox, tmp_path: Path, backend: str, fake_facebook: FakeFacebook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from playwright.sync_api import expect

    for name, value in FakeAccount("facebook", fake_facebook).env().items():
        monkeypatch.setenv(name, value)
    reset_settings()
    team = make_team()
    lea_may_be_shown_on_facebook(team)
    photo = make_photo(tmp_path / "atelier.png")
    day = datetime.strptime(TOMORROW, "%Y-%m-%d %H:%M").date()
    with workspace_page() as page:
        sign_in(page, web, mailbox, "marie@exemple.org", backend, "parcours-marie")
        page.get_by_role("link", name="Écrire").first.click()
        page.get_by_label("Facebook", exact=True).check()
        page.get_by_label("Texte de la publication").fill(FLAGGED)
        expect(page.locator("#verdict")).to_have_text("Refusé")
        expect(page.locator("#passages mark")).to_contain_text("message privé")
        page.get_by_label("Texte de la publication").fill(FIXED)
        expect(page.locator("#verdict")).to_have_text("Approuvé")
        page.get_by_label(re.compile("^Photos")).set_input_files(str(photo))
        page.get_by_label("Léa").check()
        page.get_by_label("Ou en mots").fill(TOMORROW)
        page.get_by_role("button", name="Enregistrer et envoyer à la vérification").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Publication enregistrée")
        with session_scope() as session:
            [post] = session.exec(select(Post)).all()
            assert post.id and post.text == FIXED
            post_id = post.id
        run_worker([COMPLIANCE, MAIL], burst=True, with_scheduler=False)  # the gate, then the approver's mail
        assert state(post_id) == "awaiting_signoff"
        page.goto(f"{web}/espace")
        page.get_by_role("button", name="Me déconnecter").click()

        sign_in(page, web, mailbox, "julie@exemple.org", backend, "parcours-julie")
        page.get_by_role("link", name="À approuver").click()
        page.get_by_role("link", name=re.compile(f"Publication n° {post_id}")).click()
        expect(page.get_by_role("img", name="Photo jointe : atelier.png").first).to_be_visible()
        expect(page.get_by_text("Léa", exact=True)).to_be_visible()
        page.get_by_role("button", name="Approuver la publication").click()
        expect(page.get_by_text(f"Publication n° {post_id} approuvée")).to_be_visible()
        assert state(post_id) == "scheduled"

        page.goto(f"{web}/espace")
        page.get_by_role("link", name="Le mois").first.click()
        if day.month != datetime.now(ZONE).month:
            page.get_by_role("link", name=re.compile("Mois suivant")).click()
        entry = page.get_by_role("link", name=re.compile(f"n° {post_id} · Facebook · planifiée"))
        expect(entry).to_be_visible()
        cell = page.locator("td", has=entry)
        expect(cell.locator(".jour-long")).to_have_text(day_label(day))
        review(page, "mois-parcours", backend)

    the_day_comes(post_id)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert [p.text for p in fake_facebook.live_posts] == [FIXED]
    assert state(post_id) == "published"
