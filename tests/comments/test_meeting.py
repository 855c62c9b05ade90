"""`balise meeting`: the team meeting's « point médias sociaux » after a post published on the fake
Page and the fake X account, a draft the gate rejected, comments of several kinds (fetched and
acted on through the comments commands) and a consent about to expire."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from balise.compliance import load_policy
from balise.compliance.frequency import Planned, weeks_ahead
from balise.config import get_settings, reset_settings
from balise.consent import add_person, grant
from balise.db import session_scope
from balise.models import Meeting, Organization, utcnow
from balise.queue.queues import MAIL
from balise.queue.worker import run_worker
from tests.comments.conftest import JOB_OFFER, Published, stored
from tests.helpers import gate, make_post, run_in_process, state_of
from tests.smtp import Mailbox

HELP = "Mon voisin crie sur ses enfants tous les soirs, je ne sais pas quoi faire. Pouvez-vous m'aider?"
INSULT = "Ces gens-là sont tous des profiteurs, bande d'idiots."
THANKS = "Merci pour cette belle offre, je la partage à mes amies éducatrices."
BIRTHDAY = "Bonne fête à notre collègue Sophie qui a 40 ans aujourd'hui! <script>alert(1)</script>"


@pytest.fixture
def busy(published: Published) -> Published:
    """The month the meeting covers: a post out, a draft stopped, comments, a consent ending soon."""
    stopped = make_post(published.org_id, published.author_id, text=BIRTHDAY, platforms=("facebook",))
    gate(stopped)
    assert state_of(stopped) in ("rejected", "needs_review")
    for text in (HELP, INSULT, THANKS):
        published.facebook.add_comment(published.remote["facebook"], "Fanny Tremblay", text)
    assert run_in_process(["comments", "fetch"]).code == 0
    done = run_in_process(["comments", "done", str(stored()[THANKS].id), "--as", "Julie"])
    assert done.code == 0, done.stderr
    with session_scope() as session:
        org = session.get(Organization, published.org_id)
        assert org
        add_person(session, org, name="Léa Gagnon", minor=True, guardian="Anne Gagnon", guardian_email=None,
                   actor="test")  # fmt: skip
        media = get_settings().data_path / "media"
        grant(session, org, "Léa Gagnon", platforms=["facebook"], until=utcnow() + timedelta(days=20),
              by_guardian=True, evidence=None, evidence_dir=media, actor="test")  # fmt: skip
    return published


def meetings() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Meeting)).one()


def test_the_meeting_says_what_went_out_what_was_stopped_the_comments_and_the_consents(busy: Published) -> None:
    result = run_in_process(["meeting"])

    assert result.code == 0, result.stderr
    out = result.stdout
    assert "Point médias sociaux — ESPACE Test" in out
    assert "Publié (1)" in out and f"n° {busy.post_id}" in out and JOB_OFFER[:40] in out
    assert "Arrêté par la vérification de conformité (1)" in out and "PERSONAL_INFO" in out
    assert "demande d'aide : 1 (1 à traiter)" in out and "ordinaire : 1 (1 traité)" in out
    assert "médiane" in out and "90e centile" in out
    assert "Léa Gagnon (mineur·e" in out
    assert "X : aucune publication prévue les semaines du" in out  # nothing planned ahead
    for question in ("Qu'est-ce que nous voulons y communiquer?", "Qui s'en occupe?", "À quelle fréquence?"):
        assert question in out
    assert "Julie (approbation)" in out
    assert meetings() == 1


def test_the_next_meeting_starts_where_the_last_one_ended_unless_since_is_given(busy: Published) -> None:
    assert run_in_process(["meeting"]).code == 0

    again = run_in_process(["meeting", "--json"])
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    since = run_in_process(["meeting", "--since", yesterday, "--json"])

    assert again.code == 0 and since.code == 0, again.stderr + since.stderr
    later = json.loads(again.stdout)
    assert later["published"] == [] and later["stopped"] == [] and later["comments"]["categories"]["help_request"] == 0
    assert later["expiring_consents"][0]["person"] == "Léa Gagnon"  # what lies ahead is always shown
    explicit = json.loads(since.stdout)
    assert [p["id"] for p in explicit["published"]] == [busy.post_id]
    assert {t["platform"] for t in explicit["published"][0]["targets"]} == {"facebook", "x"}
    assert explicit["since"].startswith(yesterday)
    assert meetings() == 3


@pytest.mark.parametrize("value", ["hier", "2026-13-45", "3000-01-01"])
def test_a_bad_since_is_refused_in_french_and_nothing_is_remembered(busy: Published, value: str) -> None:
    result = run_in_process(["meeting", "--since", value])

    assert result.code != 0
    assert "Traceback" not in result.stderr and value in result.stderr
    assert "AAAA-MM-JJ" in result.stderr or "futur" in result.stderr or "hors limites" in result.stderr, result.stderr
    assert meetings() == 0


def test_a_future_since_is_refused(busy: Published) -> None:
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    result = run_in_process(["meeting", "--since", tomorrow])
    assert result.code != 0 and "futur" in result.stderr
    assert meetings() == 0


def test_the_page_escapes_what_people_wrote(busy: Published, tmp_path: Path) -> None:
    page = tmp_path / "point.html"
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()

    result = run_in_process(["meeting", "--since", yesterday, "--html", str(page)])

    assert result.code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "PERSONAL_INFO" in html and "Léa Gagnon" in html and "À quelle fréquence?" in html


def test_a_page_that_cannot_be_written_leaves_the_last_meeting_as_it_was(busy: Published, tmp_path: Path) -> None:
    result = run_in_process(["meeting", "--html", str(tmp_path / "absent" / "point.html")])
    assert result.code != 0 and "Traceback" not in result.stderr
    assert meetings() == 0


def test_the_meeting_is_mailed_to_every_member_through_the_outbox(busy: Published, mailbox: Mailbox) -> None:
    result = run_in_process(["meeting", "--email"])
    assert result.code == 0, result.stderr
    assert "2 membre(s)" in result.stdout

    run_worker([MAIL], burst=True, with_scheduler=False)

    for address in ("marie@exemple.org", "julie@exemple.org"):
        [mail] = [m for m in mailbox.to(address) if "Point médias sociaux" in str(m.message["Subject"])]
        assert "PERSONAL_INFO" in mail.text and "Léa Gagnon" in mail.text
        assert "&lt;script&gt;" in mail.html and "<script>" not in mail.html


def test_the_meeting_in_english(busy: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BALISE_LANG", "en")
    reset_settings()
    result = run_in_process(["meeting"])
    assert result.code == 0, result.stderr
    assert "Social media update — ESPACE Test" in result.stdout and "How often?" in result.stdout


def test_email_without_a_mail_server_is_refused(busy: Published, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BALISE_SMTP_URL")
    reset_settings()
    result = run_in_process(["meeting", "--email"])
    assert result.code != 0 and "BALISE_SMTP_URL" in result.stderr
    assert meetings() == 0


def test_the_weeks_ahead_name_the_empty_and_the_crowded_ones() -> None:
    today = date(2026, 12, 3)  # a Thursday: its week starts on Monday 30 November
    planned = [Planned("facebook", date(2026, 12, 1 + n % 3)) for n in range(6)]  # 6 in the first week
    planned += [Planned("facebook", date(2026, 12, 8)) for _ in range(3)]  # 3 the next

    loads = weeks_ahead(load_policy(None), planned, ["facebook"], today)

    assert [(w.week, w.kind, w.count) for w in loads[:2]] == [
        (date(2026, 11, 30), "crowded", 6),
        (date(2026, 12, 14), "empty", 0),
    ]
    assert len(loads) == 1 + 7  # the crowded week, then the 7 empty ones of the next 9


def test_a_comment_dated_in_the_organizations_first_second_is_counted(published: Published) -> None:
    """The platforms date comments to the second; the organization's start has microseconds."""
    published.facebook.add_comment(published.remote["facebook"], "Fanny Tremblay", HELP)
    assert run_in_process(["comments", "fetch"]).code == 0
    first = stored()[HELP].written_at
    with session_scope() as session:
        org = session.get(Organization, published.org_id)
        assert org
        org.created_at = first.replace(microsecond=999_999)  # the comment's second, later within it
        session.add(org)
    result = run_in_process(["meeting", "--json"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["comments"]["categories"]["help_request"] == 1
