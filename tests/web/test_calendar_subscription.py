"""The calendar at its secret address: served by `balise serve`, replaced with `--new`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import requests
from icalendar import Calendar

from balise.config import get_settings
from balise.db import session_scope
from balise.models import AuditEvent, Member, Organization, utcnow
from balise.pipeline.draft import DraftInput, create_post
from tests.conftest import run_cli
from tests.web.conftest import SECRET, make_team

PLANNED = "Atelier de prévention pour les parents, mardi à la bibliothèque."


def _plan(team_org: int, author: int) -> None:
    with session_scope() as session:
        org, member = session.get(Organization, team_org), session.get(Member, author)
        assert org and member
        draft = DraftInput(text=PLANNED, platforms=("facebook",), scheduled_at=utcnow() + timedelta(days=3))
        create_post(session, org, member, draft, get_settings().data_path / "media")


def _address(env: dict[str, str], *extra: str) -> str:
    result = run_cli(["calendar", "url", *extra], env)
    assert result.returncode == 0, result.stderr
    assert "Outlook" in result.stderr
    return result.stdout.strip()


def test_a_coordinator_subscribes_to_the_calendar_at_its_secret_address(web: str, env: dict[str, str]) -> None:
    team = make_team()
    _plan(team.org_id, team.author_id)
    address = _address(env)
    assert address.startswith(f"{web}/calendrier/espace-test/") and address.endswith(".ics")

    answer = requests.get(address, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [PLANNED[:59] + "…"]

    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    for wrong in (address.replace(secret, secret[:-1] + ("A" if secret[-1] != "A" else "B")),
                  address.replace("espace-test", "autre-org")):  # fmt: skip
        refused = requests.get(wrong, timeout=10)
        assert refused.status_code == 404 and PLANNED not in refused.text


def test_a_leaked_address_is_replaced_and_stops_working(web: str, env: dict[str, str]) -> None:
    team = make_team()
    old = _address(env)
    assert run_cli(["calendar", "url", "--new", "--as", "Marie"], env).returncode == 4  # an author may not
    assert _address(env) == old
    new = _address(env, "--new", "--as", "Julie")
    assert new != old
    assert requests.get(old, timeout=10).status_code == 404
    assert requests.get(new, timeout=10).status_code == 200
    with session_scope() as session:
        event = session.exec(AuditEvent.__table__.select().where(AuditEvent.action == "calendar_address")).one()
        assert event.actor == "Julie" and event.org_id == team.org_id


def test_without_a_secret_key_the_address_cannot_be_made(env: dict[str, str]) -> None:
    make_team()
    env.pop("BALISE_SECRET_KEY", None)
    result = run_cli(["calendar", "url"], env)
    assert result.returncode != 0 and "BALISE_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_the_calendars_secret_address_stays_out_of_the_access_log(
    web: str, env: dict[str, str], access_log: list[str]
) -> None:
    make_team()
    address = _address(env)
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert requests.get(address, timeout=10).status_code == 200
    assert requests.get(address.removesuffix(".ics"), timeout=10).status_code == 404
    assert len(access_log) == 2 and not any(secret in line for line in access_log)
    assert "/calendrier/espace-test/….ics" in access_log[0]


def test_a_line_break_in_the_organizations_name_still_gives_a_calendar(
    web: str, env: dict[str, str], tmp_path: Path
) -> None:
    team = make_team()
    with session_scope() as session:
        org = session.get(Organization, team.org_id)
        assert org
        org.name = "ESPACE\r\nTest"
    _plan(team.org_id, team.author_id)
    served = requests.get(_address(env), timeout=10)
    assert served.status_code == 200
    assert str(Calendar.from_ical(served.content)["x-wr-calname"]).endswith("ESPACE Test")
    exported = run_cli(["calendar", "export", "-o", str(tmp_path / "publications.ics")], env)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "publications.ics").read_bytes() == served.content


@pytest.mark.parametrize(
    ("public_url", "warned"),
    [
        (None, True),  # unset: the default, http://127.0.0.1:8000
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8080/balise", True),
        ("https://balise.espace-test.org", False),
    ],
)
def test_an_address_only_this_computer_reaches_is_flagged(
    env: dict[str, str], public_url: str | None, warned: bool
) -> None:
    make_team()
    env["BALISE_SECRET_KEY"] = SECRET
    env.pop("BALISE_PUBLIC_URL", None)
    if public_url:
        env["BALISE_PUBLIC_URL"] = public_url
    result = run_cli(["calendar", "url"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(".ics") and "\n" not in result.stdout.strip()  # the address alone
    warning = "les autres personnes ne peuvent pas l'ouvrir" in result.stderr
    assert warning is warned, result.stderr
    assert ("Définissez BALISE_PUBLIC_URL" in result.stderr) is warned
