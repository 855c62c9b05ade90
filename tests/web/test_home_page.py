"""`balise serve`'s bare address: what the server is and which setting email approval lacks,
over real HTTP, without a post, a person or a setting's value on the page."""

from __future__ import annotations

from html import unescape

import pytest
import requests

from balise.config import reset_settings
from tests.smtp import Mailbox
from tests.web.conftest import JOB_OFFER, SECRET, awaiting_draft, make_team

SMTP_PASSWORD = "mot-de-passe-smtp-secret"
MISSING = ("BALISE_SMTP_URL", "BALISE_MAIL_FROM", "BALISE_PUBLIC_URL")


def _settings(monkeypatch: pytest.MonkeyPatch, **values: str | None) -> None:
    """Change what the running server reads on its next request."""
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    reset_settings()


def _home(web: str) -> str:
    answer = requests.get(f"{web}/", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["Cache-Control"] == "no-store"
    return unescape(answer.text)


def test_the_home_page_says_what_is_missing_when_nothing_is_set(web: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, BALISE_SMTP_URL=None, BALISE_MAIL_FROM=None, BALISE_PUBLIC_URL=None)
    page = _home(web)
    assert "application d'approbation de balise" in page
    assert page.count("non configuré") == 3
    for name in MISSING:
        assert f"Définissez {name}" in page
    assert "n'est pas encore prête" in page and "balise approve N" in page


def test_the_home_page_says_email_approval_is_ready_when_everything_is_set(
    web: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = f"smtp://balise:{SMTP_PASSWORD}@127.0.0.1:{mailbox.port}"
    _settings(monkeypatch, BALISE_SMTP_URL=smtp, BALISE_PUBLIC_URL="https://balise.espace-test.org")
    page = _home(web)
    assert page.count(": configuré") == 3 and "non configuré" not in page
    assert "est prête" in page and "Définissez" not in page
    for secret in (SMTP_PASSWORD, SECRET, "espace-test.org", "127.0.0.1"):
        assert secret not in page  # only "configured", never a value


@pytest.mark.parametrize("address", ["http://127.0.0.1:8000", "http://localhost:8000/balise", "http://[::1]:8000"])
def test_an_address_only_the_server_reaches_is_missing(web: str, monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    _settings(monkeypatch, BALISE_PUBLIC_URL=address)
    page = _home(web)
    assert "Adresse publique : non configurée" in page and "Définissez BALISE_PUBLIC_URL" in page
    assert page.count(": configuré") == 2  # SMTP and sender stay configured


def test_the_home_page_speaks_english_when_asked(web: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, BALISE_LANG="en", BALISE_SMTP_URL=None)
    page = _home(web)
    assert "balise's approval app" in page
    assert "Mail server: not configured. Set BALISE_SMTP_URL" in page and "is not ready yet" in page


def test_the_home_page_shows_no_post_and_no_person(web: str) -> None:
    awaiting_draft(make_team())
    page = _home(web)
    for private in (JOB_OFFER[:20], "Marie", "Julie", "Chantal", "exemple.org"):
        assert private not in page


def test_the_home_page_only_answers_reading(web: str) -> None:
    refused = requests.post(f"{web}/", data={"x": "1"}, timeout=10)
    assert refused.status_code == 405
