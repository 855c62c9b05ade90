"""The two ways around the gate and the four eyes, run as a person would, are refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from balise.db import session_scope
from balise.errors import TransitionRefused
from balise.mail.preview import preview_of
from balise.models import ComplianceResult, Member, Post
from balise.notify import waiting_on
from balise.organizations import add_member
from balise.states import State, transition
from tests.conftest import run_cli
from tests.helpers import gate, make_org, make_post, state_of

OFFER = "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention. Postulez avant le 15 janvier."


def test_an_override_before_the_gate_checked_the_edit_is_refused(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=OFFER)
    gate(post_id)
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    edited = run_cli(["draft", "edit", str(post_id), "--text", OFFER + " Écrivez-nous.", "--as", "Marie"], env)
    assert edited.returncode == 0, edited.stderr
    # The re-check has not run: the approver tries to skip it.
    skipped = run_cli(["override", str(post_id), "--reason", "urgent", "--as", "Julie"], env)
    assert skipped.returncode != 0
    assert "Traceback" not in skipped.stderr
    assert "à revoir" in skipped.stdout + skipped.stderr
    assert state_of(post_id) == State.PENDING_CHECK
    approved = run_cli(["approve", str(post_id), "--as", "Julie"], env)
    assert approved.returncode != 0 and state_of(post_id) == State.PENDING_CHECK


def test_no_transition_reaches_sign_off_without_a_verdict_on_the_current_content(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=OFFER)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        with pytest.raises(TransitionRefused) as refused:
            transition(session, post, State.AWAITING_SIGNOFF, actor="x", channel="cli")
        assert "verdict" in refused.value.message(lang="fr")
    assert state_of(post_id) == State.PENDING_CHECK


def test_a_verdict_on_an_earlier_content_does_not_count(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=OFFER)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        session.add(ComplianceResult(post_id=post_id, content_hash="autre", policy_version="1", verdict="approved"))
        session.flush()
        with pytest.raises(TransitionRefused):
            transition(session, post, State.AWAITING_SIGNOFF, actor="x", channel="cli")


def test_a_preview_says_not_checked_when_no_verdict_covers_the_content(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=OFFER)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        assert preview_of(session, post).checked is False
    gate(post_id)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        assert preview_of(session, post).checked is True
    shown = run_cli(["draft", "show", str(post_id)], env)
    assert "Pas encore vérifiée" not in shown.stdout


def test_an_approver_who_rewrote_a_colleague_draft_cannot_sign_it_off(env: dict[str, str]) -> None:
    org, author, approver = make_org()
    with session_scope() as session:
        from balise.models import Organization

        o = session.get(Organization, org)
        assert o
        add_member(session, o, name="Chantal", email="chantal@exemple.org", role="approver", actor="test")
    post_id = make_post(org, author, text=OFFER, in_minutes=60)
    gate(post_id)
    rewrite = run_cli(["draft", "edit", str(post_id), "--text", OFFER + " Bienvenue!", "--as", "Julie"], env)
    assert rewrite.returncode == 0, rewrite.stderr
    gate(post_id)
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    alone = run_cli(["approve", str(post_id), "--as", "Julie"], env)
    assert alone.returncode != 0
    assert "quatre yeux" in alone.stdout + alone.stderr and "Traceback" not in alone.stderr
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        asked = [m.name for m in waiting_on(session, post)]
        assert asked == ["Chantal"]
    shown = run_cli(["draft", "show", str(post_id), "--json"], env)
    assert '"Julie"' in shown.stdout
    inbox = run_cli(["inbox", "--as", "Julie"], env)
    assert f"n° {post_id}" not in inbox.stdout
    other = run_cli(["approve", str(post_id), "--as", "Chantal"], env)
    assert other.returncode == 0, other.stdout + other.stderr
    assert state_of(post_id) == State.SCHEDULED


def test_a_new_time_or_platform_does_not_make_the_editor_an_author(env: dict[str, str]) -> None:
    org, author, approver = make_org()
    post_id = make_post(org, author, text=OFFER, in_minutes=120)
    moved = run_cli(["draft", "edit", str(post_id), "-p", "sandbox", "-p", "facebook", "--as", "Julie"], env)
    assert moved.returncode == 0, moved.stderr
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        from balise.posts import authors_of

        assert authors_of(session, post) == {author}
        assert session.exec(select(Member).where(Member.id == approver)).one().name == "Julie"
