"""A withdrawn consent reaches every post showing the person: published ones come down from
every platform, the others go back to the gate; the publisher also looks just before sending."""

from __future__ import annotations

from sqlmodel import select, update

from balise.db import session_scope
from balise.models import AuditEvent, Consent, Notice, utcnow
from balise.pipeline.consent import sweep
from balise.pipeline.publish import publish_target
from balise.queue.queues import TAKEDOWN
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.consent.builders import consent, gate, person, photo_post
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX
from tests.helpers import make_org, state_of, targets_by_platform
from tests.test_pipeline import _sign, outbox


def _approved_post(platforms: tuple[str, ...]) -> tuple[int, list[int]]:
    """A post showing Alice Roy (consent for every platform), gated and signed off."""
    org, author, approver = make_org()
    person(org, "Alice Roy")
    consent(org, "Alice Roy", ("facebook", "x", "sandbox"), days=365)
    post_id = photo_post(org, author, ("Alice Roy",), platforms=platforms)
    assert gate(post_id)[0] == "approved"
    return post_id, _sign(post_id, approver)


def test_revoking_a_consent_deletes_the_published_post_on_every_platform_and_audits_it(
    accounts: dict[str, str], fake_facebook: FakeFacebook, fake_x: FakeX
) -> None:
    post_id, target_ids = _approved_post(("sandbox", "facebook", "x"))
    assert [publish_target(t, "w")[0] for t in target_ids] == ["published"] * 3
    assert len(outbox()) == 1 and len(fake_facebook.live_posts) == 1 and len(fake_x.live_posts) == 1

    result = run_cli(["consent", "revoke", "Alice Roy", "--reason", "Appel de sa mère", "--as", "Marie"], accounts)
    assert result.returncode == 0, result.stderr
    run_worker([TAKEDOWN], burst=True, with_scheduler=False)

    assert outbox() == [] and fake_facebook.live_posts == [] and fake_x.live_posts == []
    assert state_of(post_id) == State.WITHDRAWN
    assert {t.state for t in targets_by_platform(post_id).values()} == {"deleted"}
    with session_scope() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
        notices = session.exec(select(Notice.kind).where(Notice.post_id == post_id)).all()
    withdrawn = [e for e in events if e.post_id == post_id and e.to_state == "withdrawn"]
    assert [(e.actor, e.reason) for e in withdrawn] == [("Marie", "consentement retiré")]
    assert sorted(e.reason.split()[0] for e in events if e.action == "deleted_on_platform" and e.reason) == [
        "facebook", "sandbox", "x",
    ]  # fmt: skip
    assert any(e.action == "consent_revoked" and e.reason == "Alice Roy : Appel de sa mère" for e in events)
    assert "consent-withdrawn" in notices


def test_revoking_a_consent_sends_a_scheduled_post_back_to_the_gate_where_it_fails(env: dict[str, str]) -> None:
    post_id, target_ids = _approved_post(("sandbox",))
    assert state_of(post_id) == State.SCHEDULED

    result = run_cli(["consent", "revoke", "Alice Roy", "--as", "Marie"], env)
    assert result.returncode == 0, result.stderr

    assert state_of(post_id) == State.PENDING_CHECK
    assert publish_target(target_ids[0], "w")[0] == "skipped:pending_check"
    verdict, reasons = gate(post_id)
    assert verdict == "rejected" and reasons[0]["message"] == "Alice Roy a retiré son consentement pour sandbox."


def test_a_consent_withdrawn_after_sign_off_stops_the_post_just_before_the_platform_call(env: dict[str, str]) -> None:
    post_id, target_ids = _approved_post(("sandbox",))
    with session_scope() as session:  # withdrawn while the post waited, without the cascade (a race)
        session.execute(update(Consent).values(revoked_at=utcnow()))

    assert publish_target(target_ids[0], "w")[0] == "failed:permanent"

    target = targets_by_platform(post_id)["sandbox"]
    assert outbox() == [] and target.state == "failed" and target.error_kind == "permanent"
    assert target.last_error and "Alice Roy a retiré son consentement" in target.last_error
    with session_scope() as session:
        assert session.exec(select(Notice).where(Notice.kind == f"failed-{target.id}")).first() is not None
    assert state_of(post_id) == State.FAILED


def test_the_sweep_sends_posts_whose_consent_expired_back_to_the_gate(env: dict[str, str]) -> None:
    post_id, _ = _approved_post(("sandbox",))
    with session_scope() as session:
        session.execute(update(Consent).values(valid_until=utcnow()))
    with session_scope() as session:
        done = sweep(session, actor="cron")
    assert [p for p, _ in done.rechecks] == [post_id]
    verdict, reasons = gate(post_id)
    assert verdict == "rejected" and reasons[0]["message"] == "Alice Roy : le consentement pour sandbox est expiré."
    with session_scope() as session:  # once rejected, the next sweep leaves it alone
        assert sweep(session, actor="cron").rechecks == []
