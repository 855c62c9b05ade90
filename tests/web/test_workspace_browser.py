"""The workspace in a real browser (Debian's Chromium): a member signs in by the emailed link
(real SMTP), the approver finds the post with its photo and people and approves it, the status
page reads well. Each page is screenshotted (a computer's width and a phone's) for review, and
axe-core (installed by .ci/run in .ci/node_modules) finds no serious or critical violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.web.conftest import Mailbox, make_photo, make_team, state
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.web.test_workspace_signoff import draft_with_people

AXE = ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def axe_violations(page: Any) -> list[str]:
    """Serious and critical violations on the page, as axe-core reports them."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def review(page: Any, name: str, backend: str) -> None:
    """Screenshot the page at a computer's width and a phone's, and check it with axe-core."""
    page.screenshot(path=str(ARTIFACTS / f"espace-{name}-{backend}.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"espace-{name}-telephone-{backend}.png"), full_page=True)
    page.set_viewport_size(size)
    assert axe_violations(page) == [], name


@contextmanager
def workspace_page() -> Iterator[Any]:
    """A page of a real Chromium, for the workspace tests."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # bypass_csp: only so that the test can inject axe-core; the pages' own CSP forbids it.
            context = browser.new_context(locale="fr-CA", viewport={"width": 1000, "height": 900}, bypass_csp=True)
            yield context.new_page()
        finally:
            browser.close()


def sign_in(page: Any, web: str, mailbox: Mailbox, email: str, backend: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{web}/connexion")
    review(page, f"connexion-{name}", backend)
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_role("button", name="Recevoir le lien de connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regardez vos courriels")
    found = re.search(r"(http://\S+/connexion/\S+)", mailbox.to(email)[-1].text)
    assert found
    page.goto(found.group(1))
    review(page, f"lien-{name}", backend)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("navigation", name="Menu")).to_be_visible()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent: see .ci/run (npm install --prefix .ci axe-core)")
def test_an_approver_signs_in_by_the_emailed_link_and_approves_in_the_workspace(
    web: str, mailbox: Mailbox, tmp_path: Path, backend: str
) -> None:
    from playwright.sync_api import expect

    team = make_team()
    post_id = draft_with_people(team, make_photo(tmp_path / "atelier.png"))
    with workspace_page() as page:
        sign_in(page, web, mailbox, "julie@exemple.org", backend, "julie")
        review(page, "accueil", backend)
        page.get_by_role("link", name="À approuver").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Publications à approuver")
        review(page, "a-approuver", backend)
        page.get_by_role("link", name=re.compile(f"Publication n° {post_id}")).click()
        expect(page.get_by_role("img", name="Photo jointe : atelier.png").first).to_be_visible()
        expect(page.get_by_text("Léa", exact=True)).to_be_visible()
        review(page, "decision", backend)
        page.get_by_role("button", name="Approuver la publication").click()
        expect(page.get_by_text(f"Publication n° {post_id} approuvée")).to_be_visible()
        assert state(post_id) == "scheduled"
        page.goto(f"{web}/espace/etat")
        expect(page.get_by_role("heading", level=1)).to_have_text("État de balise")
        review(page, "etat", backend)
        page.get_by_role("button", name="Me déconnecter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes déconnecté·e")
        page.goto(f"{web}/espace")
        expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter à balise")
