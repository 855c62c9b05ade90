"""Writing in the workspace: the live check answers with the gate's verdict, the words and X's
length; the save creates the draft and sends it to the gate like `balise draft add`; the form
works without JavaScript and keeps what was typed when a field is wrong."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from PIL import Image
from sqlmodel import select

from balise.consent import add_person
from balise.db import session_scope
from balise.models import Organization, Post
from balise.posts import people_in, photos_of
from balise.queue.queues import COMPLIANCE
from balise.queue.worker import run_worker
from balise.web.guard import MAX_UPLOAD
from tests.web.conftest import Mailbox, make_photo, make_team, state
from tests.web.test_browser import CHROMIUM
from tests.web.test_workspace_browser import AXE, review, sign_in, workspace_page
from tests.web.test_workspace_signoff import browser_of, csrf_of

FLAGGED = "Pour toute situation de violence, écrivez-nous en message privé, nous vous aiderons."
TOMORROW = (datetime.now(ZoneInfo("America/Toronto")) + timedelta(days=1)).strftime("%Y-%m-%d 10:00")
FIXED = "Pour toute situation de violence, appelez la DPJ ou le 911. Nos ateliers reprennent lundi."


def posts() -> list[Post]:
    with session_scope() as session:
        return list(session.exec(select(Post)))


def test_the_live_check_gives_the_verdict_the_words_and_the_clause(web: str) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)
    answer = marie.post(
        f"{web}/espace/verifier", data={"csrf": csrf, "texte": FLAGGED, "plateforme_x": "1"}, timeout=10
    ).json()
    assert answer["verdict"] == "rejected" and answer["label"] == "Refusé"
    [reason] = answer["reasons"]
    assert reason["code"] == "INTERVENTION" and reason["clause"]
    start, end = reason["span"]
    assert "message privé" in FLAGGED[start:end]
    assert answer["x_length"] == len(FLAGGED) and answer["x_max"] == 280
    assert marie.post(f"{web}/espace/verifier", data={"texte": FLAGGED}, timeout=10).status_code == 403
    assert posts() == []  # checking writes nothing


def test_saving_sends_the_draft_to_the_gate_without_javascript(web: str) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)
    fields = {"csrf": csrf, "texte": FIXED, "plateforme_sandbox": "1"}
    missing = marie.post(f"{web}/espace/ecrire", data=fields, timeout=10)
    assert missing.status_code == 400 and "Dites quand publier" in missing.text and FIXED[:30] in missing.text
    assert posts() == []
    saved = marie.post(f"{web}/espace/ecrire", data={**fields, "quand": TOMORROW}, timeout=10)
    assert saved.status_code == 200
    [post] = posts()
    assert f"Publication n° {post.id} enregistrée" in saved.text and post.text == FIXED
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert post.id and state(post.id) == "awaiting_signoff"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent: see .ci/run (npm install --prefix .ci axe-core)")
def test_an_author_writes_sees_the_flag_fixes_it_and_saves_in_a_browser(
    web: str, mailbox: Mailbox, tmp_path: Path, backend: str
) -> None:
    from playwright.sync_api import expect

    make_team()
    with workspace_page() as page:
        sign_in(page, web, mailbox, "marie@exemple.org", backend, "marie")
        page.get_by_role("link", name="Écrire").first.click()
        page.get_by_label("Bac à sable (essai, rien n'est publié)").check()
        page.get_by_label("Texte de la publication").fill(FLAGGED)
        expect(page.locator("#verdict")).to_have_text("Refusé")
        expect(page.locator("#passages mark")).to_contain_text("message privé")
        expect(page.locator("#motifs")).to_contain_text("INTERVENTION")
        review(page, "ecrire-signalee", backend)
        page.get_by_label("Texte de la publication").fill(FIXED)
        expect(page.locator("#verdict")).to_have_text("Approuvé")
        page.get_by_label("Ou en mots").fill(TOMORROW)
        review(page, "ecrire-corrigee", backend)
        page.get_by_role("button", name="Enregistrer et envoyer à la vérification").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Publication enregistrée")
    [post] = posts()
    assert post.text == FIXED
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert post.id and state(post.id) == "awaiting_signoff"


def test_what_a_member_typed_comes_back_escaped(web: str) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)
    typed = '</textarea><script src="//ailleurs.example/x.js"></script>'
    again = marie.post(f"{web}/espace/ecrire", data={"csrf": csrf, "texte": typed, "lien": '"><img src=x>'}, timeout=10)
    assert again.status_code == 400
    assert 'ailleurs.example/x.js"></script>' not in again.text and "<img src=x>" not in again.text
    assert "&lt;/textarea&gt;&lt;script" in again.text


def test_the_writing_page_needs_a_session(web: str) -> None:
    make_team()
    assert requests.post(f"{web}/espace/verifier", data={"texte": FLAGGED}, timeout=10).status_code == 401


def test_a_photo_is_saved_with_the_people_ticked_from_the_registry(web: str, tmp_path: Path) -> None:
    team = make_team()
    with session_scope() as session:
        org = session.get(Organization, team.org_id)
        assert org
        lea = add_person(session, org, name="Léa", minor=False, guardian=None, guardian_email=None, actor="test")
        session.flush()
        lea_id = lea.id
    marie = browser_of(web, team.author_id)
    page = marie.get(f"{web}/espace/ecrire", timeout=10)
    assert "Léa" in page.text and "Aucun consentement enregistré" in page.text
    fields = {"csrf": csrf_of(page.text), "texte": FIXED, "plateforme_sandbox": "1", "quand": TOMORROW,
              f"personne_{lea_id}": "1"}  # fmt: skip
    photo = make_photo(tmp_path / "atelier.png")
    upload = {"photos": ("atelier.png", photo.read_bytes())}
    saved = marie.post(f"{web}/espace/ecrire", data=fields, files=upload, timeout=10)
    assert saved.status_code == 200, saved.text
    with session_scope() as session:
        [post] = session.exec(select(Post)).all()
        [stored] = photos_of(session, post)
        assert stored.original_name == "atelier.png"
        assert [p.name for p in people_in(session, stored)] == ["Léa"]


def test_uploads_are_limited_in_size_and_type_and_a_decompression_bomb_is_refused(web: str, tmp_path: Path) -> None:
    team = make_team()
    marie = browser_of(web, team.author_id)
    csrf = csrf_of(marie.get(f"{web}/espace/ecrire", timeout=10).text)
    fields = {"csrf": csrf, "texte": FIXED, "plateforme_sandbox": "1", "quand": TOMORROW}
    bomb = tmp_path / "bombe.png"
    Image.new("1", (20_000, 20_000)).save(bomb)  # 400 megapixels in a few kilobytes
    for name, content, words in (
        ("notes.txt", b"pas une image", "« notes.txt » n&#39;est pas une image"),
        ("bombe.png", bomb.read_bytes(), "« bombe.png » a plus de 100 mégapixels"),
    ):
        refused = marie.post(f"{web}/espace/ecrire", data=fields, files={"photos": (name, content)}, timeout=30)
        assert refused.status_code == 400 and words in refused.text, refused.text
    huge = marie.post(
        f"{web}/espace/ecrire", data=fields, files={"photos": ("grosse.jpg", b"0" * (MAX_UPLOAD + 1))}, timeout=30
    )
    assert huge.status_code == 413
    assert posts() == []
