"""Notices after commit: the deciding transaction inserts notice rows, a worker of the `mail` queue
puts them in words and sends them, retried on its own and at most once. A mail server that hangs
holds no database writer; a bad mail setting never loses a decision."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from rq.registry import ScheduledJobRegistry
from sqlmodel import select, update

from balise.config import reset_settings
from balise.db import session_scope
from balise.mail.outbox import queue_waiting
from balise.mail.send import send_notice
from balise.models import Member, Organization, OutboxMail, Post, utcnow
from balise.notify import News, tell_author
from balise.organizations import add_member
from balise.pipeline.signoff import approve
from balise.queue.queues import MAIL, queue
from tests.conftest import ROOT, run_cli
from tests.helpers import gate, log_in_as, make_post
from tests.web.conftest import SECRET, Mailbox, Team, awaiting_draft, deliver, free_port, make_team, state

PASSWORD = "s3cr3t-du-courriel"
MARIE, JULIE, CHANTAL = "marie@exemple.org", "julie@exemple.org", "chantal@exemple.org"


def _outbox() -> list[tuple[str, str, str, int]]:
    """(whom, kind, state, attempts) of every notice row, oldest first."""
    with session_scope() as session:
        rows = session.exec(select(Member.email, OutboxMail).where(Member.id == OutboxMail.member_id))
        return [(email, n.kind, n.state, n.attempts) for email, n in sorted(rows, key=lambda r: r[1].id or 0)]


def _later(**values: object) -> None:
    """Time passes: every notice's claim and next try are now behind us."""
    past = utcnow() - timedelta(seconds=1)
    with session_scope() as session:
        session.execute(update(OutboxMail).values(claimed_until=past, send_after=past, **values))  # type: ignore[arg-type]


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], smtp_url: str) -> None:
    monkeypatch.setenv("BALISE_SMTP_URL", smtp_url)
    env["BALISE_SMTP_URL"] = smtp_url
    reset_settings()


def _tell_marie(team: Team, news: str) -> int:
    """A post and one notice for its author, committed; the notice's id."""
    post_id = make_post(team.org_id, team.author_id)
    with session_scope() as session:
        tell_author(session, session.get_one(Post, post_id), "essai", News("notify.author_withdrawn", {
            "post_id": post_id, "actor": "Julie", "reason": news}))  # fmt: skip
        notice = session.exec(select(OutboxMail).where(OutboxMail.post_id == post_id)).one()
        assert notice.id
        return notice.id


@pytest.mark.parametrize("smtp_url", [f"smtpx://balise:{PASSWORD}@127.0.0.1:25", "closed-port"])
def test_an_approval_commits_when_mail_fails_and_its_notice_goes_once_mail_works(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, smtp_url: str
) -> None:
    if smtp_url == "closed-port":  # a server that does not answer, with a password in the URL
        smtp_url = f"smtp://balise:{PASSWORD}@127.0.0.1:{free_port()}"
    monkeypatch.setenv("BALISE_SECRET_KEY", SECRET)
    env["BALISE_SECRET_KEY"] = SECRET
    _use(monkeypatch, env, smtp_url)
    team = make_team()
    post_id = awaiting_draft(team)  # the mail worker's tries fail: the sign-off requests wait
    assert {(who, s, n) for who, _, s, n in _outbox()} == {(JULIE, "pending", 1), (CHANTAL, "pending", 1)}

    log_in_as(team.approver_id)  # with mail configured, only the logged-in member signs off on the command line
    approved = run_cli(["approve", str(post_id), "--as", "Julie"], env)
    assert approved.returncode == 0, approved.stderr
    assert state(post_id) == "scheduled"
    shown = approved.stdout + approved.stderr
    assert "BALISE_SMTP_URL" in shown and "La décision est enregistrée" in shown and "balise:••••@127.0.0.1" in shown
    assert PASSWORD not in shown and "Traceback" not in shown
    assert (MARIE, "author", "pending", 0) in _outbox()  # written by the approval, not yet tried
    worker = run_cli(["worker", "--queue", MAIL, "--burst"], env)  # the job the approval queued
    assert worker.returncode == 0 and PASSWORD not in worker.stdout + worker.stderr
    assert (MARIE, "author", "pending", 1) in _outbox()
    with session_scope() as session:
        assert all(PASSWORD not in (n.last_error or "") for n in session.exec(select(OutboxMail)))

    _use(monkeypatch, env, f"smtp://127.0.0.1:{mailbox.port}")
    _later()
    for _ in range(2):  # cron every minute, and a worker (no --queue: every queue, mail too)
        assert run_cli(["publish-due"], env).returncode == 0
        assert run_cli(["worker", "--burst"], env).returncode == 0
    assert [m.message["Subject"] for m in mailbox.mails] == [f"[balise] Nouvelles de votre publication n° {post_id}"]
    assert mailbox.mails[0].to == [MARIE]  # the sign-off requests are no longer needed: dropped, not sent
    assert sorted(s for _, _, s, _ in _outbox()) == ["dropped", "dropped", "sent"]


