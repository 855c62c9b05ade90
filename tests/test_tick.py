"""`balise tick`, the one command cron runs: consent expiries, due posts, sign-off reminders and
the outbox (its notices put on the mail queue, which a real mail worker sends), each part in its
own transactions, against real Redis, a real database and a real SMTP server; a part that fails
(Redis, SMTP) leaves the others running and the exit code non-zero."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, select, update

from balise.config import reset_settings
from balise.db import session_scope
from balise.heartbeat import last
from balise.models import Consent, OutboxMail, Post, utcnow
from balise.notify import REMINDER
from balise.queue.queues import COMPLIANCE, MAIL, PUBLISH, queue
from balise.states import State
from tests.conftest import run_cli
from tests.consent.builders import consent, person, photo_post
from tests.consent.builders import gate as check_now
from tests.helpers import gate, make_post, run_in_process, state_of
from tests.smtp import Mailbox, free_port
from tests.test_pipeline import _sign
from tests.web.conftest import JOB_OFFER, awaiting_draft, make_team

JULIE, CHANTAL = "julie@exemple.org", "chantal@exemple.org"


@dataclass(frozen=True)
class Installation:
    waiting: int  # awaiting sign-off for 25 hours: Julie and Chantal are due a reminder
    due_target: int  # the target of a post scheduled for now
    expired: int  # scheduled for now, but its photo's consent has just expired


def _installation(env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Installation:
    values = {
        "BALISE_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "BALISE_MAIL_FROM": "balise@espace-test.org",
        "BALISE_PUBLIC_URL": "http://127.0.0.1:8000",
        "BALISE_SECRET_KEY": "clé-de-test-qui-signe-les-liens",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    env.update(values)
    reset_settings()
    team = make_team()
    waiting = awaiting_draft(team)
    with session_scope() as session:
        session.execute(update(Post).where(col(Post.id) == waiting).values(updated_at=utcnow() - timedelta(hours=25)))

    due = make_post(team.org_id, team.author_id, text=JOB_OFFER)
    gate(due)
    [due_target] = _sign(due, team.approver_id)

    person(team.org_id, "Alice Roy")
    consent(team.org_id, "Alice Roy", ("sandbox",), days=365)
    expired = photo_post(team.org_id, team.author_id, ("Alice Roy",))
    assert check_now(expired)[0] == "approved"
    _sign(expired, team.approver_id)
    with session_scope() as session:
        session.execute(update(Consent).values(valid_until=utcnow()))
    assert state_of(due) == state_of(expired) == State.SCHEDULED
    assert queue(PUBLISH).count == 0  # only the tick puts them on the queue
    return Installation(waiting, due_target, expired)


def _reminders(mailbox: Mailbox) -> list[str]:
    return sorted(m.to[0] for m in mailbox.mails if "Rappel" in m.message["Subject"])


def _waiting_reminders() -> int:
    with session_scope() as session:
        return len(
            session.exec(select(OutboxMail).where(OutboxMail.kind == REMINDER, OutboxMail.state == "pending")).all()
        )


def _mail_worker(env: dict[str, str]) -> None:
    """The compose file's mail worker, once through its queue."""
    assert run_cli(["worker", "--queue", MAIL, "--burst"], env).returncode == 0


def _publish_jobs() -> list[tuple[object, ...]]:
    return [job.args for job in queue(PUBLISH).get_jobs()]


def _cron_beats() -> int:
    with session_scope() as session:
        return len(last(session, "cron"))


def test_tick_sweeps_expired_consents_enqueues_due_posts_and_reminds_once(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _installation(env, mailbox, monkeypatch)

    first = run_cli(["tick"], env)

    assert first.returncode == 0, first.stderr
    assert "1 publication(s) renvoyée(s) à la vérification" in first.stdout
    assert "En file : 1 publication(s)" in first.stdout and "2 rappel(s) écrit(s)" in first.stdout
    assert _publish_jobs() == [(made.due_target,)]  # the expired one went back to the gate instead
    assert state_of(made.expired) == State.PENDING_CHECK
    assert [job.args[0] for job in queue(COMPLIANCE).get_jobs()] == [made.expired]
    assert "courriel(s) mis en file" in first.stdout and _reminders(mailbox) == []  # the mail worker sends them
    _mail_worker(env)
    assert _reminders(mailbox) == [CHANTAL, JULIE]
    assert _cron_beats() == 1  # `balise status` says when cron last ran

    second = run_cli(["tick"], env)  # a minute later, as cron does

    assert second.returncode == 0, second.stderr
    assert "0 rappel(s) écrit(s)" in second.stdout
    _mail_worker(env)
    assert _reminders(mailbox) == [CHANTAL, JULIE]  # no second reminder
    assert _publish_jobs() == [(made.due_target,)]


def test_with_redis_down_tick_still_sweeps_and_reminds_and_says_what_failed(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _installation(env, mailbox, monkeypatch)
    no_redis = {**env, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}

    result = run_cli(["tick"], no_redis)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Publications dues : échec. Impossible de joindre Redis" in result.stderr
    assert "Les tâches en échec reprendront au prochain « balise tick »" in result.stderr
    assert "Courriels : échec. Impossible de joindre Redis" in result.stderr  # the mail queue is in Redis too
    assert state_of(made.expired) == State.PENDING_CHECK  # the sweep's decision stands
    assert _waiting_reminders() == 2  # the parts after the failed one ran: the reminders wait in the outbox
    assert _cron_beats() == 0  # nothing was queued: `balise status` will say cron is stalled

    again = run_cli(["tick"], env)  # Redis is back

    assert again.returncode == 0, again.stderr
    assert _publish_jobs() == [(made.due_target,)]
    assert [job.args[0] for job in queue(COMPLIANCE).get_jobs()] == [made.expired]
    _mail_worker(env)
    assert _reminders(mailbox) == [CHANTAL, JULIE]


def test_with_smtp_down_tick_still_enqueues_and_the_reminders_wait_in_the_outbox(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _installation(env, mailbox, monkeypatch)
    no_smtp = {**env, "BALISE_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"}

    queued = run_cli(["tick"], no_smtp)  # the reminders are written and queued; no mail was tried yet
    assert queued.returncode == 0, queued.stderr
    _mail_worker(no_smtp)  # its tries fail: the reminders wait in the outbox, with the error

    result = run_cli(["tick", "--json"], no_smtp)  # a minute later

    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["reminders"] == 0 and report["due"] is not None  # the others ran
    assert list(report["failures"]) == ["mail"]
    assert "Courriel non envoyé" in report["failures"]["mail"] and "BALISE_SMTP_URL" in report["failures"]["mail"]
    assert _publish_jobs() == [(made.due_target,)] and _cron_beats() == 1
    assert _waiting_reminders() == 2 and _reminders(mailbox) == []

    with session_scope() as session:  # time passes: the next tries are due
        session.execute(update(OutboxMail).values(send_after=utcnow() - timedelta(seconds=1)))
    for _ in range(2):  # cron every minute, the mail worker in between
        run_cli(["tick"], env)
        _mail_worker(env)
    assert _reminders(mailbox) == [CHANTAL, JULIE]  # sent once, when the server answered
    assert run_cli(["tick"], env).returncode == 0  # nothing waits any more


def test_tick_explains_itself_with_the_cron_line() -> None:
    shown = run_in_process(["tick", "--help"])
    assert shown.code == 0
    for words in ("Exemples", "* * * * *  balise tick", "balise tick --json", "consent", "publish-due"):
        assert words in shown.stdout
