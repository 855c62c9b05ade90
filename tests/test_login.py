"""`balise login` (issue 17, item 3): who acts on the command line is proven by a code mailed
through a real SMTP server, not claimed with `--as`, wherever the organization requires it."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from balise.config import get_settings, reset_settings
from balise.db import session_scope
from balise.models import AuditEvent, LoginCode, Member, Organization, utcnow
from tests.helpers import Outcome, gate, log_in_as, make_post, run_in_process, snapshot, state_of
from tests.smtp import Mailbox, free_port
from tests.terminal import Terminal
from tests.web.conftest import Team, make_team

SECRET = "clé-de-test-qui-signe-les-sessions"
JULIE, CHANTAL = "julie@exemple.org", "chantal@exemple.org"


def _with_mail(monkeypatch: pytest.MonkeyPatch, smtp_url: str) -> None:
    monkeypatch.setenv("BALISE_SMTP_URL", smtp_url)
    monkeypatch.setenv("BALISE_MAIL_FROM", "balise@espace-test.org")
    reset_settings()


@pytest.fixture
def team(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Team:
    """An organization with an author, an approver and an admin; a secret key, no mail yet."""
    monkeypatch.setenv("BALISE_SECRET_KEY", SECRET)
    reset_settings()
    return make_team()


@pytest.fixture
def mailed(team: Team, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Team]:
    """The same, with mail configured to the test's SMTP server: login is then required by default."""
    _with_mail(monkeypatch, f"smtp://127.0.0.1:{mailbox.port}")
    yield team


def balise(*args: str) -> Outcome:
    return run_in_process(list(args))


def code_in(mailbox: Mailbox, address: str) -> str:
    """The code of the last login mail sent to `address`."""
    mails = [m for m in mailbox.to(address) if "code de connexion" in str(m.message["Subject"])]
    assert mails, [m.message["Subject"] for m in mailbox.mails]
    found = re.search(r"^\s+(\d{6})\s*$", mails[-1].text, re.MULTILINE)
    assert found, mails[-1].text
    return found.group(1)


def log_in(mailbox: Mailbox, name: str, address: str) -> None:
    sent = balise("login", "--as", name)
    assert sent.code == 0 and address in sent.stdout, sent.stdout + sent.stderr
    done = balise("login", "--as", name, "--code", code_in(mailbox, address))
    assert done.code == 0 and "Connecté·e" in done.stdout, done.stdout + done.stderr


def awaiting(team: Team) -> int:
    post_id = make_post(team.org_id, team.author_id, in_minutes=60)
    gate(post_id)
    assert state_of(post_id) == "awaiting_signoff"
    return post_id


def session_file() -> Path:
    return get_settings().session_path


def test_a_mailed_code_logs_in_and_approve_then_acts_as_that_member(mailed: Team, mailbox: Mailbox) -> None:
    post_id = awaiting(mailed)
    log_in(mailbox, "Julie", JULIE)
    with session_scope() as session:
        stored = session.exec(select(LoginCode)).one()
    assert stored.used_at is not None and stored.attempts == 1
    assert code_in(mailbox, JULIE) not in stored.code_hash  # only a keyed hash is kept
    approved = balise("approve", str(post_id))  # no --as: the logged-in member acts
    assert approved.code == 0, approved.stderr
    assert state_of(post_id) == "scheduled"
    with session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.to_state == "scheduled")).one()
    assert event.actor == "Julie"
    shown = balise("whoami", "--json")
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout) | {"expires_at": ""} == {
        "name": "Julie", "email": JULIE, "role": "approver", "org": "espace-test", "expires_at": "",
        "login_required": True,
    }  # fmt: skip
    assert balise("logout").code == 0 and not session_file().exists()
    after = balise("whoami")
    assert after.code != 0 and "balise login" in after.stderr


