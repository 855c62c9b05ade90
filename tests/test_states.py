"""The post state machine: legal moves only, compare-and-set, audited, edits void approvals."""

from __future__ import annotations

import ast
import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from balise.db import session_scope
from balise.errors import TransitionRefused
from balise.models import Approval, AuditEvent, Member, Organization, Post, Target, utcnow
from balise.pipeline.draft import edit_post
from balise.pipeline.signoff import LateChoice, approve
from balise.states import TRANSITIONS, State, record_edit, transition
from tests.conftest import ROOT, run_cli
from tests.helpers import force_state, gate_passed, make_org, make_post

ILLEGAL = [(a, b) for a, b in itertools.product(State, State) if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_it_refuses_every_illegal_transition(env: dict[str, str], from_state: State, to_state: State) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author)
    force_state(Post, post_id, from_state)
    with pytest.raises(TransitionRefused), session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        transition(session, post, to_state, actor="test", channel="test")
    with session_scope() as session:
        assert session.get(Post, post_id).state == from_state  # type: ignore[union-attr]


def test_a_transition_is_a_compare_and_set(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author)
    with session_scope() as session:
        stale = session.get(Post, post_id)
        assert stale
    with session_scope() as session:
        fresh = session.get(Post, post_id)
        assert fresh
        gate_passed(session, fresh)
        transition(session, fresh, State.AWAITING_SIGNOFF, actor="worker-1", channel="worker")
    # A second job holding the old copy of the post cannot move it again.
    with pytest.raises(TransitionRefused), session_scope() as session:
        transition(session, stale, State.REJECTED, actor="worker-2", channel="worker")
    with session_scope() as session:
        assert session.get(Post, post_id).state == State.AWAITING_SIGNOFF  # type: ignore[union-attr]


def test_every_transition_is_audited_with_actor_and_reason(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        transition(session, post, State.NEEDS_REVIEW, actor="barrière", channel="worker", reason="OFF_MISSION")
    with session_scope() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.post_id == post_id, AuditEvent.action == "transition")
        ).one()
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        "barrière",
        "pending_check",
        "needs_review",
        "OFF_MISSION",
    )


def test_an_edit_returns_to_the_gate_and_voids_approvals(env: dict[str, str]) -> None:
    org, author, approver = make_org()
    post_id = make_post(org, author)
    force_state(Post, post_id, State.AWAITING_SIGNOFF)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        session.add(Approval(post_id=post_id, member_id=approver, content_hash=post.content_hash, channel="cli"))
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        post.text = "Nouveau texte"
        record_edit(session, post, actor="Marie", channel="cli", what="texte")
    with session_scope() as session:
        post = session.get(Post, post_id)
        approval = session.exec(select(Approval).where(Approval.post_id == post_id)).one()
        assert post and post.state == State.PENDING_CHECK and post.version == 2 and post.text == "Nouveau texte"
        assert approval.voided_at is not None


def test_a_published_post_cannot_be_edited(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author)
    force_state(Post, post_id, State.PUBLISHED)
    with pytest.raises(TransitionRefused), session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        post.text = "changé"
        record_edit(session, post, actor="Marie", channel="cli", what="texte")


def _counted(org_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """What `balise status` shows, and what counting every post says."""
    from sqlmodel import func

    from balise.models import Organization
    from balise.status import build_status

    with session_scope() as session:
        org = session.get(Organization, org_id)
        assert org
        shown = {state: n for state, n in build_status(session, org).counts.items() if n}
        rows = session.exec(select(Post.state, func.count()).where(Post.org_id == org_id).group_by(Post.state))
        return shown, dict(rows.all())


def test_status_counts_stay_equal_to_the_posts_through_every_kind_of_change(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    paths = [
        [State.AWAITING_SIGNOFF, State.SCHEDULED, State.PUBLISHING, State.PUBLISHED, State.WITHDRAWN],
        [State.AWAITING_SIGNOFF, State.SCHEDULED, State.PUBLISHING, State.FAILED],
        [State.NEEDS_REVIEW, State.REJECTED, State.CANCELLED],
        [State.AWAITING_SIGNOFF, "edit", State.NEEDS_REVIEW, "edit"],
        [State.CANCELLED],
        [],
    ]
    for path in paths:
        post_id = make_post(org, author)
        for step in path:
            with session_scope() as session:
                post = session.get(Post, post_id)
                assert post
                if step == "edit":
                    post.text += " (modifié)"
                    record_edit(session, post, actor="Marie", channel="cli", what="texte")
                else:
                    if step is State.AWAITING_SIGNOFF:
                        gate_passed(session, post)
                    transition(session, post, State(step), actor="test", channel="test")
        shown, actual = _counted(org)
        assert shown == actual
    assert actual == {"withdrawn": 1, "failed": 1, "cancelled": 2, "pending_check": 2}
    # A refused move changes no count.
    with pytest.raises(TransitionRefused), session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        transition(session, post, State.PUBLISHED, actor="test", channel="test")
    assert _counted(org)[0] == actual


def _awaiting_signoff_since_yesterday(org_id: int, author_id: int) -> int:
    post_id = make_post(org_id, author_id, text="Atelier de prévention pour les parents, mardi à la bibliothèque.")
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        post.scheduled_at = utcnow() - timedelta(days=1)
        session.add(post)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        gate_passed(session, post)
        transition(session, post, State.AWAITING_SIGNOFF, actor="barrière", channel="worker")
    return post_id


def test_a_new_time_at_sign_off_is_audited_and_hashed_as_an_edit_of_the_time(env: dict[str, str]) -> None:
    org_id, author_id, approver_id = make_org()
    late, edited = (_awaiting_signoff_since_yesterday(org_id, author_id) for _ in range(2))
    at = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    with session_scope() as session:
        post, approver = session.get(Post, late), session.get(Member, approver_id)
        org = session.get(Organization, org_id)
        assert post and org and approver
        before = post.content_hash
        assert approve(session, org, post, approver, channel="cli", late=LateChoice(at=at)).publishes
    with session_scope() as session:
        post, author = session.get(Post, edited), session.get(Member, author_id)
        assert post and author
        edit_post(session, post, author, scheduled_at=at)
    with session_scope() as session:
        rescheduled, reference = session.get(Post, late), session.get(Post, edited)
        assert rescheduled and reference
        assert rescheduled.content_hash == reference.content_hash != before
        assert {t.due_at for t in session.exec(select(Target).where(Target.post_id == late))} == {at}
        events = select(AuditEvent).where(AuditEvent.post_id == late, AuditEvent.action == "rescheduled")
        event = session.exec(events).one()
    assert (event.actor, event.reason) == ("Julie", at.astimezone(ZoneInfo("America/Toronto")).isoformat())
    verified = run_cli(["audit", "verify"], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _names_a_state(node: ast.expr) -> bool:
    """`State.X`, `TargetState.X`, or either's `.value`."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id.endswith("State")


def test_groups_of_states_are_named_in_states_only() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "balise").rglob("*.py"))
        if path.name != "states.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and sum(map(_names_a_state, node.elts)) >= 2
    ]
    assert found == [], "a group of states belongs in balise/states.py"
