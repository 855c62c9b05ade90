"""`balise calendar`: the iCalendar feed of planned posts, and the weeks ahead on screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from balise.db import session_scope
from balise.models import Member, Post
from balise.pipeline.draft import cancel_post
from tests.conftest import run_cli
from tests.helpers import make_org
from tests.reports.builders import JOB_OFFER, draft, signed_off

TORONTO = ZoneInfo("America/Toronto")
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()


def events(path: Path) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {
        str(e["UID"]): {
            "start": e.decoded("DTSTART"),
            "summary": str(e["SUMMARY"]),
            "description": str(e["DESCRIPTION"]),
            "status": str(e["STATUS"]),
        }
        for e in calendar.walk("VEVENT")
    }


def test_the_ics_feed_has_one_event_per_planned_post_with_a_stable_uid(env: dict[str, str], tmp_path: Path) -> None:
    org_id, author_id, approver_id = make_org()
    at = datetime(2027, 1, 12, 15, 0, tzinfo=UTC)
    scheduled = draft(org_id, author_id, platforms=("facebook", "x"), at=at)
    signed_off(scheduled, approver_id)
    waiting = draft(org_id, author_id, text="Formation pour les parents, mardi 18 h 30.", at=at + timedelta(days=7))
    cancelled = draft(org_id, author_id, text="Activité reportée", at=at + timedelta(days=8))
    with session_scope() as session:
        post, member = session.get(Post, cancelled), session.get(Member, author_id)
        assert post and member
        cancel_post(session, post, member, "reportée")

    first = run_cli(["calendar", "export", "--output", str(tmp_path / "a.ics")], env)
    again = run_cli(["calendar", "export", "--output", str(tmp_path / "b.ics")], env)

    assert first.returncode == 0, first.stderr
    feed = events(tmp_path / "a.ics")
    assert (tmp_path / "a.ics").read_bytes() == (tmp_path / "b.ics").read_bytes() and again.returncode == 0
    assert sorted(feed) == sorted(f"post-{p}.espace-test@balise" for p in (scheduled, waiting))
    event = feed[f"post-{scheduled}.espace-test@balise"]
    assert event["start"] == at and event["start"].tzinfo is not None  # type: ignore[union-attr]
    summary = str(event["summary"])
    assert summary.endswith("…") and JOB_OFFER.startswith(summary[:-1]) and 20 < len(summary) < len(JOB_OFFER)
    assert "Postulez avant le 15 janvier." in str(event["description"])
    assert "facebook, x" in str(event["description"]) and "planifiée" in str(event["description"])
    assert event["status"] == "CONFIRMED"
    pending = feed[f"post-{waiting}.espace-test@balise"]
    assert pending["summary"] == "Formation pour les parents, mardi 18 h 30."
    assert "en vérification" in str(pending["description"]) and pending["status"] == "TENTATIVE"
    assert str(tmp_path / "a.ics") in first.stdout


def test_the_export_into_a_missing_folder_says_so_and_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    make_org()

    result = run_cli(["calendar", "export", "--output", str(tmp_path / "absent" / "a.ics")], env)

    assert result.returncode != 0
    assert "n'existe pas" in result.stderr and "absent" in result.stderr
    assert not (tmp_path / "absent").exists()


def test_calendar_show_prints_each_day_in_the_organization_zone(env: dict[str, str]) -> None:
    org_id, author_id, _ = make_org()
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    later = soon + timedelta(days=40)
    draft(org_id, author_id, platforms=("facebook", "x"), at=soon)
    draft(org_id, author_id, text="Bien plus tard", at=later)

    shown = run_cli(["calendar", "show", "--weeks", "2"], env)

    assert shown.returncode == 0, shown.stderr
    local = soon.astimezone(TORONTO)
    assert f"{local.day} {MONTHS[local.month - 1]} {local.year}" in shown.stdout
    assert local.strftime("%H:%M") in shown.stdout and "facebook, x" in shown.stdout
    assert "en vérification" in shown.stdout and "Offre d'emploi" in shown.stdout
    assert "Bien plus tard" not in shown.stdout
    assert "Bien plus tard" in run_cli(["calendar", "show", "--weeks", "8"], env).stdout


def test_calendar_show_refuses_a_nonsense_number_of_weeks(env: dict[str, str]) -> None:
    make_org()

    result = run_cli(["calendar", "show", "--weeks", "0"], env)

    assert result.returncode != 0 and "--weeks 4" in result.stderr
