"""An account that is not configured is said at once, with the keys to set: `accounts check`
never calls it a success, `draft add` warns when the draft is added, not when publishing fails."""

from __future__ import annotations

import json

import pytest

from balise.db import session_scope
from balise.organizations import add_member, create_organization
from tests.conftest import run_cli
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.helpers import make_org

ADD = ["draft", "add", "Notre atelier de cuisine reprend jeudi.", "--at", "2031-06-01 10:00", "--as", "Marie"]


@pytest.fixture
def facebook(fake_facebook: FakeFacebook) -> FakeAccount:
    return FakeAccount("facebook", fake_facebook)


def test_accounts_check_fails_and_says_what_to_set_when_no_account_is_configured(env: dict[str, str]) -> None:
    make_org()

    shown = run_cli(["accounts", "check"], env)
    as_json = run_cli(["accounts", "check", "--json"], env)

    assert shown.returncode == 1 and as_json.returncode == 1, shown.stderr + as_json.stderr
    said = shown.stdout + shown.stderr
    assert "comptes fonctionnent" not in said and "Tous les comptes" not in said  # the sandbox's row is no success
    assert "Aucun compte n'est configuré (Facebook, X)" in shown.stderr
    for name in ("BALISE_FACEBOOK_PAGE_ID", "BALISE_FACEBOOK_PAGE_TOKEN", "BALISE_X_ACCESS_SECRET"):
        assert name in shown.stderr
    assert "[organizations.espace-test.facebook]" in shown.stderr and "Traceback" not in shown.stderr
    report = json.loads(as_json.stdout)
    by_name = {a["platform"]: a for a in report["accounts"]}
    assert report["ok"] is False
    assert "BALISE_X_API_KEY" in by_name["x"]["problem"] and by_name["x"]["configured"] is False


def test_accounts_check_names_the_accounts_that_work_and_the_one_missing(
    env: dict[str, str], facebook: FakeAccount
) -> None:
    make_org()

    result = run_cli(["accounts", "check"], {**env, **facebook.env()})

    assert result.returncode == 0, result.stderr
    assert "✓ Ces comptes fonctionnent : Facebook." in result.stdout
    assert "n'a pas de compte X configuré" in result.stderr and "BALISE_X_ACCESS_TOKEN" in result.stderr
    assert "Aucun compte n'est configuré" not in result.stderr


def test_draft_add_warns_at_once_for_a_platform_without_an_account(env: dict[str, str]) -> None:
    make_org()

    shown = run_cli([*ADD, "-p", "facebook", "-p", "sandbox"], env)
    as_json = run_cli([*ADD, "-p", "facebook", "--json"], env)

    assert shown.returncode == 0 and as_json.returncode == 0, shown.stderr + as_json.stderr
    assert "Publication n° 1 ajoutée" in shown.stdout
    warning = " ".join(shown.stderr.split())  # rich wraps long lines
    assert "ne sera pas publié sur Facebook tant que ce compte n'est pas configuré" in warning
    assert "BALISE_FACEBOOK_PAGE_ID, BALISE_FACEBOOK_PAGE_TOKEN" in warning
    assert "Plateforme d'essai" not in warning and " X " not in warning
    added = json.loads(as_json.stdout)  # the warning stays on stderr: the JSON is whole
    assert added["id"] == 2 and [t["platform"] for t in added["targets"]] == ["facebook"]
    assert "BALISE_FACEBOOK_PAGE_ID" in as_json.stderr
    assert json.loads(run_cli(["draft", "show", "1", "--json"], env).stdout)["id"] == 1  # the draft is kept


def test_draft_add_says_nothing_when_the_account_is_configured(env: dict[str, str], facebook: FakeAccount) -> None:
    make_org()

    result = run_cli([*ADD, "-p", "facebook"], {**env, **facebook.env()})

    assert result.returncode == 0, result.stderr
    assert "configuré" not in result.stderr


def test_draft_add_for_another_organization_names_its_own_table(env: dict[str, str], facebook: FakeAccount) -> None:
    make_org()
    with session_scope() as session:
        nord = create_organization(session, slug="espace-nord", name="ESPACE Nord", timezone="America/Toronto")
        add_member(session, nord, name="Marie", email="marie@nord.org", role="author", actor="test")

    # The default organization's Page, in the environment, is never the other organization's.
    result = run_cli(["--org", "espace-nord", *ADD, "-p", "facebook"], {**env, **facebook.env()})

    assert result.returncode == 0, result.stderr
    warning = " ".join(result.stderr.split())
    assert "[organizations.espace-nord.facebook]" in warning and "page_id, page_token" in warning
