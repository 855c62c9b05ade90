"""The whole pipeline with real RQ workers and a real Redis: gate, sign-off, publish, once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select, update

from balise.config import get_settings
from balise.db import session_scope
from balise.errors import PermissionDenied
from balise.models import ComplianceResult, Member, Organization, Post, Target, utcnow
from balise.pipeline.check import check_post
from balise.pipeline.draft import edit_post
from balise.pipeline.due import publish_due
from balise.pipeline.publish import publish_target
from balise.pipeline.signoff import LateChoice, LateSignoff, approve
from balise.posts import get_post, targets_of
from balise.queue.queues import COMPLIANCE, PUBLISH, enqueue_check, enqueue_publish
from balise.queue.worker import run_worker
from balise.states import State
from tests.helpers import make_org, make_post, state_of

JOB_OFFER = (
    "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention. Postulez avant le 15 janvier."
)


def outbox() -> list[dict[str, object]]:
    folder = get_settings().data_path / "outbox"
    return [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.exists() else []


def _gate(post_id: int) -> None:
    enqueue_check(post_id, 1)
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)


def _sign(post_id: int, approver_id: int, late: LateChoice | None = None) -> list[int]:
    with session_scope() as session:
        post = session.get(Post, post_id)
        approver = session.get(Member, approver_id)
        assert post and approver
        org = session.get(Organization, post.org_id)
        assert org
        approve(session, org, post, approver, channel="cli", late=late)
        return [t.id for t in targets_of(session, post) if t.id]


def _scheduled(text: str = JOB_OFFER, platforms: tuple[str, ...] = ("sandbox",)) -> tuple[int, list[int]]:
    org, author, approver = make_org()
    post_id = make_post(org, author, text=text, platforms=platforms)
    _gate(post_id)
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    return post_id, _sign(post_id, approver)


def test_the_whole_pipeline_publishes_once_on_the_sandbox(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    for target_id in targets:
        enqueue_publish(target_id, 0)
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert state_of(post_id) == State.PUBLISHED
    posts = outbox()
    assert len(posts) == 1 and posts[0]["text"] == JOB_OFFER
    with session_scope() as session:
        target = session.get(Target, targets[0])
        assert target and target.remote_id == posts[0]["id"] and target.url


def test_a_draft_too_long_for_x_is_rejected_by_the_gate(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(
        org, author, text=("Formation pour les parents sur la prévention. " * 8).strip(), platforms=("x",)
    )
    _gate(post_id)
    assert state_of(post_id) == State.REJECTED
    with session_scope() as session:
        result = session.exec(select(ComplianceResult).where(ComplianceResult.post_id == post_id)).one()
    assert [r["code"] for r in result.reasons] == ["TOO_LONG"]


def test_a_compliance_job_run_twice_stores_one_verdict(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    post_id = make_post(org, author, text=JOB_OFFER)
    assert check_post(post_id, 1)[0] == "approved"
    assert check_post(post_id, 1)[0] == "skipped"
    with session_scope() as session:
        count = session.exec(select(func.count()).select_from(ComplianceResult)).one()
    assert count == 1


def test_a_publish_job_run_twice_publishes_once(env: dict[str, str]) -> None:
    _, targets = _scheduled()
    assert publish_target(targets[0], "w1")[0] == "published"
    assert publish_target(targets[0], "w2")[0] == "skipped:published"
    assert len(outbox()) == 1


def _crash_mid_publish(target_id: int, *, sent: bool) -> None:
    """Leave the target as a SIGKILLed worker would: `publishing`, lease run out; maybe sent."""
    if sent:
        assert publish_target(target_id, "doomed")[0] == "published"
    with session_scope() as session:
        session.execute(
            update(Target)
            .where(Target.id == target_id)  # type: ignore[arg-type]
            .values(state="publishing", remote_id=None, url=None, lease_until=utcnow() - timedelta(seconds=1))
        )
        post = session.exec(select(Post).join(Target, Target.post_id == Post.id).where(Target.id == target_id)).one()  # type: ignore[arg-type]
        post.state = State.PUBLISHING.value
        session.add(post)


@pytest.mark.parametrize("sent", [True, False], ids=["sent-before-the-crash", "not-sent"])
def test_a_worker_killed_mid_publish_is_reconciled_never_resent(env: dict[str, str], sent: bool) -> None:
    post_id, targets = _scheduled()
    _crash_mid_publish(targets[0], sent=sent)
    report = publish_due()
    assert report.reconcile == 1
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert len(outbox()) == 1
    assert state_of(post_id) == State.PUBLISHED
    with session_scope() as session:
        target = session.get(Target, targets[0])
        assert target and target.remote_id == outbox()[0]["id"]


def test_a_cancelled_post_is_not_published_by_its_queued_job(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    enqueue_publish(targets[0], 0)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        post.state = State.SCHEDULED.value
        from balise.states import transition

        transition(session, post, State.CANCELLED, actor="Marie", channel="cli")
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert outbox() == []
    assert state_of(post_id) == State.CANCELLED


def test_an_edit_after_sign_off_is_not_published_by_the_old_job(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    enqueue_publish(targets[0], 0)
    with session_scope() as session:
        post = session.get(Post, post_id)
        editor = session.exec(select(Member).where(Member.name == "Marie")).one()
        assert post
        edit_post(session, post, editor, text="Texte corrigé : offre d'emploi d'animatrice.")
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert outbox() == []
    assert state_of(post_id) == State.PENDING_CHECK


def test_a_rescheduled_post_is_not_published_at_the_old_time(env: dict[str, str]) -> None:
    post_id, targets = _scheduled()
    enqueue_publish(targets[0], 0)
    with session_scope() as session:
        post = session.get(Post, post_id)
        editor = session.exec(select(Member).where(Member.name == "Marie")).one()
        assert post
        edit_post(session, post, editor, scheduled_at=utcnow() + timedelta(days=2))
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert outbox() == []


def test_an_author_cannot_approve_their_own_draft(env: dict[str, str]) -> None:
    org, author, _ = make_org()
    with session_scope() as session:
        o = session.get(Organization, org)
        assert o
        from balise.organizations import add_member

        boss = add_member(session, o, name="Chantal", email="chantal@exemple.org", role="admin", actor="test")
        boss_id = boss.id
    post_id = make_post(org, boss_id or 0, text=JOB_OFFER)
    _gate(post_id)
    with pytest.raises(PermissionDenied):
        _sign(post_id, boss_id or 0)
    assert state_of(post_id) == State.AWAITING_SIGNOFF


def test_a_late_sign_off_asks_instead_of_publishing_late(env: dict[str, str]) -> None:
    org, author, approver = make_org()
    post_id = make_post(org, author, text=JOB_OFFER)
    _gate(post_id)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        post.scheduled_at = utcnow() - timedelta(hours=3)
        session.add(post)
    with pytest.raises(LateSignoff):
        _sign(post_id, approver)
    assert state_of(post_id) == State.AWAITING_SIGNOFF
    _sign(post_id, approver, LateChoice(now=True))
    with session_scope() as session:
        post = get_post(session, session.get(Organization, org), post_id)  # type: ignore[arg-type]
        assert post.state == State.SCHEDULED and post.scheduled_at > utcnow() - timedelta(minutes=1)


def test_losing_redis_loses_no_post(env: dict[str, str]) -> None:
    import redis

    post_id, targets = _scheduled()
    enqueue_publish(targets[0], 0)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    assert publish_due().publish == 1
    run_worker([PUBLISH], burst=True, with_scheduler=False)
    assert state_of(post_id) == State.PUBLISHED and len(outbox()) == 1


def test_media_are_stored_by_content_hash(env: dict[str, str], tmp_path: Path) -> None:
    from PIL import Image

    from balise.media.images import store_photo

    source = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), "red").save(source)
    first = store_photo(source, tmp_path / "media")
    second = store_photo(source, tmp_path / "media")
    source.write_bytes(b"plus une image")
    assert first == second and first.path.read_bytes()[:2] == b"\xff\xd8"


def test_a_worker_prepares_each_organization_policy_before_forking(env: dict[str, str]) -> None:
    from balise.compliance import load_policy
    from balise.compliance.policy import _load
    from balise.queue.worker import _warm

    org_id, _, _ = make_org()  # its own policy (no quiet hours): compiled once, not in every work horse
    with session_scope() as session:
        override = session.get(Organization, org_id).policy_override  # type: ignore[union-attr]
    assert override
    _load.cache_clear()
    _warm()
    misses = _load.cache_info().misses
    load_policy(override)
    assert _load.cache_info().misses == misses
