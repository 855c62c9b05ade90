"""The platform-target state machine: legal moves only, compare-and-set, every move audited,
and no other module writing a target's state."""

from __future__ import annotations

import ast
import re
import threading
from datetime import timedelta

import pytest
from sqlmodel import col, select

from balise import states
from balise.config import reset_settings
from balise.db import read_scope, session_scope
from balise.errors import TransitionRefused
from balise.models import AuditEvent, Post, Target, utcnow
from balise.posts import targets_of
from balise.states import State, TargetState, transition
from tests.conftest import ROOT, run_cli
from tests.helpers import force_state, gate_passed, make_org, make_post

T = TargetState


def _scheduled(platforms: tuple[str, ...] = ("sandbox",)) -> tuple[int, dict[str, int]]:
    """A signed-off post due now; its target ids by platform."""
    org, author, _ = make_org()
    post_id = make_post(org, author, platforms=platforms)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        gate_passed(session, post)
        transition(session, post, State.AWAITING_SIGNOFF, actor="barrière", channel="worker")
        transition(session, post, State.SCHEDULED, actor="Julie", channel="cli")
        return post_id, {t.platform: t.id for t in targets_of(session, post) if t.id}


def _events(post_id: int) -> list[AuditEvent]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(col(AuditEvent.id))))


@pytest.mark.parametrize("final", [T.PUBLISHED, T.FAILED, T.DELETED])
def test_a_final_target_cannot_be_claimed_again(env: dict[str, str], final: TargetState) -> None:
    post_id, targets = _scheduled()
    force_state(Target, targets["sandbox"], final)
    before = len(_events(post_id))
    now = utcnow()
    with pytest.raises(TransitionRefused) as refused, session_scope() as session:
        post, target = session.get(Post, post_id), session.get(Target, targets["sandbox"])
        assert post and target
        states.claim(session, post, target, worker="w1", now=now, until=now + timedelta(minutes=5))
    assert "publishing" in refused.value.message(lang="fr")
    with session_scope() as session:
        target = session.get(Target, targets["sandbox"])
        assert target and (target.state, target.attempts, target.claimed_by) == (final, 0, None)
    assert len(_events(post_id)) == before