def test_the_deciding_transaction_writes_a_notice_row_and_no_mail(env: dict[str, str], mailbox: Mailbox,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Who, which post, which news and its parameters: the words are put together by the mail job."""
    _use(monkeypatch, env, f"smtp://127.0.0.1:{mailbox.port}")
    team = make_team()
    notice_id = _tell_marie(team, "Le nom d'une participante apparaît.")
    with session_scope() as session:
        notice = session.get_one(OutboxMail, notice_id)
        assert (notice.member_id, notice.kind, notice.state) == (team.author_id, "author", "pending")
        assert notice.news["key"] == "notify.author_withdrawn" and notice.news["params"]["actor"] == "Julie"
    assert not mailbox.mails
    deliver()
    [mail] = mailbox.mails
    assert mail.to == [MARIE] and "retirée par Julie : Le nom d'une participante apparaît." in mail.text


def test_a_sign_off_request_is_not_sent_to_whoever_signed_before_it_went(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mail is made from the database as it is when it goes, not as it was when it was decided."""
    _use(monkeypatch, env, f"smtp://127.0.0.1:{mailbox.port}")
    team = make_team(required_signoffs=2)
    post_id = make_post(team.org_id, team.author_id, in_minutes=60)
    gate(post_id)  # requests for Julie and Chantal, not mailed yet
    with session_scope() as session:
        org, julie = session.get_one(Organization, team.org_id), session.get_one(Member, team.approver_id)
        assert not approve(session, org, session.get_one(Post, post_id), julie, channel="cli").publishes  # one of two
    deliver()
    assert [m.to for m in mailbox.mails] == [[CHANTAL]]
    assert sorted((who, s) for who, _, s, _ in _outbox()) == [(CHANTAL, "sent"), (JULIE, "dropped")]


def test_two_senders_at_once_send_each_notice_once(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers given the same notices at once: the claim decides."""
    _use(monkeypatch, env, f"smtp://127.0.0.1:{mailbox.port}")
    team = make_team()
    notice_ids = [_tell_marie(team, f"Nouvelle {n}") for n in range(8)]
    senders = [
        threading.Thread(target=lambda order=order: [send_notice(i) for i in order])
        for order in (notice_ids, notice_ids[::-1], notice_ids, notice_ids[::-1])
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(m.text.split(" : ")[-1].strip() for m in mailbox.mails) == sorted(f"Nouvelle {n}." for n in range(8))
    assert {s for _, _, s, _ in _outbox()} == {"sent"}


class PickyMailbox(Mailbox):
    """A server that refuses one address, as a server does for a mailbox that no longer exists."""

    async def handle_RCPT(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address == GONE:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


GONE = "partie@exemple.org"
M = TypeVar("M", bound=Mailbox)


@contextmanager
def _serving(box: M, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[M]:
    """`box` listening, and balise sending to it."""
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    _use(monkeypatch, env, f"smtp://127.0.0.1:{box.port}")
    try:
        yield box
    finally:
        if isinstance(box, HangingMailbox):
            box.release.set()  # a handler still waiting would keep the server from stopping
        controller.stop()


def test_a_refused_address_drops_its_own_notice_and_the_others_go(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with _serving(PickyMailbox(), env, monkeypatch) as box:
        team = make_team()
        with session_scope() as session:
            org = session.get_one(Organization, team.org_id)
            gone = add_member(session, org, name="Partie", email=GONE, role="author", actor="test")
            assert gone.id
        gone_post = make_post(team.org_id, gone.id)
        with session_scope() as session:
            news = News("notify.overdue", {"post_id": gone_post})
            tell_author(session, session.get_one(Post, gone_post), "essai", news)
        _tell_marie(team, "Pour Marie")
        deliver()
    assert [m.to for m in box.mails] == [[MARIE]]
    assert [(who, s) for who, _, s, _ in _outbox()] == [(GONE, "dropped"), (MARIE, "sent")]
    with session_scope() as session:
        assert "550" in (session.exec(select(OutboxMail).where(OutboxMail.state == "dropped")).one().last_error or "")


class HangingMailbox(Mailbox):
    """A server that, at `hang_at` (RCPT or DATA), stops answering until released. At DATA it holds
    the whole message before it hangs: the mail is then the server's, though it has not said so."""

    def __init__(self, hang_at: str = "DATA") -> None:
        super().__init__()
        self.hang_at = hang_at
        self.arrived, self.release = threading.Event(), threading.Event()

    async def _hang(self) -> None:
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait)

    async def handle_RCPT(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.hang_at == "RCPT":
            await self._hang()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if self.hang_at == "DATA":
            await self._hang()
        return reply


def _mail_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    """`balise worker --queue mail --burst` in its own session (so the test can kill all of it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "balise.cli.main", "worker", "--queue", MAIL, "--burst"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip


def test_a_hanging_mail_server_holds_no_writer_and_its_mail_goes_once_when_it_answers(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with _serving(HangingMailbox(), env, monkeypatch) as box:
        team = make_team()
        post_id = make_post(team.org_id, team.author_id, platforms=("sandbox", "x"), in_minutes=60)
        gate(post_id)  # the compliance worker: awaiting sign-off, a request for Julie and for Chantal queued
        worker = _mail_worker(env)
        try:
            assert box.arrived.wait(60), "the mail worker never reached the server"
            # The mail worker is stuck in the hand-over. Another process approves (a state transition
            # and a notice row for the author, on SQLite's one write lock) and commits at once.
            started = time.monotonic()
            with session_scope() as session:
                post = session.get_one(Post, post_id)
                julie = session.get_one(Member, team.approver_id)
                approve(session, session.get_one(Organization, team.org_id), post, julie, channel="cli")
            took = time.monotonic() - started
            assert took < 1.0, f"the approval waited {took:.2f} s for the mail server"
            queue_waiting()  # as the command does after its commit: the author's news joins the queue
            assert worker.poll() is None and ("sending" in {s for _, _, s, _ in _outbox()})  # still stuck meanwhile
            assert state(post_id) == "scheduled"
            box.release.set()
            output, _ = worker.communicate(timeout=120)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
    assert worker.returncode == 0, output
    first = box.mails[0].to[0]  # the request the worker was handing over when the server hung
    assert first in (JULIE, CHANTAL)
    assert sorted(m.to[0] for m in box.mails) == sorted([first, MARIE])  # once each; the other request: dropped
    assert sorted((who, s) for who, _, s, _ in _outbox()) == sorted(
        [(first, "sent"), ({JULIE, CHANTAL}.difference({first}).pop(), "dropped"), (MARIE, "sent")]
    )
    deliver()
    assert len(box.mails) == 2  # nothing is sent again


def _kill_worker(worker: subprocess.Popen[str]) -> None:
    """SIGKILL the supervisor and the worker it forked (which runs the job): a crash, no goodbye."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    for pid in children:
        os.killpg(int(pid), signal.SIGKILL)  # the worker leads its own process group
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(30)


@pytest.mark.parametrize(("hang_at", "after"), [("DATA", "uncertain"), ("RCPT", "sent")])
def test_a_mail_job_killed_mid_send_never_sends_twice(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, hang_at: str, after: str
) -> None:
    """Killed once the server holds the message (DATA): it may have gone, so it is never sent again
    (`uncertain`). Killed before the message left (RCPT): the server has nothing, so it goes later."""
    with _serving(HangingMailbox(hang_at), env, monkeypatch) as box:
        notice_id = _tell_marie(make_team(), "Un témoin de la première heure")
        queue_waiting()
        worker = _mail_worker(env)
        try:
            assert box.arrived.wait(60), "the mail worker never reached the server"
            _kill_worker(worker)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        box.release.set()
        box.hang_at = ""  # the server works again
        received = len(box.mails)
        _later()  # the dead worker's claim has run out
        for _ in range(2):
            assert run_cli(["publish-due"], env).returncode == 0
            assert run_cli(["worker", "--queue", MAIL, "--burst"], env).returncode == 0
    assert received == (1 if hang_at == "DATA" else 0)
    assert len(box.mails) == 1  # once, either way
    with session_scope() as session:
        notice = session.get_one(OutboxMail, notice_id)
        assert notice.state == after
        if after == "uncertain":
            assert "peut-être parti" in (notice.last_error or "")


class BusyOnce(Mailbox):
    """A server that answers its first message with "try again later", as a busy server does."""

    busy = True

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        if self.busy:
            self.busy = False
            return "451 4.3.0 Essayez plus tard"
        return await super().handle_DATA(server, session, envelope)


def test_a_mail_the_server_refused_for_now_is_retried_later_and_sent_once(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with _serving(BusyOnce(), env, monkeypatch) as box:
        notice_id = _tell_marie(make_team(), "Un essai")
        deliver()
        assert not box.mails and _outbox()[0][2:] == ("pending", 1)
        with session_scope() as session:
            notice = session.get_one(OutboxMail, notice_id)
            assert notice.send_after and 25 <= (notice.send_after - utcnow()).total_seconds() <= 31
            assert "451" in (notice.last_error or "")
        scheduled = ScheduledJobRegistry(queue=queue(MAIL)).get_job_ids()
        assert scheduled == [f"mail-{notice_id}-1-at"]  # RQ's scheduler runs the next try at its time
        deliver()
        assert not box.mails  # not before its time
        _later()
        deliver()  # what `publish-due` and the scheduled job both do once the time has come
        deliver()
    assert len(box.mails) == 1 and box.mails[0].to == [MARIE]
    assert _outbox()[0][2:] == ("sent", 2)
