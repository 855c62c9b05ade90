"""A person's path, in a real browser: the link from the email, the preview, the Approve button."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.web.conftest import Mailbox, awaiting_draft, make_photo, make_team, state

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
def test_an_approver_opens_the_emailed_link_and_approves_in_a_browser(
    web: str, mailbox: Mailbox, tmp_path: Path, backend: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    photo = make_photo(tmp_path / "atelier.png")
    post_id = awaiting_draft(make_team(), link="https://espace-test.org/emplois", photos=(photo,))
    url = mailbox.to("julie@exemple.org")[0].link("approuver")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="fr-CA", viewport={"width": 900, "height": 1300})
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Approuver la publication n° {post_id}")
            expect(page.get_by_text("ESPACE recrute une animatrice").first).to_be_visible()
            expect(page.get_by_role("img", name="Photo jointe : atelier.png").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"approbation-{backend}.png"), full_page=True)
            assert state(post_id) == "awaiting_signoff"  # the page alone decided nothing
            page.get_by_role("button", name="Approuver la publication").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("C'est fait")
            expect(page.get_by_text(f"Publication n° {post_id} approuvée")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"approuvee-{backend}.png"), full_page=True)
        finally:
            browser.close()
    assert state(post_id) == "scheduled"
