"""`balise accounts connect` (issue 19, item 1): a Facebook Page and an X account connected through
the platforms' own OAuth flows (facebook-sdk's token exchange and Page list, tweepy's PIN-based
OAuth 1.0a) against the fake platforms, kept in the configuration file (0600) and nowhere else."""

from __future__ import annotations

import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fakes import facebook_server as fb
from tests.fakes import x_server as xs
from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.x_server import FakeX

INIT = ["init", "--name", "ESPACE Test", "--admin", "Julie", "--email", "julie@exemple.org"]


def installed(env: dict[str, str], **settings: str) -> dict[str, str]:
    """`env` with these settings and one organization, made by `balise init`."""
    env = {**env, **settings}
    assert run_cli(INIT, env).returncode == 0
    return env


@pytest.fixture
def facebook_env(env: dict[str, str], fake_facebook: FakeFacebook) -> dict[str, str]:
    """An installation with its Meta app and its Graph API at the fake."""
    app = {"BALISE_FACEBOOK_APP_ID": fb.APP_ID, "BALISE_FACEBOOK_APP_SECRET": fb.APP_SECRET}
    return installed(env, BALISE_FACEBOOK_GRAPH_URL=fake_facebook.url, **app)


@pytest.fixture
def x_env(env: dict[str, str], fake_x: FakeX) -> dict[str, str]:
    """An installation with its X app's keys and its API at the fake."""
    app = {"BALISE_X_API_KEY": xs.CONSUMER_KEY, "BALISE_X_API_SECRET": xs.CONSUMER_SECRET}
    return installed(env, BALISE_X_API_URL=fake_x.url, **app)


def config(env: dict[str, str]) -> dict[str, object]:
    return tomllib.loads(Path(env["BALISE_CONFIG"]).read_text(encoding="utf-8"))


def account(env: dict[str, str], platform: str) -> dict[str, str] | None:
    organizations = config(env).get("organizations", {})
    assert isinstance(organizations, dict)
    return organizations.get("espace-test", {}).get(platform)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
    return " ".join(result.stderr.split())


def secret_found_outside_config(env: dict[str, str], secret: str, result: subprocess.CompletedProcess[str]) -> bool:
    """Whether `secret` shows in the command's output or in any file of the data directory
    (database, logs, outbox): it belongs in the configuration file only."""
    if secret in result.stdout or secret in result.stderr:
        return True
    files = [path for path in Path(env["BALISE_DATA_DIR"]).rglob("*") if path.is_file()]
    return any(secret.encode() in path.read_bytes() for path in files)


def test_it_exchanges_the_user_token_and_keeps_the_page_token_in_the_config_file(
    facebook_env: dict[str, str], fake_facebook: FakeFacebook
) -> None:
    Path(facebook_env["BALISE_CONFIG"]).chmod(0o644)  # as a person may have left it: it now holds a token
    result = run_cli(["accounts", "connect", "facebook", "--user-token", fb.USER_TOKEN], facebook_env)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert f"Page « {fb.PAGE_NAME} » connectée" in " ".join(result.stdout.split())
    kept = account(facebook_env, "facebook")
    assert kept == {"page_id": fb.PAGE_ID, "page_token": fb.VALID_TOKEN, "graph_url": fake_facebook.url}
    assert stat.S_IMODE(Path(facebook_env["BALISE_CONFIG"]).stat().st_mode) == 0o600
    assert not secret_found_outside_config(facebook_env, fb.VALID_TOKEN, result)
    exchange = next(r for r in fake_facebook.requests if r.path.endswith("/oauth/access_token"))
    assert exchange.query["grant_type"] == "fb_exchange_token"
    assert any(r.path.endswith("/me/accounts") for r in fake_facebook.requests)
    # the kept token is the one that works: balise publishes with it
    check = run_cli(["accounts", "check", "--json"], facebook_env)
    assert '"platform": "facebook"' in check.stdout and fb.PAGE_NAME in check.stdout


def test_it_guides_the_person_and_never_shows_the_token_typed(facebook_env: dict[str, str]) -> None:
    result = run_cli(["accounts", "connect", "facebook"], facebook_env, stdin=f"{fb.USER_TOKEN}\n")
    assert result.returncode == 0, (result.stdout, result.stderr)
    shown = " ".join(result.stdout.split())
    assert "« jeton de Page »" in shown and "Explorateur de l'API Graph" in shown
    assert fb.USER_TOKEN not in result.stdout
    assert account(facebook_env, "facebook") is not None


