"""The comments inbox of the workspace, over real HTTP, against the fake Facebook Page and X
account: urgent comments first with the policy's clause and the suggested reply; a reply goes
through the gate and reaches the platform once; hiding and deleting act on the platform, for
approvers only, deleting after a confirmation; another organization reaches none of it; every
word a commenter wrote is escaped."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import requests
from sqlmodel import select

from balise.comments.triage import suggested_reply
from balise.config import reset_settings
from balise.db import session_scope
from balise.models import AuditEvent, Comment
from balise.pipeline.comments import fetch_comments
from tests.comments import conftest as comment_fixtures
from tests.comments.conftest import PHONE, Published, stored
from tests.comments.test_end_to_end import HELP, INSULT, SPAM, THANKS
from tests.smtp import Mailbox
from tests.web.conftest import make_photo
from tests.web.test_browser import CHROMIUM
from tests.web.test_workspace_browser import AXE, review, sign_in, workspace_page
from tests.web.test_workspace_signoff import browser_of, csrf_of, stranger_of

published = comment_fixtures.published  # the post on the fake Page and the fake X account
SCRIPT = "<script>alert('pirate')</script> Merci pour l'atelier!"
REFUSED = "Pour toute situation de violence, écrivez-nous en message privé, nous vous aiderons."


@pytest.fixture
def commented(published: Published, web: str) -> Published:
    """Comments of several kinds under the Facebook post, the ordinary one first, fetched."""
    for text in (THANKS, SCRIPT, INSULT, SPAM, HELP):
        published.facebook.add_comment(published.remote["facebook"], "Fanny Tremblay", text)
    report, _ = fetch_comments(published.org_id)
    assert report.new == 5, report.problems
    return published


def act(browser: requests.Session, web: str, comment: Comment, action: str, **fields: str) -> requests.Response:
    csrf = csrf_of(browser.get(f"{web}/espace/commentaires/tous", timeout=10).text)
    return browser.post(f"{web}/espace/commentaires/{comment.id}/{action}", data={"csrf": csrf, **fields}, timeout=10)


def replies_to(published: Published, comment: Comment) -> list[str]:
    return [c.text for c in published.facebook.comments if c.parent_id == comment.remote_id]


def test_the_inbox_shows_urgent_comments_first_with_the_clause_and_the_suggested_reply(
    commented: Published, web: str
) -> None:
    marie = browser_of(web, commented.author_id)
    page = marie.get(f"{web}/espace/commentaires", timeout=10)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = html.unescape(page.text)
    assert text.index(HELP) < text.index(THANKS)  # urgent first, though written last
    assert "Urgent : Commentaire n°" in text and "demande d'aide" in text
    assert "Commentaires (1 urgent(s))" in text  # the menu
    assert "Règle de la politique : " in text and "811" in text and PHONE in text
    assert suggested_reply("help_request", phone=PHONE, lang="fr") in text  # prefilled, editable
    assert "Masquer sur la plateforme" not in text and "Supprimer…" not in text  # an author does neither


def test_what_a_commenter_wrote_is_escaped(commented: Published, web: str) -> None:
    page = browser_of(web, commented.approver_id).get(f"{web}/espace/commentaires", timeout=10)
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;pirate&#39;)&lt;/script&gt;" in page.text


def test_a_reply_reaches_the_platform_once(commented: Published, web: str) -> None:
    help_request = stored()[HELP]
    marie = browser_of(web, commented.author_id)  # replying is open to every member, as in the CLI
    answer = suggested_reply("help_request", phone=PHONE, lang="fr")
    assert answer

    sent = act(marie, web, help_request, "repondre", reponse=answer)
    again = act(marie, web, help_request, "repondre", reponse=answer)

    assert sent.status_code == 200 and f"Réponse envoyée sous le commentaire n° {help_request.id}" in sent.text
    assert again.status_code == 400 and "il est « répondu »" in html.unescape(again.text)
    assert replies_to(commented, help_request) == [answer]
    assert stored()[HELP].state == "replied"
    assert "Commentaires (1 urgent(s))" not in sent.text
    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "comment_reply")).all()
    assert [(e.actor, e.channel) for e in events] == [("Marie", "web")]


def test_a_reply_the_gate_refuses_is_refused_in_french_and_nothing_is_sent(commented: Published, web: str) -> None:
    help_request = stored()[HELP]
    julie = browser_of(web, commented.approver_id)

    refused = act(julie, web, help_request, "repondre", reponse=REFUSED)

    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert "n'a pas été envoyée : la barrière de conformité l'arrête" in text and "Reformulez-la" in text
    assert f">{REFUSED}</textarea>" in text  # kept, to be rewritten
    assert replies_to(commented, help_request) == []
    assert stored()[HELP].state == "new"


def test_an_approver_hides_and_deletes_on_the_platform_after_a_confirmation(commented: Published, web: str) -> None:
    insult, spam = stored()[INSULT], stored()[SPAM]
    julie = browser_of(web, commented.approver_id)

    hidden = act(julie, web, insult, "masquer")
    confirm = julie.get(f"{web}/espace/commentaires/{spam.id}/supprimer", timeout=10)

    assert hidden.status_code == 200 and commented.facebook.comment(insult.remote_id).hidden  # type: ignore[union-attr]
    assert stored()[INSULT].state == "hidden"
    assert confirm.status_code == 200 and "La suppression est définitive" in html.unescape(confirm.text)
    assert not commented.facebook.comment(spam.remote_id).deleted  # type: ignore[union-attr]  # a GET deletes nothing

    deleted = julie.post(
        f"{web}/espace/commentaires/{spam.id}/supprimer", data={"csrf": csrf_of(confirm.text), "motif": "arnaque"},
        timeout=10,
    )  # fmt: skip

    assert deleted.status_code == 200 and commented.facebook.comment(spam.remote_id).deleted  # type: ignore[union-attr]
    assert stored()[SPAM].state == "deleted"
    shown = act(julie, web, insult, "afficher")
    assert shown.status_code == 200 and not commented.facebook.comment(insult.remote_id).hidden  # type: ignore[union-attr]


def test_an_author_can_neither_hide_nor_delete(commented: Published, web: str) -> None:
    insult = stored()[INSULT]
    marie = browser_of(web, commented.author_id)
    assert act(marie, web, insult, "masquer").status_code == 403
    assert act(marie, web, insult, "supprimer").status_code == 403
    assert marie.get(f"{web}/espace/commentaires/{insult.id}/supprimer", timeout=10).status_code == 403
    remote = commented.facebook.comment(insult.remote_id)
    assert remote and not remote.hidden and not remote.deleted and stored()[INSULT].state == "new"


def test_another_organization_reaches_none_of_these_comments(commented: Published, web: str) -> None:
    insult = stored()[INSULT]
    zoe = stranger_of(web)
    inbox = zoe.get(f"{web}/espace/commentaires/tous", timeout=10)
    assert inbox.status_code == 200 and "Fanny" not in inbox.text and "urgent(s)" not in inbox.text
    assert zoe.get(f"{web}/espace/commentaires/{insult.id}/supprimer", timeout=10).status_code == 404
    assert act(zoe, web, insult, "masquer").status_code == 404
    assert act(zoe, web, insult, "supprimer").status_code == 404
    remote = commented.facebook.comment(insult.remote_id)
    assert remote and not remote.hidden and not remote.deleted and stored()[INSULT].state == "new"


def test_every_comments_page_refuses_a_request_without_a_session(commented: Published, web: str) -> None:
    insult = stored()[INSULT]
    anonymous = requests.Session()
    assert anonymous.get(f"{web}/espace/commentaires", timeout=10, allow_redirects=False).status_code == 303
    assert anonymous.post(f"{web}/espace/commentaires/{insult.id}/masquer", timeout=10).status_code == 401
    assert not commented.facebook.comment(insult.remote_id).hidden  # type: ignore[union-attr]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is absent: apt-get install -y chromium")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is absent: see .ci/run (npm install --prefix .ci axe-core)")
def test_in_a_browser_the_approver_answers_the_help_request_and_deletes_the_spam(
    commented: Published, web: str, mailbox: Mailbox, tmp_path: Path, backend: str
) -> None:
    from playwright.sync_api import expect

    help_request, spam = stored()[HELP], stored()[SPAM]
    with workspace_page() as page:
        sign_in(page, web, mailbox, "julie@exemple.org", backend, "julie-commentaires")
        page.get_by_role("link", name="Commentaires (1 urgent(s))").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Commentaires à traiter")
        review(page, "commentaires", backend)
        card = page.locator("section", has=page.get_by_role("heading", name=re.compile(f"n° {help_request.id} ")))
        expect(card.get_by_label(re.compile("Réponse proposée"))).to_have_value(re.compile("811"))
        card.get_by_role("button", name="Envoyer la réponse").click()
        expect(page.get_by_text(f"Réponse envoyée sous le commentaire n° {help_request.id}")).to_be_visible()
        review(page, "commentaire-repondu", backend)
        assert len(replies_to(commented, help_request)) == 1
        page.get_by_role("link", name="Retour aux commentaires").click()
        card = page.locator("section", has=page.get_by_role("heading", name=re.compile(f"n° {spam.id} ")))
        card.get_by_role("link", name="Supprimer…").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Supprimer le commentaire n° {spam.id} ?")
        review(page, "commentaire-supprimer", backend)
        page.get_by_role("button", name="Supprimer définitivement").click()
        expect(page.get_by_text(f"Commentaire n° {spam.id} supprimé sur Facebook.")).to_be_visible()
        assert commented.facebook.comment(spam.remote_id).deleted  # type: ignore[union-attr]

        page.get_by_role("link", name="Écrire").click()
        page.get_by_label("Texte de la publication").fill("Nos ateliers reprennent lundi. " + "é" * 270)
        page.get_by_label("Photos", exact=False).set_input_files(str(make_photo(tmp_path / "atelier.png")))
        tweet = page.locator('[data-apercu="x"]')
        expect(tweet.locator("del")).to_be_visible()  # what X would cut, from the live check
        expect(tweet.get_by_text(re.compile("Longueur pour X : 301 sur 280"))).to_be_visible()
        expect(
            page.locator('[data-apercu="facebook"]').get_by_role("img", name="Photo jointe : atelier.png")
        ).to_be_visible()
        review(page, "ecrire-apercus", backend)


def test_a_comment_deleted_on_the_platform_meanwhile_is_said_in_words_and_marked(
    commented: Published, web: str
) -> None:
    insult = stored()[INSULT]
    julie = browser_of(web, commented.approver_id)
    csrf = csrf_of(julie.get(f"{web}/espace/commentaires", timeout=10).text)
    remote = commented.facebook.comment(insult.remote_id)
    assert remote
    remote.deleted = True  # its author deleted it on Facebook

    tried = julie.post(f"{web}/espace/commentaires/{insult.id}/masquer", data={"csrf": csrf}, timeout=10)

    assert tried.status_code == 400 and "n'existe plus sur Facebook" in html.unescape(tried.text)
    assert stored()[INSULT].state == "deleted"
    assert "Fanny Tremblay" in julie.get(f"{web}/espace/commentaires", timeout=10).text  # the others remain
    assert INSULT not in html.unescape(julie.get(f"{web}/espace/commentaires", timeout=10).text)


def test_the_inbox_speaks_english_under_balise_lang_en(
    commented: Published, web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALISE_LANG", "en")
    reset_settings()
    page = html.unescape(browser_of(web, commented.approver_id).get(f"{web}/espace/commentaires", timeout=10).text)
    assert "Comments to handle" in page and "Comments (1 urgent)" in page and "help request" in page.lower()
    assert suggested_reply("help_request", phone=PHONE, lang="en") in page
