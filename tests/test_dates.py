"""Dates as people write and read them (issue 19, item 6): `--at` phrases, times shown in words in the
organization's zone, ISO 8601 kept for JSON, and a consent's last day shown as it was typed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from balise.db import session_scope
from balise.errors import InvalidInput
from balise.models import AuditEvent
from balise.timeparse import local_text, parse_when
from tests.conftest import run_cli
from tests.helpers import make_org

ZONE = ZoneInfo("America/Toronto")
NOW = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)  # a Thursday, 15 h in Toronto


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("demain 10 h", datetime(2027, 1, 15, 10, 0)),
        ("lundi 9 h 30", datetime(2027, 1, 18, 9, 30)),
        ("10h00", datetime(2027, 1, 15, 10, 0)),
        ("2027-01-15 10:00", datetime(2027, 1, 15, 10, 0)),
        ("15 janvier 2027 à 10 h", datetime(2027, 1, 15, 10, 0)),
    ],
)
def test_at_reads_the_ways_people_write_a_time(typed: str, local: datetime) -> None:
    assert parse_when(typed, ZONE, NOW) == local.replace(tzinfo=ZONE).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "key", "example"),
    [
        ("lundi", "time.no_hour", "lundi 9 h 30"),
        ("01/02/2027 10:00", "time.ambiguous_day", "2027-01-15 10:00"),
        ("hier 10 h", "time.past", "demain 10 h"),
        ("bonjour", "time.malformed", "demain 10 h"),
    ],
)
def test_at_refuses_a_time_it_would_have_to_guess_with_an_example(typed: str, key: str, example: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_when(typed, ZONE, NOW)
    assert refused.value.key == key
    assert example in refused.value.message(lang="fr")


def test_times_read_as_people_say_them() -> None:
    on_the_hour = datetime(2027, 1, 15, 15, 0, tzinfo=UTC)
    half_past = datetime(2027, 1, 15, 14, 30, tzinfo=UTC)
    assert local_text(on_the_hour, ZONE, "fr") == "vendredi 15 janvier 2027 à 10 h"
    assert local_text(half_past, ZONE, "fr") == "vendredi 15 janvier 2027 à 9 h 30"
    assert local_text(half_past, ZONE, "en") == "Friday, January 15, 2027 at 9:30 a.m."


def test_draft_add_takes_a_phrase_and_says_the_time_in_words_json_keeps_iso(env: dict[str, str]) -> None:
    make_org()
    said = run_cli(
        ["draft", "add", "Atelier parents", "-p", "sandbox", "--at", "2099-01-15 10h00", "--as", "Marie"], env
    )
    assert said.returncode == 0, said.stderr
    assert "jeudi 15 janvier 2099 à 10 h" in said.stdout and "2099-01-15" not in said.stdout
    shown = run_cli(["draft", "show", "1", "--json"], env)
    assert json.loads(shown.stdout)["scheduled_at"] == "2099-01-15T10:00:00-05:00"


def test_a_consent_granted_until_a_day_shows_that_day_everywhere(env: dict[str, str]) -> None:
    make_org()
    assert run_cli(["people", "add", "Sophie Roy", "--as", "Marie"], env).returncode == 0
    granted = run_cli(
        ["consent", "grant", "Sophie Roy", "-p", "facebook", "--until", "2099-06-30", "--as", "Marie"], env
    )
    assert granted.returncode == 0, granted.stderr
    listed = run_cli(["consent", "list"], env).stdout
    assert "30 juin 2099" in granted.stdout and "30 juin 2099" in listed and "juillet" not in listed
    assert json.loads(run_cli(["consent", "list", "--json"], env).stdout)[0]["valid_through"] == "2099-06-30"
    with session_scope() as session:
        reason = session.exec(select(AuditEvent.reason).where(AuditEvent.action == "consent_granted")).one()
    assert reason is not None and "2099-06-30" in reason and "2099-07-01" not in reason
