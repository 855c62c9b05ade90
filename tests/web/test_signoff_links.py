"""Sign-off by emailed link, over real SMTP and real HTTP: what a link may and may not do."""

from __future__ import annotations

import base64
import io
import os
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import requests
from PIL import Image
from sqlmodel import select, update

from balise.config import get_settings
from balise.db import session_scope
from balise.mail.links import decision_url, make_token
from balise.models import Approval, Member, Organization, Post, utcnow
from balise.notify import remind_waiting
from balise.pipeline.draft import DraftInput, create_post, edit_post
from balise.pipeline.signoff import override
from balise.queue.queues import COMPLIANCE, MAIL, PUBLISH, enqueue_check
from balise.queue.worker import run_worker
from tests.conftest import run_cli
from tests.consent.images import with_gps
from tests.consent.test_uploads import _metadata
from tests.helpers import log_in_as
from tests.web.conftest import (
    JOB_OFFER,
    Mailbox,
    audit_channels,
    awaiting_draft,
    click,
    deliver,
    footprint,
    make_photo,
    make_team,
    open_page,
    state,
)

GARAGE_SALE = "Grande vente de garage samedi au local : venez nombreux !"
JULIE, CHANTAL, MARIE = "julie@exemple.org", "chantal@exemple.org", "marie@exemple.org"


def token_for(post_id: int, member_id: int, lifetime: timedelta = timedelta(days=7)) -> str:
    with session_scope() as session:
        post, member = session.get(Post, post_id), session.get(Member, member_id)
        assert post and member
        return make_token(post, member, lifetime)


def test_each_approver_gets_the_post_its_findings_and_two_links(web: str, mailbox: Mailbox, tmp_path: Path) -> None:
    team = make_team()
    photo = make_photo(tmp_path / "atelier.png")
    post_id = awaiting_draft(team, link="https://espace-test.org/emplois", photos=(photo,))
    assert sorted(a for m in mailbox.mails for a in m.to) == [CHANTAL, JULIE]  # never the author
    mail = mailbox.to(JULIE)[0]
    assert mail.message["Subject"] == f"[balise] Publication n° {post_id} à approuver"
    for part in (mail.text, mail.html):
        assert "Bonjour Julie" in part and "Marie" in part
        assert "ESPACE recrute une animatrice" in part and "https://espace-test.org/emplois" in part
        assert "La vérification n'a rien relevé" in unescape(part)
    approve_url, reject_url = mail.link("approuver"), mail.link("refuser")
    assert approve_url.startswith(f"{web}/signature/{post_id}/") and reject_url.startswith(f"{web}/signature/")
    assert f'href="{approve_url}"' in mail.html and f'href="{reject_url}"' in mail.html
    assert "atelier.png" in mail.text
    [image] = [p for p in mail.message.walk() if p.get_content_type() == "image/png"]
    assert Image.open(io.BytesIO(image.get_content())).tobytes() == Image.open(photo).tobytes()
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in mail.html
    assert mailbox.to(CHANTAL)[0].link("approuver") != approve_url  # personal links


def test_the_mail_and_the_page_show_the_photo_without_where_or_with_what_it_was_taken(
    web: str, mailbox: Mailbox, tmp_path: Path
) -> None:
    phone_photo = with_gps("coffee.jpg", tmp_path / "IMG_0042.jpg")
    assert _metadata(phone_photo.read_bytes())[1]  # the photo as taken says where
    awaiting_draft(make_team(), photos=(phone_photo,))
    mail = mailbox.to(JULIE)[0]
    [attached] = [p.get_content() for p in mail.message.walk() if p.get_content_type() == "image/jpeg"]
    page = requests.get(mail.link("approuver"), timeout=10)
    shown = [base64.b64decode(s) for s in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page.text)]
    assert len(shown) == 2  # once per platform
    for data in (attached, *shown):
        assert _metadata(data) == ({}, {})
        assert b"iPhone" not in data and b"Apple iOS" not in data


