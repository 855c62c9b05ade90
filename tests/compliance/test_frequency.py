"""Quiet hours (a rule of the gate) and the cadence advice (warnings), on the policy's data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from balise.compliance import Draft, load_policy
from balise.compliance.frequency import Planned, cadence_warnings
from balise.compliance.gate import check_draft
from balise.errors import PolicyError

TORONTO = ZoneInfo("America/Toronto")
OFFER = "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention."
MONDAY = date(2031, 1, 13)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TORONTO)


def _verdict(
    at: datetime, platforms: tuple[str, ...] = ("facebook",), override: str | None = None
) -> tuple[str, list[str]]:
    verdict = check_draft(Draft(OFFER, platforms, at=at), load_policy(override))
    return verdict.verdict, [reason.code for reason in verdict.reasons]


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True), (6, 59, True), (7, 0, False), (12, 0, False)],
)
def test_quiet_hours_run_from_nine_at_night_to_seven_in_the_morning(hour: int, minute: int, quiet: bool) -> None:
    verdict, codes = _verdict(_at(MONDAY, hour, minute))
    assert (verdict, codes) == (("needs_review", ["QUIET_HOURS"]) if quiet else ("approved", []))


def test_quiet_hours_are_read_in_the_organization_time_zone() -> None:
    # 20:30 UTC is 15:30 in Toronto (winter) but 21:30 in Paris.
    utc = datetime(2031, 1, 14, 20, 30, tzinfo=ZoneInfo("UTC"))
    assert check_draft(Draft(OFFER, ("x",), at=utc, timezone="America/Toronto"), load_policy()).verdict == "approved"
    assert check_draft(Draft(OFFER, ("x",), at=utc, timezone="Europe/Paris"), load_policy()).verdict == "needs_review"


def test_the_reason_says_when_and_how_to_fix_it() -> None:
    reason = check_draft(Draft(OFFER, ("facebook",), at=_at(MONDAY, 22, 15)), load_policy()).reasons[0]
    assert "22 h 15" in reason.message and "21 h à 7 h" in reason.message
    assert reason.suggestion and "balise override" in reason.suggestion and "entre 7 h et 21 h" in reason.suggestion
    assert "réactions rapides aux commentaires" in reason.clause


def test_quiet_hours_only_cover_the_platforms_people_can_answer_on() -> None:
    assert _verdict(_at(MONDAY, 23), ("sandbox",)) == ("approved", [])
    assert _verdict(_at(MONDAY, 23), ("sandbox", "x"))[0] == "needs_review"


def test_an_organization_sets_its_own_hours_or_none() -> None:
    evening = '[quiet_hours]\nstart = "18h00"\nend = "08:30"\n'
    assert _verdict(_at(MONDAY, 19), override=evening)[0] == "needs_review"
    assert _verdict(_at(MONDAY, 8, 15), override=evening)[0] == "needs_review"
    assert _verdict(_at(MONDAY, 8, 30), override=evening)[0] == "approved"
    none = '[quiet_hours]\nstart = "00:00"\nend = "00:00"\n'
    assert _verdict(_at(MONDAY, 3), override=none) == ("approved", [])
    daytime = '[quiet_hours]\nstart = "12:00"\nend = "13:00"\n'
    assert _verdict(_at(MONDAY, 12, 30), override=daytime)[0] == "needs_review"
    assert _verdict(_at(MONDAY, 23), override=daytime)[0] == "approved"


def test_an_organization_can_make_quiet_hours_a_refusal() -> None:
    strict = '[codes.QUIET_HOURS]\nseverity = "rejected"\n'
    assert _verdict(_at(MONDAY, 23), override=strict) == ("rejected", ["QUIET_HOURS"])


def test_a_draft_without_a_time_is_not_judged_on_its_hour() -> None:
    assert check_draft(Draft(OFFER, ("facebook",)), load_policy()).verdict == "approved"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ('[quiet_hours]\nstart = "25:00"\n', "doit être une heure"),
        ('[quiet_hours]\nend = "le soir"\n', "« le soir »"),
        ('[quiet_hours]\nplatforms = ["facebook", "myspace"]\n', "Plateforme inconnue « myspace »"),
        ("[frequency.x]\nmin_per_week = 9\nmax_per_week = 4\n", "« min_per_week » dépasse « max_per_week »"),
        ("[frequency.facebook]\nmax_per_day = 0\n", "plus grand que zéro"),
        ("[frequency.facebok]\nmax_per_day = 2\n", "facebook"),
    ],
)
def test_a_wrong_frequency_setting_names_the_key_and_line(override: str, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(override)
    message = caught.value.message(lang="fr")
    assert expected in message and "ligne" in message


def _planned(platform: str, *days: date) -> list[Planned]:
    return [Planned(platform, day) for day in days]


def test_a_crowded_day_and_a_crowded_week_are_warned_about() -> None:
    policy = load_policy()  # Facebook: 3 to 5 a week, at most 2 a day
    week = [MONDAY + timedelta(days=n) for n in range(5)]
    planned = _planned("facebook", *week, MONDAY)  # 6 this week, 2 of them on Monday
    assert cadence_warnings(policy, planned[:-1], _planned("facebook", week[4]), MONDAY) == []
    warnings = cadence_warnings(policy, planned, _planned("facebook", MONDAY), MONDAY)
    assert len(warnings) == 1 and "6 publications" in warnings[0] and "au plus 5 par semaine" in warnings[0]
    day = cadence_warnings(
        policy, [*planned[:4], *_planned("facebook", MONDAY, MONDAY)], _planned("facebook", MONDAY), MONDAY
    )
    assert any("lundi 13 janvier 2031, 3 publications" in w and "au plus 2 par jour" in w for w in day)


def test_each_platform_is_counted_against_its_own_target() -> None:
    policy = load_policy()  # X allows 3 a day
    three = _planned("x", MONDAY, MONDAY, MONDAY)
    assert cadence_warnings(policy, three, _planned("x", MONDAY), MONDAY) == []
    assert (
        cadence_warnings(
            policy, [*three, *_planned("sandbox", MONDAY, MONDAY, MONDAY)], _planned("sandbox", MONDAY), MONDAY
        )
        == []
    )


def test_empty_weeks_before_the_new_post_are_listed() -> None:
    policy = load_policy()
    later = MONDAY + timedelta(weeks=2, days=2)
    planned = [*_planned("facebook", MONDAY + timedelta(weeks=1)), *_planned("facebook", later)]
    warnings = cadence_warnings(policy, planned, _planned("facebook", later), MONDAY)
    assert len(warnings) == 1
    assert "semaine du lundi 13 janvier 2031" in warnings[0] and "20 janvier" not in warnings[0]
    assert "cible : 3 à 5 par semaine" in warnings[0] and "Facebook" in warnings[0]


def test_a_long_gap_is_summed_up_and_bounded() -> None:
    policy = load_policy()
    far = MONDAY + timedelta(weeks=30)
    warnings = cadence_warnings(policy, _planned("x", far), _planned("x", far), MONDAY)
    assert len(warnings) == 1 and "et 6 autre(s)" in warnings[0]  # 9 weeks looked at, 3 named