def test_it_lets_the_person_choose_among_her_pages_by_name(
    facebook_env: dict[str, str],
) -> None:
    wrong = run_cli(
        ["accounts", "connect", "facebook", "--user-token", fb.USER_TOKEN, "--page", "Autre Page"], facebook_env
    )
    said = refused(wrong)
    assert "Aucune de vos Pages ne s'appelle « Autre Page »" in said and fb.PAGE_NAME in said
    assert account(facebook_env, "facebook") is None
    right = run_cli(
        ["accounts", "connect", "facebook", "--user-token", fb.USER_TOKEN, "--page", fb.PAGE_NAME.upper()],
        facebook_env,
    )
    assert right.returncode == 0 and account(facebook_env, "facebook") is not None


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (fb.EXPIRED_USER_TOKEN, "Ce jeton d'utilisateur a expiré"),
        ("EAAB-typed-wrong", "Facebook ne reconnaît pas ce jeton"),
        (fb.NO_PAGE_USER_TOKEN, "Ce compte Facebook ne gère aucune Page"),
    ],
)
def test_a_token_that_gives_no_page_is_refused_and_nothing_is_kept(
    facebook_env: dict[str, str], token: str, expected: str
) -> None:
    said = refused(run_cli(["accounts", "connect", "facebook", "--user-token", token], facebook_env))
    assert expected in said and "balise accounts connect facebook" in said
    assert account(facebook_env, "facebook") is None


def test_a_wrong_app_secret_names_the_settings_to_fix(facebook_env: dict[str, str]) -> None:
    env = {**facebook_env, "BALISE_FACEBOOK_APP_SECRET": "not-the-secret"}
    said = refused(run_cli(["accounts", "connect", "facebook", "--user-token", fb.USER_TOKEN], env))
    assert "Facebook refuse l'application Meta configurée" in said and "BALISE_FACEBOOK_APP_SECRET" in said
    assert "not-the-secret" not in said
    assert account(env, "facebook") is None


def test_without_the_meta_app_it_says_where_to_find_it(facebook_env: dict[str, str]) -> None:
    env = {k: v for k, v in facebook_env.items() if k != "BALISE_FACEBOOK_APP_ID"}
    said = refused(run_cli(["accounts", "connect", "facebook", "--user-token", fb.USER_TOKEN], env))
    assert "Il manque l'application Meta de l'organisme" in said and "facebook_app_id" in said


def test_it_runs_the_pin_flow_and_keeps_the_access_token(x_env: dict[str, str], fake_x: FakeX) -> None:
    result = run_cli(["accounts", "connect", "x"], x_env, stdin=f"{xs.PIN}\n")
    assert result.returncode == 0, (result.stdout, result.stderr)
    shown = " ".join(result.stdout.split())
    assert f"{fake_x.url}/oauth/authorize?oauth_token=" in result.stdout and "NIP" in shown
    assert account(x_env, "x") == {
        "api_key": xs.CONSUMER_KEY,
        "api_secret": xs.CONSUMER_SECRET,
        "access_token": xs.VALID_TOKEN,
        "access_secret": xs.VALID_SECRET,
        "api_url": fake_x.url,
    }
    assert stat.S_IMODE(Path(x_env["BALISE_CONFIG"]).stat().st_mode) == 0o600
    assert not secret_found_outside_config(x_env, xs.VALID_SECRET, result)
    assert not fake_x.request_tokens  # the request token was used, once
    check = run_cli(["accounts", "check", "--json"], x_env)
    assert xs.USERNAME in check.stdout


def test_a_wrong_pin_is_refused_and_nothing_is_kept(x_env: dict[str, str]) -> None:
    said = refused(run_cli(["accounts", "connect", "x", "--pin", "0000000"], x_env))
    assert "X refuse ce NIP (code 401)" in said
    assert account(x_env, "x") is None


def test_wrong_app_keys_are_named(x_env: dict[str, str]) -> None:
    env = {**x_env, "BALISE_X_API_SECRET": "not-the-secret"}
    said = refused(run_cli(["accounts", "connect", "x", "--pin", xs.PIN], env))
    assert "X refuse les clés de l'application configurées" in said and "BALISE_X_API_SECRET" in said


def test_it_speaks_english_when_asked(x_env: dict[str, str]) -> None:
    said = refused(run_cli(["accounts", "connect", "x", "--pin", "0000000"], {**x_env, "BALISE_LANG": "en"}))
    assert "X refuses this PIN" in said