def test_the_gates_findings_are_in_the_mail(web: str, mailbox: Mailbox) -> None:
    team = make_team()
    with session_scope() as session:
        org, author = session.get(Organization, team.org_id), session.get(Member, team.author_id)
        assert org and author
        draft = DraftInput(text=GARAGE_SALE, platforms=("sandbox",), scheduled_at=utcnow() + timedelta(hours=2))
        post_id = create_post(session, org, author, draft, get_settings().data_path / "media").id
        assert post_id
    enqueue_check(post_id, 1)
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert state(post_id) == "needs_review" and not mailbox.mails
    with session_scope() as session:
        post, chantal = session.get(Post, post_id), session.get(Member, team.admin_id)
        assert post and chantal
        override(session, post, chantal, reason="Vente au profit des ateliers", channel="cli")
    deliver()
    assert sorted(a for m in mailbox.mails for a in m.to) == [CHANTAL, JULIE]
    mail = mailbox.to(JULIE)[0]
    for part in (mail.text, mail.html):
        assert "OFF_MISSION" in part and "critères" in part


def test_a_mail_scanner_opening_the_link_changes_nothing(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    mail = mailbox.to(JULIE)[0]
    before = footprint(post_id)
    for _ in range(3):
        for url in (mail.link("approuver"), mail.link("refuser")):
            page = requests.get(url, timeout=10)
            assert page.status_code == 200 and "ESPACE recrute une animatrice" in page.text
    requests.head(mail.link("approuver"), timeout=10)
    assert footprint(post_id) == before


def test_the_button_approves_once_and_a_second_post_is_refused(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    url = mailbox.to(JULIE)[0].link("approuver")
    browser = requests.Session()
    _, csrf = open_page(browser, url)
    first = browser.post(url, data={"csrf": csrf}, timeout=10)
    assert first.status_code == 200 and "approuvée" in first.text
    assert state(post_id) == "scheduled"
    assert ("transition", "scheduled", "email") in audit_channels(post_id)
    after = footprint(post_id)
    second = browser.post(url, data={"csrf": csrf}, timeout=10)
    assert second.status_code == 410 and "déjà servi" in second.text
    assert footprint(post_id) == after
    deliver()
    assert any("approuvée" in m.text for m in mailbox.to(MARIE))  # the author is told


def test_a_link_for_one_draft_cannot_approve_another(web: str, mailbox: Mailbox) -> None:
    team = make_team()
    first = awaiting_draft(team)
    second = awaiting_draft(team, text=JOB_OFFER + " Deuxième affichage.")
    token = mailbox.to(JULIE)[0].link("approuver").split("/")[-2]
    before = footprint(second)
    url = decision_url(second, token, "approuver")
    assert requests.get(url, timeout=10).status_code == 403
    response = click(requests.Session(), url)
    assert response.status_code == 403 and "ne correspond pas" in response.text
    assert footprint(second) == before and state(first) == "awaiting_signoff"


def test_an_expired_link_is_refused(web: str, mailbox: Mailbox) -> None:
    team = make_team()
    post_id = awaiting_draft(team)
    url = decision_url(post_id, token_for(post_id, team.approver_id, timedelta(seconds=-1)), "approuver")
    before = footprint(post_id)
    page = requests.get(url, timeout=10)
    assert page.status_code == 410 and "expiré" in page.text
    assert requests.post(url, data={"csrf": "x"}, timeout=10).status_code == 410
    assert footprint(post_id) == before


def test_a_tampered_link_is_refused(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    token = mailbox.to(JULIE)[0].link("approuver").split("/")[-2]
    payload, signature = token.rsplit(".", 1)
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature
    url = decision_url(post_id, forged, "approuver")
    before = footprint(post_id)
    page = requests.get(url, timeout=10)
    assert page.status_code == 400 and "n'est pas valide" in unescape(page.text)
    assert click(requests.Session(), url).status_code == 400
    assert footprint(post_id) == before


def test_a_draft_edited_after_the_mail_cannot_be_approved_by_the_old_link(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    old = mailbox.to(JULIE)[0].link("approuver")
    browser = requests.Session()
    _, csrf = open_page(browser, old)  # the page was open while the author edited
    with session_scope() as session:
        post = session.get(Post, post_id)
        author = session.exec(select(Member).where(Member.name == "Marie")).one()
        assert post
        edit_post(session, post, author, text=JOB_OFFER + " Salaire : 22 $ de l'heure.")
    enqueue_check(post_id, 2)
    run_worker([COMPLIANCE, MAIL], burst=True, with_scheduler=False)
    assert state(post_id) == "awaiting_signoff"
    before = footprint(post_id)
    response = browser.post(old, data={"csrf": csrf}, timeout=10)
    assert response.status_code == 409 and "modifiée" in response.text
    assert footprint(post_id) == before
    new = mailbox.to(JULIE)[-1].link("approuver")  # the new version was mailed again
    assert new != old and click(requests.Session(), new).status_code == 200
    assert state(post_id) == "scheduled"


def test_an_author_cannot_approve_their_own_draft_by_link_or_cli(
    web: str, mailbox: Mailbox, env: dict[str, str]
) -> None:
    team = make_team()
    post_id = awaiting_draft(team, author_id=team.admin_id)  # an admin may approve, but not her own draft
    assert CHANTAL not in [a for m in mailbox.mails for a in m.to]
    before = footprint(post_id)
    response = click(requests.Session(), decision_url(post_id, token_for(post_id, team.admin_id), "approuver"))
    assert response.status_code == 403 and "principe des quatre yeux" in response.text
    log_in_as(team.admin_id)  # mail is configured: the command line acts as the logged-in member
    cli = run_cli(["approve", str(post_id), "--as", "Chantal"], env)
    assert cli.returncode == 4 and "principe des quatre yeux" in cli.stderr
    assert footprint(post_id) == before


def test_a_form_without_its_cookie_or_with_another_links_token_is_refused(web: str, mailbox: Mailbox) -> None:
    team = make_team()
    post_id = awaiting_draft(team)
    julie, chantal = mailbox.to(JULIE)[0].link("approuver"), mailbox.to(CHANTAL)[0].link("approuver")
    _, csrf = open_page(requests.Session(), julie)
    before = footprint(post_id)
    assert requests.post(julie, data={"csrf": csrf}, timeout=10).status_code == 403  # a forged cross-site POST
    browser = requests.Session()
    open_page(browser, chantal)
    assert browser.post(julie, data={"csrf": open_page(browser, chantal)[1]}, timeout=10).status_code == 403
    assert footprint(post_id) == before
    assert click(requests.Session(), julie).status_code == 200  # the link was not spent by the refusals


def test_two_signoffs_are_needed_when_the_organization_requires_them(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team(required_signoffs=2))
    first = click(requests.Session(), mailbox.to(JULIE)[0].link("approuver"))
    assert first.status_code == 200 and "encore nécessaire" in first.text
    assert state(post_id) == "awaiting_signoff"
    second = click(requests.Session(), mailbox.to(CHANTAL)[0].link("approuver"))
    assert second.status_code == 200 and "approuvée" in second.text
    assert state(post_id) == "scheduled"
    with session_scope() as session:
        approvals = session.exec(select(Approval).where(Approval.post_id == post_id)).all()
    assert sorted(a.channel for a in approvals) == ["email", "email"] and len({a.member_id for a in approvals}) == 2


def test_a_late_post_offers_publish_now_or_a_new_time_and_publishes(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    with session_scope() as session:
        session.execute(update(Post).where(Post.id == post_id).values(scheduled_at=utcnow() - timedelta(hours=2)))  # type: ignore[arg-type]
    url = mailbox.to(JULIE)[0].link("approuver")
    browser = requests.Session()
    page, csrf = open_page(browser, url)
    assert "Publier maintenant" in page.text and 'type="datetime-local"' in page.text
    before = footprint(post_id)
    undecided = browser.post(url, data={"csrf": csrf}, timeout=10)
    assert undecided.status_code == 409 and "choisissez" in undecided.text
    assert footprint(post_id) == before
    done = browser.post(url, data={"csrf": csrf, "quand": "maintenant"}, timeout=10)
    assert done.status_code == 200 and state(post_id) == "scheduled"
    run_worker([PUBLISH], burst=True, with_scheduler=False)  # the approval enqueued the publish jobs
    assert state(post_id) == "published"


def test_a_rejection_by_link_sends_the_reason_to_the_author(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    url = mailbox.to(JULIE)[0].link("refuser")
    browser = requests.Session()
    empty = click(browser, url, motif="  ")
    assert empty.status_code == 400 and "motif" in empty.text and state(post_id) == "awaiting_signoff"
    done = click(browser, url, motif="Le nom d'une participante apparaît.")
    assert done.status_code == 200 and state(post_id) == "rejected"
    assert ("transition", "rejected", "email") in audit_channels(post_id)
    deliver()
    assert any("Le nom d'une participante apparaît." in m.text for m in mailbox.to(MARIE))


def test_pages_carry_security_headers_and_tokens_stay_out_of_the_access_log(
    web: str, mailbox: Mailbox, access_log: list[str]
) -> None:
    awaiting_draft(make_team())
    url = mailbox.to(JULIE)[0].link("approuver")
    token = url.split("/")[-2]
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    missing = requests.get(f"{web}/nulle-part", timeout=10)
    for response in (page, missing):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert missing.status_code == 404 and "n'existe pas" in unescape(missing.text)
    cookie = next(c for c in browser.cookies)
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "strict"
    assert access_log and not any(token in line for line in access_log)
    assert any("/signature/" in line and "…" in line for line in access_log)


def test_a_reminder_goes_once_per_version_and_approver(web: str, mailbox: Mailbox, env: dict[str, str]) -> None:
    post_id = awaiting_draft(make_team(required_signoffs=2))
    click(requests.Session(), mailbox.to(JULIE)[0].link("approuver"))  # Julie has answered, Chantal has not
    with session_scope() as session:
        assert remind_waiting(session) == 0  # not waiting 24 h yet
        session.execute(update(Post).where(Post.id == post_id).values(updated_at=utcnow() - timedelta(hours=25)))  # type: ignore[arg-type]
    result = run_cli(["signoff", "remind"], env)
    assert result.returncode == 0 and "Rappels envoyés : 1" in result.stdout, result.stderr
    with session_scope() as session:
        assert remind_waiting(session) == 0  # once per version and approver, however often cron runs
    run_worker([MAIL], burst=True, with_scheduler=False)  # the command queued the mail job
    reminders = [m for m in mailbox.mails if "Rappel" in m.message["Subject"]]
    assert [m.to for m in reminders] == [[CHANTAL]]
    assert click(requests.Session(), reminders[0].link("approuver")).status_code == 200
    assert state(post_id) == "scheduled"


def _bare_env(tmp_path: Path) -> dict[str, str]:
    """An installation with no settings at all: no database is touched by what is tested."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_")}
    return {**clean, "BALISE_CONFIG": str(tmp_path / "balise.toml"), "BALISE_DATA_DIR": str(tmp_path / "data")}


def test_balise_serve_explains_itself_in_french(tmp_path: Path) -> None:
    result = run_cli(["serve", "--help"], _bare_env(tmp_path))
    assert result.returncode == 0
    for words in ("--host", "--port", "127.0.0.1", "8000", "Exemples", "balise serve --host 0.0.0.0 --port 8080"):
        assert words in result.stdout


def test_balise_serve_without_a_secret_key_says_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli(["serve", "--port", "1"], _bare_env(tmp_path))
    assert result.returncode == 3 and "balise init" in result.stderr


def test_a_comment_longer_than_the_page_allows_is_refused_by_the_server(web: str, mailbox: Mailbox) -> None:
    post_id = awaiting_draft(make_team())
    url = mailbox.to(JULIE)[0].link("approuver")
    browser = requests.Session()
    before = footprint(post_id)
    refused = click(browser, url, commentaire="x" * 2001)  # posted without the page's maxlength
    assert refused.status_code == 400 and "2000 au plus" in unescape(refused.text)
    assert footprint(post_id) == before  # the link is not spent
    done = click(browser, url, commentaire="x" * 2000)
    assert done.status_code == 200 and state(post_id) == "scheduled"
