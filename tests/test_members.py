"""The people of an organization (issue 19, item 3): roles, renaming and removal through the
command line, a second `balise init`, and a two-person team that can always get its posts approved."""

from __future__ import annotations

import json
import subprocess

import pytest
from sqlmodel import col, select

from balise.db import session_scope
from balise.models import AuditEvent, Member, Organization, OutboxMail
from balise.notify import AUTHOR
from tests.conftest import run_cli
from tests.helpers import NO_QUIET_HOURS, snapshot
from tests.smtp import Mailbox
from tests.terminal import Terminal

TEXT = "Offre d'emploi : animatrice pour nos ateliers de prévention."
ADD = ["draft", "add", TEXT, "-p", "sandbox", "--at", "maintenant"]


def ok(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = run_cli(args, env)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def refused(args: list[str], env: dict[str, str]) -> str:
    """The French message of a refused command, which must leave no traceback."""
    result = run_cli(args, env)
    assert result.returncode != 0 and "Traceback" not in result.stderr, (args, result.stdout, result.stderr)
    return " ".join(result.stderr.split())


def init(env: dict[str, str], *more: str) -> None:
    """ESPACE Test with Julie as its admin; publishing hours left open (tests run at any hour)."""
    ok(["init", "--name", "ESPACE Test", "--admin", "Julie", "--email", "julie@exemple.org", *more], env)
    with session_scope() as session:
        org = session.exec(select(Organization).where(Organization.slug == "espace-test")).one()
        org.policy_override = NO_QUIET_HOURS


def written_and_checked(env: dict[str, str], author: str) -> int:
    """A post by `author`, through the gate, waiting for sign-off."""
    added = ok([*ADD, "--as", author, "--json"], env)
    post_id = int(json.loads(added.stdout)["id"])
    ok(["worker", "--queue", "compliance", "--burst"], env)
    assert shown(env, post_id)["state"] == "awaiting_signoff"
    return post_id


def shown(env: dict[str, str], post_id: int) -> dict[str, object]:
    return dict(json.loads(ok(["draft", "show", str(post_id), "--json"], env).stdout))


def test_a_two_person_team_publishes_each_ones_post_approved_by_the_other(env: dict[str, str]) -> None:
    init(env)
    ok(["member", "add", "Luc", "--email", "luc@exemple.org", "--role", "approver", "--as", "Julie"], env)
    by_julie, by_luc = written_and_checked(env, "Julie"), written_and_checked(env, "Luc")
    own = refused(["approve", str(by_julie), "--as", "Julie"], env)
    assert "quatre yeux" in own and "aucun autre membre" not in own  # Luc can: nothing to fix
    ok(["approve", str(by_julie), "--as", "Luc", "--now"], env)
    ok(["approve", str(by_luc), "--as", "Julie", "--now"], env)
    ok(["publish-due"], env)
    ok(["worker", "--burst"], env)
    assert [shown(env, p)["state"] for p in (by_julie, by_luc)] == ["published", "published"]


def test_an_admin_and_an_author_are_told_how_the_admins_post_gets_approved(env: dict[str, str]) -> None:
    init(env)
    ok(["member", "add", "Marie", "--email", "marie@exemple.org", "--role", "author", "--as", "Julie"], env)
    post_id = written_and_checked(env, "Julie")
    own = refused(["approve", str(post_id), "--as", "Julie"], env)
    assert "aucun autre membre ne le peut" in own and 'balise member role "Nom" approver' in own
    by_author = refused(["approve", str(post_id), "--as", "Marie"], env)
    assert 'balise member role "Marie" approver' in by_author
    ok(["member", "role", "Marie", "approver", "--as", "Julie"], env)  # the command the message gives
    ok(["approve", str(post_id), "--as", "Marie", "--now"], env)
    assert shown(env, post_id)["state"] == "scheduled"


def test_the_role_message_gives_the_command_that_changes_it(env: dict[str, str]) -> None:
    init(env)
    ok(["member", "add", "Marie", "--email", "marie@exemple.org", "--as", "Julie"], env)
    said = refused(["member", "add", "Luc", "--email", "luc@exemple.org", "--as", "Marie"], env)
    assert 'Une personne administratrice peut lui donner ce rôle : balise member role "Marie" admin' in said
    ok(["member", "role", "Marie", "admin", "--as", "Julie"], env)
    ok(["member", "add", "Luc", "--email", "luc@exemple.org", "--as", "Marie"], env)


def test_an_admin_renames_a_member_whose_posts_follow_and_the_log_keeps_both_names(env: dict[str, str]) -> None:
    init(env)
    ok(["member", "add", "Marie", "--email", "marie@exemple.org", "--as", "Julie"], env)
    post_id = written_and_checked(env, "Marie")
    done = ok(["member", "rename", "Marie", "Marie Roy", "--as", "Julie"], env)
    assert "Marie Roy" in done.stdout
    assert shown(env, post_id)["author"] == "Marie Roy"
    assert "Membre inconnu" in refused([*ADD, "--as", "Marie"], env)
    written_and_checked(env, "Marie Roy")
    with session_scope() as session:
        events = session.exec(select(AuditEvent.actor, AuditEvent.action, AuditEvent.reason)).all()
    assert ("Julie", "member_renamed", "Marie → Marie Roy") in events
    assert ("Marie", "created") in {(actor, action) for actor, action, _ in events}  # the history as it was
    ok(["audit", "verify"], env)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["Luc", "Julie", "--as", "Julie"], "Un membre nommé « Julie » existe déjà"),
        (["Luc", "Marie", "--as", "Julie"], "« Marie » est le nom d'un membre retiré"),
        (["Luc", "  ", "--as", "Julie"], "Le nom du membre est vide"),
        (["Luc", "Luc Roy", "--as", "Luc"], 'balise member role "Luc" admin'),
        (["Personne", "Luc Roy", "--as", "Julie"], "Membre inconnu : « Personne »"),
    ],
    ids=["taken", "taken-by-a-removed-member", "empty", "not-an-admin", "unknown"],
)
def test_a_refused_rename_says_why_and_changes_nothing(env: dict[str, str], args: list[str], said: str) -> None:
    init(env)
    ok(["member", "add", "Marie", "--email", "marie@exemple.org", "--as", "Julie"], env)
    ok(["member", "remove", "Marie", "--as", "Julie"], env)
    ok(["member", "add", "Luc", "--email", "luc@exemple.org", "--role", "approver", "--as", "Julie"], env)
    before = snapshot()
    assert said in refused(["member", "rename", *args], env)
    assert snapshot() == before


