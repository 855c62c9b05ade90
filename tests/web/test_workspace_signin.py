"""Signing in to the workspace by an emailed link, over real HTTP and real SMTP: the link's page
spends nothing, its button signs in once, the cookie is guarded, sessions end, asks are limited,
and no workspace page answers without a session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlmodel import select

from balise.db import session_scope
from balise.models import SignInLink, WebSession, utcnow
from balise.web.app import create_app
from balise.web.signin import PER_ADDRESS_PER_HOUR, PER_EMAIL_PER_HOUR
from balise.web.workspace import ROUTES
from tests.smtp import Mailbox
from tests.web.conftest import make_team

PUBLIC = {"/", "/style.css", "/calendrier/{slug}/{token}.ics", "/signature/{post_id:int}/{token}/{action}",
          "/connexion", "/connexion/{token}", "/deconnexion", "/ecrire.js"}  # fmt: skip


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def ask(browser: requests.Session, web: str, email: str) -> requests.Response:
    page = browser.get(f"{web}/connexion", timeout=10)
    return browser.post(f"{web}/connexion", data={"csrf": csrf_of(page.text), "email": email}, timeout=10)


def emailed_link(mailbox: Mailbox, address: str) -> str:
    mails = mailbox.to(address)
    assert mails, f"no mail to {address}"
    found = re.search(r"(http://\S+/connexion/\S+)", mails[-1].text)
    assert found, mails[-1].text
    return found.group(1)


def sign_in(browser: requests.Session, web: str, mailbox: Mailbox, email: str) -> requests.Response:
    """The whole path: ask, open the emailed link, click the button."""
    assert ask(browser, web, email).status_code == 200
    link = emailed_link(mailbox, email)
    page = browser.get(link, timeout=10)
    return browser.post(link, data={"csrf": csrf_of(page.text)}, timeout=10, allow_redirects=False)


def sessions() -> list[WebSession]:
    with session_scope() as session:
        return list(session.exec(select(WebSession)))


def test_a_member_signs_in_by_the_emailed_link_once(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    assert ask(browser, web, "Marie@Exemple.org").status_code == 200
    link = emailed_link(mailbox, "marie@exemple.org")
    for _ in range(2):  # a mail scanner opening the link signs nobody in and spends nothing
        page = browser.get(link, timeout=10)
        assert page.status_code == 200 and "Me connecter" in page.text and "Marie" in page.text
    assert sessions() == []
    done = browser.post(link, data={"csrf": csrf_of(page.text)}, timeout=10, allow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/espace")
    cookie = done.headers["set-cookie"]
    assert "balise_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here; https gets Secure
    home = browser.get(f"{web}/espace", timeout=10)
    assert home.status_code == 200 and "Marie, auteur·e à ESPACE Test" in home.text
    again = requests.Session().post(link, data={"csrf": csrf_of(page.text)}, timeout=10)
    assert again.status_code in (403, 410)  # another browser: neither its form nor the spent link
    reuse = browser.post(link, data={"csrf": csrf_of(page.text)}, timeout=10)
    assert reuse.status_code == 410 and "déjà servi" in reuse.text
    assert len(sessions()) == 1


def test_an_unknown_email_gets_the_same_answer_and_no_mail(web: str, mailbox: Mailbox) -> None:
    make_team()
    known, unknown = ask(requests.Session(), web, "marie@exemple.org"), ask(requests.Session(), web, "x@ailleurs.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("marie@exemple.org", "@") == unknown.text.replace("x@ailleurs.org", "@")
    assert mailbox.to("x@ailleurs.org") == []


def test_a_tampered_or_expired_link_signs_nobody_in(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    ask(browser, web, "marie@exemple.org")
    link = emailed_link(mailbox, "marie@exemple.org")
    assert browser.get(link[:-3] + "abc", timeout=10).status_code == 400
    with session_scope() as session:  # the 15 minutes are in the signed token itself
        row = session.exec(select(SignInLink)).one()
        assert row.created_at > utcnow() - timedelta(minutes=1)
    assert browser.get(link, timeout=10).status_code == 200


def test_the_sign_in_page_refuses_a_form_from_elsewhere(web: str, mailbox: Mailbox) -> None:
    make_team()
    forged = requests.post(f"{web}/connexion", data={"csrf": "x", "email": "marie@exemple.org"}, timeout=10)
    assert forged.status_code == 403
    assert mailbox.to("marie@exemple.org") == []


def test_asks_are_limited_per_email_and_per_address(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    for _ in range(PER_EMAIL_PER_HOUR):
        assert ask(browser, web, "marie@exemple.org").status_code == 200
    refused = ask(browser, web, "marie@exemple.org")
    assert refused.status_code == 429 and "Trop de demandes" in refused.text
    assert len(mailbox.to("marie@exemple.org")) == PER_EMAIL_PER_HOUR
    for n in range(PER_ADDRESS_PER_HOUR - PER_EMAIL_PER_HOUR):
        assert ask(browser, web, f"inconnu{n}@ailleurs.org").status_code == 200
    assert ask(browser, web, "julie@exemple.org").status_code == 429  # this address asked too often
    assert mailbox.to("julie@exemple.org") == []


def test_signing_in_replaces_the_session_the_browser_had(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    sign_in(browser, web, mailbox, "marie@exemple.org")
    first = browser.cookies.get("balise_session")
    sign_in(browser, web, mailbox, "marie@exemple.org")
    second = browser.cookies.get("balise_session")
    assert first and second and first != second
    planted = requests.Session()
    planted.cookies.set("balise_session", first)
    assert planted.get(f"{web}/espace", timeout=10, allow_redirects=False).status_code == 303
    assert [s.ended_at is not None for s in sorted(sessions(), key=lambda s: s.created_at)] == [True, False]


def test_signing_out_ends_the_session_on_the_server(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    sign_in(browser, web, mailbox, "marie@exemple.org")
    copied = browser.cookies.get("balise_session")
    home = browser.get(f"{web}/espace", timeout=10)
    assert browser.post(f"{web}/deconnexion", data={"csrf": "faux"}, timeout=10).status_code == 403
    out = browser.post(f"{web}/deconnexion", data={"csrf": csrf_of(home.text)}, timeout=10)
    assert out.status_code == 200 and "déconnecté" in out.text
    thief = requests.Session()
    thief.cookies.set("balise_session", copied)
    assert thief.get(f"{web}/espace", timeout=10, allow_redirects=False).status_code == 303


def test_a_session_ends_after_inactivity(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    sign_in(browser, web, mailbox, "marie@exemple.org")
    assert browser.get(f"{web}/espace", timeout=10, allow_redirects=False).status_code == 200
    with session_scope() as session:
        row = session.exec(select(WebSession)).one()
        row.last_seen = utcnow() - timedelta(hours=2, minutes=1)
        session.add(row)
    gone = browser.get(f"{web}/espace", timeout=10, allow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].endswith("/connexion")


def test_every_workspace_route_refuses_a_request_without_a_session(web: str) -> None:
    make_team()
    app = create_app().app  # type: ignore[attr-defined]
    guarded = [route for route in app.routes if route.path not in PUBLIC]
    assert {route.path for route in ROUTES} <= {route.path for route in guarded}
    forged = requests.Session()
    forged.cookies.set("balise_session", "faux")
    for route in guarded:
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods - {"HEAD"}:
            for browser in (requests.Session(), forged):
                answer = browser.request(method, f"{web}{path}", data={"csrf": "x"}, timeout=10, allow_redirects=False)
                expected = 303 if method == "GET" else 401
                assert answer.status_code == expected, (method, path, answer.status_code)
                assert "Marie" not in answer.text and "ESPACE Test" not in answer.text


def test_workspace_pages_carry_the_security_headers(web: str, mailbox: Mailbox) -> None:
    make_team()
    browser = requests.Session()
    sign_in(browser, web, mailbox, "marie@exemple.org")
    for path in ("/espace", "/espace/etat", "/connexion"):
        headers = browser.get(f"{web}{path}", timeout=10).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp and "script-src 'self';" in csp
        assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sign_in_page_speaks_the_installation_language(
    web: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balise.config import reset_settings

    monkeypatch.setenv("BALISE_LANG", lang)
    reset_settings()
    page = requests.get(f"{web}/connexion", timeout=10).text
    assert ("Se connecter à balise" if lang == "fr" else "Sign in to balise") in page
    assert f'<html lang="{lang}">' in page