def test_of_two_workers_claiming_at_once_exactly_one_wins(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    copies = []
    for _ in range(2):  # what each worker read before either claimed
        with read_scope() as session:
            copies.append((session.get(Post, post_id), session.get(Target, targets["sandbox"])))
    start = threading.Barrier(2)
    won: dict[str, bool] = {}

    def worker(name: str, post: Post, target: Target) -> None:
        start.wait()
        now = utcnow()
        with session_scope() as session:
            won[name] = states.claim(session, post, target, worker=name, now=now, until=now + timedelta(minutes=5))

    threads = [threading.Thread(target=worker, args=(f"w{n}", *copy)) for n, copy in enumerate(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(won.values()) == [False, True]
    winner = next(name for name, ok in won.items() if ok)
    with session_scope() as session:
        target, post = session.get(Target, targets["sandbox"]), session.get(Post, post_id)
        assert target and post
        assert (target.state, target.attempts, target.claimed_by, post.state) == ("publishing", 1, winner, "publishing")
    claims = [e for e in _events(post_id) if e.action == "claimed"]
    assert [(e.actor, e.from_state, e.to_state) for e in claims] == [(winner, "pending", "publishing")]


def _move(post_id: int, target_id: int, step: str) -> None:
    """One move of the target, each through its compare-and-set function in states.py."""
    now = utcnow()
    with session_scope() as session:
        post, target = session.get(Post, post_id), session.get(Target, target_id)
        assert post and target
        won = {
            "claim": lambda: states.claim(session, post, target, worker="w1", now=now, until=now + timedelta(hours=1)),
            "uncertain": lambda: states.uncertain(session, post, target, until=now, error="délai dépassé", actor="w1"),
            "ask_person": lambda: states.ask_person(session, post, target, error="introuvable", actor="w1"),
            "resolve": lambda: states.resolve(session, post, target, remote_url=None, actor="Julie", channel="cli"),
            "retry": lambda: states.retry(session, post, target, due_at=now, error="limite atteinte", actor="w1"),
            "published": lambda: states.published(session, post, target, remote_id="r1", url=None, actor="w1"),
            "fail": lambda: states.fail(session, post, target, kind="permanent", error="refusée", actor="w1"),
            "delete_refused": lambda: states.delete_refused(session, post, target, error="jeton expiré", actor="w1"),
            "deleted": lambda: states.deleted(session, post, target, actor="w1"),
        }[step]()
        assert won, step


def test_every_target_move_leaves_an_audit_event_and_the_chain_verifies(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALISE_SECRET_KEY", "clé-de-test-du-journal-0123456789")
    reset_settings()
    post_id, targets = _scheduled(("facebook", "sandbox"))
    paths = [
        ("facebook", "claim", "claimed", T.PENDING, T.PUBLISHING),
        ("facebook", "fail", "failed_on_platform", T.PUBLISHING, T.FAILED),
        ("sandbox", "claim", "claimed", T.PENDING, T.PUBLISHING),
        ("sandbox", "uncertain", "uncertain", T.PUBLISHING, T.PUBLISHING),
        ("sandbox", "claim", "claimed", T.PUBLISHING, T.PUBLISHING),  # its lease ran out: taken over
        ("sandbox", "ask_person", "needs_person", T.PUBLISHING, T.PUBLISHING),
        ("sandbox", "resolve", "resolved", T.PUBLISHING, T.PENDING),
        ("sandbox", "claim", "claimed", T.PENDING, T.PUBLISHING),
        ("sandbox", "retry", "retry_later", T.PUBLISHING, T.PENDING),
        ("sandbox", "claim", "claimed", T.PENDING, T.PUBLISHING),
        ("sandbox", "published", "published_on_platform", T.PUBLISHING, T.PUBLISHED),
        ("sandbox", "withdraw", "transition", None, None),
        ("sandbox", "delete_refused", "delete_refused", T.PUBLISHED, T.PUBLISHED),
        ("sandbox", "deleted", "deleted_on_platform", T.PUBLISHED, T.DELETED),
    ]
    for platform, step, action, from_state, to_state in paths:
        seen = len(_events(post_id))
        if step == "withdraw":
            with session_scope() as session:
                post = session.get(Post, post_id)
                assert post and post.state == State.PUBLISHED  # one network went out, the other failed
                transition(session, post, State.WITHDRAWN, actor="Julie", channel="cli", reason="erreur")
            continue
        _move(post_id, targets[platform], step)
        mine = [e for e in _events(post_id)[seen:] if e.action != "transition"]
        assert [(e.action, e.from_state, e.to_state) for e in mine] == [(action, from_state, to_state)], step
        assert mine[0].reason and mine[0].reason.split()[0] == platform
    verified = run_cli(["audit", "verify"], {**env, "BALISE_SECRET_KEY": "clé-de-test-du-journal-0123456789"})
    assert verified.returncode == 0, verified.stdout + verified.stderr


FIELDS_OF_THE_MACHINES = {"state", "lease_until", "claimed_by", "needs_reconcile", "remote_id"}
RAW_UPDATE = re.compile(r"\bupdate\s+\"?(target|post)\b", re.IGNORECASE)


def _holds_a_post_or_target(node: ast.expr) -> bool:
    """`post.x`, `target.x`, `self.target.x`...: by the name, since rows of other tables
    (the mail outbox) have a state of their own."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return bool(re.search("post|target", name, re.IGNORECASE))


def _writes_outside_states(tree: ast.AST) -> list[int]:
    """Lines that write a post's or a target's state (or a target's claim) some other way."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0] if node.args else None
            if name == "update" and isinstance(first, ast.Name) and first.id in {"Target", "Post"}:
                lines.append(node.lineno)
            field = getattr(node.args[1], "value", None) if name == "setattr" and len(node.args) > 1 else None
            if field in FIELDS_OF_THE_MACHINES:
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            assigned = node.targets if isinstance(node, ast.Assign) else [node.target]
            for each in assigned:
                for part in each.elts if isinstance(each, ast.Tuple) else [each]:
                    if (
                        isinstance(part, ast.Attribute)
                        and part.attr in FIELDS_OF_THE_MACHINES
                        and _holds_a_post_or_target(part.value)
                    ):
                        lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_UPDATE.search(node.value):
            lines.append(node.lineno)
    return lines


def test_posts_and_targets_change_state_in_states_only() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "balise").rglob("*.py"))
        if path.name != "states.py" and "migrations" not in path.parts
        for line in _writes_outside_states(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "a post or a target changes state through balise/states.py only"


def test_a_person_who_found_the_post_on_the_platform_settles_it_once(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    _move(post_id, targets["sandbox"], "claim")
    _move(post_id, targets["sandbox"], "ask_person")
    url = "https://sandbox.exemple/publications/r42"
    args = ["draft", "resolve", str(post_id), "-p", "sandbox", "--published", url, "--as", "Julie"]
    resolved = run_cli(args, env)
    assert resolved.returncode == 0, resolved.stderr
    with session_scope() as session:
        target, post = session.get(Target, targets["sandbox"]), session.get(Post, post_id)
        assert target and post
        assert (target.state, target.remote_id, target.url, post.state) == ("published", "r42", url, "published")
    events = _events(post_id)
    last = [(e.action, e.actor, e.channel, e.to_state) for e in events[-2:]]
    assert last == [("transition", "Julie", "cli", "published"), ("resolved", "Julie", "cli", "published")]
    again = run_cli(args, env)
    assert again.returncode != 0 and "Traceback" not in again.stderr
    assert len(_events(post_id)) == len(events)