def test_a_removed_member_keeps_her_history_and_can_no_longer_act_nor_receive_mail(
    env: dict[str, str], mailbox: Mailbox
) -> None:
    init(env)
    ok(["org", "set", "--require-login", "off", "--as", "Julie"], env)  # --as suffices here: not the subject
    env = {**env, "BALISE_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}", "BALISE_MAIL_FROM": "balise@exemple.org"}
    ok(["member", "add", "Marie", "--email", "marie@exemple.org", "--as", "Julie"], env)
    ok(["member", "add", "Luc", "--email", "luc@exemple.org", "--role", "approver", "--as", "Julie"], env)
    approved, waiting = written_and_checked(env, "Marie"), written_and_checked(env, "Marie")
    ok(["approve", str(approved), "--as", "Luc", "--now"], env)
    ok(["member", "remove", "Marie", "--as", "Julie"], env)
    ok(["member", "remove", "Luc", "--as", "Julie"], env)
    assert "« Marie » a été retiré·e" in refused([*ADD, "--as", "Marie"], env)
    assert "« Luc » a été retiré·e" in refused(["approve", str(waiting), "--as", "Luc"], env)
    assert shown(env, approved)["author"] == "Marie" and shown(env, waiting)["author"] == "Marie"
    history = ok(["audit", "show", str(approved)], env).stdout
    assert "Marie" in history and "Luc" in history
    ok(["approve", str(waiting), "--as", "Julie", "--now"], env)  # Marie would be told: she is gone
    with session_scope() as session:
        marie = session.exec(select(Member.id).where(Member.name == "Marie")).one()
        told = select(OutboxMail.post_id).where(OutboxMail.kind == AUTHOR, OutboxMail.member_id == marie)
        assert list(session.exec(told)) == [approved]
    listed = json.loads(ok(["member", "list", "--json"], env).stdout)
    assert [m["name"] for m in listed] == ["Julie"]


def test_a_second_init_in_a_script_is_refused_and_says_how_to_go_on(env: dict[str, str]) -> None:
    init(env)
    before = snapshot()
    said = refused(["init", "--name", "ESPACE Nord", "--admin", "Luc", "--email", "luc@exemple.org"], env)
    assert "Un organisme existe déjà : « ESPACE Test »" in said and "balise init --new-org" in said
    assert snapshot() == before
    made = ok(["init", "--new-org", "--name", "ESPACE Nord", "--admin", "Luc", "--email", "luc@exemple.org"], env)
    assert "--org espace-nord" in " ".join(made.stdout.split())
    ok(["--org", "espace-nord", "member", "add", "Léa", "--email", "lea@exemple.org", "--as", "Luc"], env)
    assert [m["name"] for m in json.loads(ok(["member", "list", "--json"], env).stdout)] == ["Julie"]


def test_the_first_init_after_the_demo_asks_nothing(env: dict[str, str]) -> None:
    with session_scope() as session:
        session.add(Organization(slug="demo", name="Démo", timezone="America/Toronto"))
    init(env)
    assert [m["name"] for m in json.loads(ok(["member", "list", "--json"], env).stdout)] == ["Julie"]


@pytest.mark.parametrize(("answer", "created"), [("", False), ("non", False), ("oui", True)])
def test_a_second_init_at_a_terminal_asks_first_no_by_default(env: dict[str, str], answer: str, created: bool) -> None:
    init(env)
    terminal = Terminal(["init", "--name", "ESPACE Nord", "--admin", "Luc", "--email", "luc@exemple.org"], env)
    terminal.until("Un organisme existe déjà : « ESPACE Test ». En créer un autre?")
    terminal.type(answer)
    terminal.until("prêt, avec Luc" if created else "Rien n'a été créé. Pour agir sur « ESPACE Test »")
    assert terminal.exit_code() == 0
    with session_scope() as session:
        slugs = session.exec(select(Organization.slug).order_by(col(Organization.id))).all()
    assert slugs == (["espace-test", "espace-nord"] if created else ["espace-test"])