def test_approve_in_someone_elses_name_is_refused_when_login_is_required(
    mailed: Team, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_id = awaiting(mailed)
    before = snapshot()
    claimed = balise("approve", str(post_id), "--as", "Julie")  # nobody logged in: a name is only a claim
    assert claimed.code != 0 and "--as seul ne suffit pas" in claimed.stderr and "balise login" in claimed.stderr
    log_in(mailbox, "Chantal", CHANTAL)
    before = snapshot()
    other = balise("approve", str(post_id), "--as", "Julie")
    assert other.code != 0 and "connecté·e comme « Chantal »" in other.stderr and "balise login" in other.stderr
    monkeypatch.setenv("BALISE_USER", "Julie")
    reset_settings()
    by_variable = balise("approve", str(post_id))
    assert by_variable.code != 0 and "« Julie »" in by_variable.stderr
    assert snapshot() == before and state_of(post_id) == "awaiting_signoff"


@pytest.mark.parametrize(
    "command",
    [
        ["override", "1", "--reason", "Le texte parle de la formation"],
        ["reject", "1", "--reason", "Le nom de l'enfant apparaît"],
        ["retract", "1", "--reason", "Une personne a retiré son consentement"],
        ["consent", "revoke", "Léa Côté"],
        ["member", "add", "Luc", "--email", "luc@exemple.org", "--role", "approver"],
        ["member", "role", "Marie", "approver"],
        ["member", "remove", "Marie"],
        ["org", "set", "--require-login", "off"],
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_each_guarded_command_wants_the_logged_in_member(mailed: Team, command: list[str]) -> None:
    make_post(mailed.org_id, mailed.author_id)
    before = snapshot()
    refused = balise(*command, "--as", "Chantal")
    assert refused.code != 0 and "--as seul ne suffit pas" in refused.stderr, refused.stdout + refused.stderr
    assert snapshot() == before


def test_an_expired_session_is_refused(mailed: Team) -> None:
    post_id = awaiting(mailed)
    log_in_as(mailed.approver_id, lifetime=timedelta(seconds=-1))
    refused = balise("approve", str(post_id), "--as", "Julie")
    assert refused.code != 0 and "a expiré" in refused.stderr and "balise login" in refused.stderr
    assert state_of(post_id) == "awaiting_signoff"


def test_a_hand_edited_session_is_refused(mailed: Team) -> None:
    post_id = awaiting(mailed)
    log_in_as(mailed.author_id)  # Marie, the author, logged in; she makes the file say Julie
    data = json.loads(session_file().read_text(encoding="utf-8"))
    data.update(member_id=mailed.approver_id, name="Julie", email=JULIE)
    session_file().write_text(json.dumps(data), encoding="utf-8")
    refused = balise("approve", str(post_id))
    assert refused.code != 0 and "a été modifiée" in refused.stderr, refused.stderr
    session_file().write_text("pas du JSON", encoding="utf-8")
    assert "a été modifiée" in balise("approve", str(post_id), "--as", "Julie").stderr
    assert state_of(post_id) == "awaiting_signoff"


def test_a_code_works_once(mailed: Team, mailbox: Mailbox) -> None:
    log_in(mailbox, "Julie", JULIE)
    assert balise("logout").code == 0
    again = balise("login", "--as", "Julie", "--code", code_in(mailbox, JULIE))
    assert again.code != 0 and "Aucun code valable" in again.stderr
    assert not session_file().exists()


def test_a_code_allows_five_attempts_and_the_sixth_is_refused_even_when_right(mailed: Team, mailbox: Mailbox) -> None:
    assert balise("login", JULIE).code == 0  # by address
    code = code_in(mailbox, JULIE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        attempt = balise("login", JULIE, "--code", wrong)
        assert attempt.code != 0 and f"Il reste {left} essai(s)" in attempt.stderr
    fifth = balise("login", JULIE, "--code", wrong)
    assert fifth.code != 0 and "a épuisé ses essais" in fifth.stderr
    sixth = balise("login", JULIE, "--code", code)
    assert sixth.code != 0 and "a épuisé ses essais" in sixth.stderr
    assert not session_file().exists()


def test_codes_are_limited_per_member_and_hour(mailed: Team, mailbox: Mailbox) -> None:
    for _ in range(5):
        assert balise("login", "--as", "Julie").code == 0
    sixth = balise("login", "--as", "Julie")
    assert sixth.code != 0 and "dans la dernière heure" in sixth.stderr
    assert len(mailbox.to(JULIE)) == 5
    with session_scope() as session:
        live = session.exec(select(LoginCode).where(col(LoginCode.expires_at) > utcnow())).all()
    assert len(live) == 1  # a new code ends the earlier ones


def test_the_session_file_is_created_0600_whatever_the_umask(mailed: Team) -> None:
    previous = os.umask(0)
    try:
        log_in_as(mailed.approver_id)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(session_file().stat().st_mode) == 0o600
    assert stat.S_IMODE(session_file().parent.stat().st_mode) == 0o700


def test_login_is_off_by_default_without_mail_and_on_with_mail(
    team: Team, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = json.loads(balise("org", "show", "--json").stdout)
    assert shown["require_login"] is False and shown["require_login_source"] == "default"
    assert "non exigée" in balise("org", "show").stdout
    no_mail = balise("login", "--as", "Julie")
    assert no_mail.code != 0 and "BALISE_SMTP_URL" in no_mail.stderr and "confiance" in no_mail.stderr
    post_id = awaiting(team)
    assert balise("approve", str(post_id), "--as", "Julie").code == 0  # trust on a shared account
    _with_mail(monkeypatch, f"smtp://127.0.0.1:{mailbox.port}")
    assert json.loads(balise("org", "show", "--json").stdout)["require_login"] is True
    second = awaiting(team)
    refused = balise("approve", str(second), "--as", "Julie")
    assert refused.code != 0 and "balise login" in refused.stderr


def test_the_organization_setting_turns_login_on_and_off(
    mailed: Team, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(mailbox, "Julie", JULIE)
    assert "rôle admin" in balise("org", "set", "--require-login", "off").stderr  # an approver may not
    log_in(mailbox, "Chantal", CHANTAL)
    assert balise("org", "set", "--require-login", "off").code == 0
    assert "choix de l'organisme" in balise("org", "show").stdout
    assert balise("logout").code == 0
    post_id = awaiting(mailed)
    assert balise("approve", str(post_id), "--as", "Julie").code == 0  # off: --as is enough
    log_in_as(mailed.admin_id)
    assert balise("org", "set", "--require-login", "on").code == 0
    assert balise("logout").code == 0
    second = awaiting(mailed)
    assert "balise login" in balise("approve", str(second), "--as", "Julie").stderr
    monkeypatch.delenv("BALISE_SMTP_URL")
    reset_settings()
    with session_scope() as session:  # the organization asked for it: mail or not, it holds
        org = session.get(Organization, mailed.org_id)
        assert org and org.require_login is True
    assert "balise login" in balise("approve", str(second), "--as", "Julie").stderr
    log_in_as(mailed.admin_id)
    bad = balise("org", "set", "--require-login", "peut-être")
    assert bad.code != 0 and "Valeurs possibles : on, off, default" in bad.stderr
    without_mail = balise("org", "set", "--require-login", "on")
    assert without_mail.code != 0 and "sans courriel" in without_mail.stderr
    assert balise("org", "set", "--require-login", "default").code == 0
    assert json.loads(balise("org", "show", "--json").stdout)["require_login"] is False


def test_member_changes_need_a_logged_in_admin_and_keep_one(mailed: Team, mailbox: Mailbox) -> None:
    log_in_as(mailed.approver_id)
    by_approver = balise("member", "add", "Luc", "--email", "luc@exemple.org", "--role", "approver")
    assert by_approver.code != 0 and "rôle admin" in by_approver.stderr
    log_in(mailbox, "Chantal", CHANTAL)
    assert balise("member", "add", "Luc", "--email", "luc@exemple.org", "--role", "approver").code == 0
    assert balise("member", "role", "Luc", "admin").code == 0
    assert balise("member", "remove", "Marie").code == 0
    listed = json.loads(balise("member", "list", "--json").stdout)
    assert {m["name"]: m["role"] for m in listed} == {"Chantal": "admin", "Julie": "approver", "Luc": "admin"}
    assert balise("member", "remove", "Luc").code == 0
    last = balise("member", "role", "Chantal", "author")
    assert last.code != 0 and "dernière personne administratrice" in last.stderr
    with session_scope() as session:
        actions = session.exec(select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.actor == "Chantal")).all()
    assert sorted(actions) == [
        ("member_added", "Chantal"), ("member_removed", "Chantal"), ("member_removed", "Chantal"),
        ("member_role", "Chantal"),
    ]  # fmt: skip


def test_a_removed_members_session_no_longer_acts(mailed: Team) -> None:
    post_id = awaiting(mailed)
    log_in_as(mailed.approver_id)
    with session_scope() as session:
        julie = session.get(Member, mailed.approver_id)
        assert julie
        julie.active = False
        session.add(julie)
    refused = balise("approve", str(post_id))
    assert refused.code != 0 and "ne correspond plus à un membre actif" in refused.stderr


def test_a_mail_server_that_fails_is_said_without_its_password(mailed: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_mail(monkeypatch, f"smtp://balise:motdepasse-secret@127.0.0.1:{free_port()}")
    failed = balise("login", "--as", "Julie")
    assert failed.code != 0 and "n'a pas pu être envoyé" in failed.stderr
    assert "motdepasse-secret" not in failed.stdout + failed.stderr and "balise:••••@127.0.0.1" in failed.stderr


def test_at_a_terminal_login_asks_for_the_code_until_it_is_right(
    mailed: Team, mailbox: Mailbox, env: dict[str, str]
) -> None:
    """A person at a terminal types the code where balise asks for it; a wrong one is asked again."""
    environ = {**env, "BALISE_SECRET_KEY": SECRET, "BALISE_SMTP_URL": get_settings().smtp_url or ""}
    terminal = Terminal(["login", "--as", "Julie"], environ)
    terminal.until("Code reçu par courriel")
    code = code_in(mailbox, JULIE)
    terminal.type(f"{(int(code) + 1) % 10**6:06d}")
    terminal.until("Il reste 4 essai(s)")
    terminal.type(code)
    terminal.until("Connecté·e")
    assert terminal.exit_code() == 0
    assert session_file().exists()
