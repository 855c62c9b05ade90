"""Frequency guidance end to end: the organization's own policy, warnings when a draft is added,
quiet hours held by the real compliance worker until a responsible person overrides them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select, update

from balise.config import get_settings
from balise.db import session_scope
from balise.errors import InvalidInput
from balise.models import AuditEvent, ComplianceResult, Member, Organization, Post, utcnow
from balise.pipeline.draft import DraftInput, create_post
from balise.pipeline.signoff import LateChoice, approve
from balise.queue.queues import COMPLIANCE
from balise.queue.worker import run_worker
from balise.states import State, transition
from balise.timeparse import parse_when
from tests.conftest import run_cli
from tests.helpers import gate_passed, make_org, state_of

OFFER = "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention."
TORONTO = "America/Toronto"


def _next_monday() -> date:
    today = utcnow().date()
    return today + timedelta(days=7 - today.weekday())


def _add(env: dict[str, str], day: date, clock: str, platform: str = "facebook") -> tuple[int, list[str], str]:
    result = run_cli(["draft", "add", OFFER, "-p", platform, "--at", f"{day} {clock}", "--as", "Marie", "--json"], env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    return data["id"], data["warnings"], result.stderr


def test_adding_a_third_post_on_a_day_warns_and_still_adds_it(env: dict[str, str]) -> None:
    make_org(quiet_hours=True)
    monday = _next_monday() + timedelta(weeks=1)
    _, first, _ = _add(env, monday, "10:00")
    assert not any("par jour" in w for w in first)
    _add(env, monday, "11:00")
    post_id, warnings, stderr = _add(env, monday, "14:00")
    crowded = [w for w in warnings if "par jour" in w]
    assert len(crowded) == 1 and "3 publications sont prévues sur Facebook" in crowded[0]
    assert "Attention" in stderr and "au plus 2 par jour" in stderr
    assert state_of(post_id) == State.PENDING_CHECK  # advice, never a refusal
    _, x_warnings, _ = _add(env, monday, "15:00", platform="x")
    assert not any("par jour" in w for w in x_warnings)  # X is counted on its own


def test_empty_weeks_before_a_far_post_are_named(env: dict[str, str]) -> None:
    make_org(quiet_hours=True)
    monday = _next_monday()
    _add(env, monday + timedelta(days=1), "10:00")
    _, warnings, _ = _add(env, monday + timedelta(weeks=2, days=2), "10:00")
    empty = [w for w in warnings if "Rien de prévu sur Facebook" in w]
    assert len(empty) == 1
    # this week is empty unless today is the Monday before the first post; next week has a post
    assert "semaine du" in empty[0] and str((monday + timedelta(weeks=1)).day) in empty[0]


def test_a_post_in_quiet_hours_waits_for_an_override(env: dict[str, str]) -> None:
    make_org(quiet_hours=True)
    day = _next_monday()
    night, _, _ = _add(env, day, "23:30")
    noon, _, _ = _add(env, day, "12:00")
    outbox, _, _ = _add(env, day, "23:30", platform="sandbox")
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert (state_of(night), state_of(noon), state_of(outbox)) == (
        State.NEEDS_REVIEW, State.AWAITING_SIGNOFF, State.AWAITING_SIGNOFF,
    )  # fmt: skip
    with session_scope() as session:
        result = session.exec(select(ComplianceResult).where(ComplianceResult.post_id == night)).one()
        assert [r["code"] for r in result.reasons] == ["QUIET_HOURS"]

    refused = run_cli(["override", str(night), "--reason", "Soirée spéciale", "--as", "Marie"], env)
    assert refused.returncode == 4 and state_of(night) == State.NEEDS_REVIEW  # the author cannot
    done = run_cli(
        ["override", str(night), "--reason", "Julie répondra aux commentaires ce soir-là", "--as", "Julie"], env
    )
    assert done.returncode == 0, done.stderr
    assert state_of(night) == State.AWAITING_SIGNOFF


def test_the_organization_installs_its_own_hours(env: dict[str, str], tmp_path: Path) -> None:
    make_org(quiet_hours=True)
    mine = tmp_path / "balises.toml"
    mine.write_text('[quiet_hours]\nstart = "18:00"\nend = "08:00"\n', encoding="utf-8")
    assert run_cli(["policy", "set", str(mine), "--as", "Marie"], env).returncode == 4  # an author may not
    result = run_cli(["policy", "set", str(mine), "--as", "Julie"], env)
    assert result.returncode == 0, result.stderr
    assert 'start = "18:00"' in run_cli(["policy", "show"], env).stdout

    evening, _, _ = _add(env, _next_monday(), "19:00")
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    assert state_of(evening) == State.NEEDS_REVIEW
    with session_scope() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "policy")).one().actor == "Julie"

    mine.write_text('[quiet_hours]\nstart = "soir"\n', encoding="utf-8")
    bad = run_cli(["policy", "set", str(mine), "--as", "Julie"], env)
    assert bad.returncode != 0 and "ligne 2" in bad.stderr and "Traceback" not in bad.stderr
    assert 'start = "18:00"' in run_cli(["policy", "show"], env).stdout  # nothing changed

    assert run_cli(["policy", "clear", "--as", "Julie"], env).returncode == 0
    assert 'start = "21:00"' in run_cli(["policy", "show"], env).stdout


@pytest.mark.parametrize(("clock", "refused"), [("23:00", True), ("10:00", False)])
def test_a_late_signoff_cannot_move_a_post_into_quiet_hours(env: dict[str, str], clock: str, refused: bool) -> None:
    org_id, author_id, approver_id = make_org(quiet_hours=True)
    with session_scope() as session:
        org, author = session.get(Organization, org_id), session.get(Member, author_id)
        assert org and author
        draft = DraftInput(text=OFFER, platforms=("facebook",), scheduled_at=utcnow() + timedelta(minutes=5))
        post = create_post(session, org, author, draft, get_settings().data_path / "media")
        gate_passed(session, post)
        transition(session, post, State.AWAITING_SIGNOFF, actor="barrière", channel="worker")
        post_id = post.id
    with session_scope() as session:  # the approver comes back after the post's time
        session.exec(update(Post).where(Post.id == post_id).values(scheduled_at=utcnow() - timedelta(hours=2)))
    new_time = parse_when(f"{_next_monday()} {clock}", ZoneInfo(TORONTO))
    with session_scope() as session:
        post, org, approver = (
            session.get(Post, post_id),
            session.get(Organization, org_id),
            session.get(Member, approver_id),
        )
        assert post and org and approver
        if refused:
            with pytest.raises(InvalidInput) as caught:
                approve(session, org, post, approver, channel="cli", late=LateChoice(at=new_time))
            assert "heures calmes (21 h à 7 h)" in caught.value.message(lang="fr")
        else:
            assert approve(session, org, post, approver, channel="cli", late=LateChoice(at=new_time)).publishes
    assert state_of(post_id) == (State.AWAITING_SIGNOFF if refused else State.SCHEDULED)
