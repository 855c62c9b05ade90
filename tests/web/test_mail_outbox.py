"""A bad mail setting never loses a decision: the approval commits, its mails wait in the outbox
with a French message saying what to fix in BALISE_SMTP_URL, and the next send delivers them."""

from __future__ import annotations

import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlmodel import col, select

from balise.config import reset_settings
from balise.db import session_scope
from balise.models import Member, OutboxMail, Post
from balise.notify import send_pending, tell_author
from tests.conftest import run_cli
from tests.helpers import log_in_as, make_post
from tests.web.conftest import SECRET, Mailbox, awaiting_draft, free_port, make_team, state

PASSWORD = "s3cr3t-du-courriel"
MARIE = "marie@exemple.org"



def _outbox() -> list[tuple[str, str, int]]:
    with session_scope() as session:
        mails = session.exec(select(OutboxMail).order_by(col(OutboxMail.id)))
        return [(m.recipients or f"member {m.member_id}", m.state, m.attempts) for m in mails]


@pytest.mark.parametrize("smtp_url", [f"smtpx://balise:{PASSWORD}@127.0.0.1:25", "closed-port"])
def test_an_approval_commits_when_mail_fails_and_its_notice_goes_at_the_next_send(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, smtp_url: str
) -> None:
    if smtp_url == "closed-port":  # a server that does not answer, with a password in the URL
        smtp_url = f"smtp://balise:{PASSWORD}@127.0.0.1:{free_port()}"
    monkeypatch.setenv("BALISE_SMTP_URL", smtp_url)
    monkeypatch.setenv("BALISE_SECRET_KEY", SECRET)
    reset_settings()
    team = make_team()
    post_id = awaiting_draft(team)  # the worker's own sends fail too; its mails wait
    log_in_as(team.approver_id)  # with mail configured, only the logged-in member signs off on the command line
    approved = run_cli(
        ["approve", str(post_id), "--as", "Julie"], {**env, "BALISE_SMTP_URL": smtp_url, "BALISE_SECRET_KEY": SECRET}
    )
    assert approved.returncode == 0, approved.stderr
    assert state(post_id) == "scheduled"
    shown = approved.stdout + approved.stderr
    assert "BALISE_SMTP_URL" in shown and "La décision est enregistrée" in shown and "balise:••••@127.0.0.1" in shown
    assert PASSWORD not in shown and "Traceback" not in shown
    assert (MARIE, "pending", 1) in _outbox()

    fixed = {**env, "BALISE_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}"}
    assert run_cli(["publish-due"], fixed).returncode == 0
    assert [m.message["Subject"] for m in mailbox.to(MARIE)] == [
        f"[balise] Nouvelles de votre publication n° {post_id}"
    ]
    assert not mailbox.to("julie@exemple.org")  # the sign-off request is no longer needed: dropped, not sent
    assert {s for _, s, _ in _outbox()} == {"sent", "dropped"}
    run_cli(["publish-due"], fixed)
    assert len(mailbox.mails) == 1  # sent once


def test_two_senders_at_once_send_each_mail_once(
    env: dict[str, str], mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker and a command finishing together both send the outbox: the claim decides."""
    monkeypatch.setenv("BALISE_SMTP_URL", f"smtp://127.0.0.1:{mailbox.port}")
    reset_settings()
    team = make_team()
    post_id = make_post(team.org_id, team.author_id)
    with session_scope() as session:
        post = session.get(Post, post_id)
        assert post
        for n in range(12):
            tell_author(session, post, f"essai-{n}", f"Nouvelle {n}")
    senders = [threading.Thread(target=send_pending) for _ in range(4)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(m.text.strip() for m in mailbox.mails) == sorted(f"Nouvelle {n}" for n in range(12))
    assert {s for _, s, _ in _outbox()} == {"sent"}


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


def test_a_refused_address_drops_its_own_mail_and_the_others_go(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    box = PickyMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        monkeypatch.setenv("BALISE_SMTP_URL", f"smtp://127.0.0.1:{box.port}")
        reset_settings()
        team = make_team()
        first, second = make_post(team.org_id, team.author_id), make_post(team.org_id, team.author_id)
        with session_scope() as session:
            author = session.get(Member, team.author_id)
            assert author
            author.email = GONE
            tell_author(session, session.get_one(Post, first), "essai", "Pour une adresse disparue")
            author.email = MARIE
            tell_author(session, session.get_one(Post, second), "essai", "Pour Marie")
        assert send_pending() is None
    finally:
        controller.stop()
    assert [m.text.strip() for m in box.mails] == ["Pour Marie"]
    assert [(to, s) for to, s, _ in _outbox()] == [(GONE, "dropped"), (MARIE, "sent")]
