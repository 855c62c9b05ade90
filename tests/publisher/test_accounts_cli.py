"""`balise accounts check`, run as a user runs it: a separate process configured by environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX


def run_check(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_") and k != "REDIS_URL"}
    clean.update(
        BALISE_DATA_DIR=str(tmp_path),
        BALISE_CONFIG=str(tmp_path / "balise.toml"),
        COLUMNS="250",
        **env,
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from balise.cli.main import run; run()",
            "accounts",
            "check",
            *args,
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


@pytest.fixture
def accounts(fake_facebook: FakeFacebook, fake_x: FakeX) -> tuple[FakeAccount, FakeAccount]:
    return FakeAccount("facebook", fake_facebook), FakeAccount("x", fake_x)


def test_it_says_every_configured_account_works(tmp_path: Path, accounts: tuple[FakeAccount, ...]) -> None:
    facebook, x = accounts

    result = run_check(tmp_path, facebook.env() | x.env())

    assert result.returncode == 0, result.stderr
    assert "Maison de la famille des Basses-Laurentides" in result.stdout
    assert "@maisonfamille_bl" in result.stdout
    assert "Ces comptes fonctionnent : Facebook, X." in result.stdout


def test_it_fails_and_says_why_when_a_token_expired(tmp_path: Path, accounts: tuple[FakeAccount, ...]) -> None:
    facebook, x = accounts

    result = run_check(tmp_path, facebook.env("expired") | x.env(), "--json")

    assert result.returncode == 1
    report = json.loads(result.stdout)
    by_name = {a["platform"]: a for a in report["accounts"]}
    assert report["ok"] is False and by_name["x"]["ok"] is True
    assert by_name["facebook"]["ok"] is False and "a expiré" in by_name["facebook"]["problem"]


def test_it_lists_the_missing_permissions(tmp_path: Path, accounts: tuple[FakeAccount, ...]) -> None:
    facebook, x = accounts

    result = run_check(tmp_path, facebook.env("limited") | x.env("limited"), "--json")

    assert result.returncode == 1
    missing = {a["platform"]: a["missing_permissions"] for a in json.loads(result.stdout)["accounts"]}
    assert missing == {"sandbox": [], "facebook": ["pages_manage_posts"], "x": ["write"]}


def test_it_shows_the_problem_in_french_without_the_secrets(tmp_path: Path, accounts: tuple[FakeAccount, ...]) -> None:
    facebook, x = accounts
    env = facebook.env("limited") | x.env("expired")

    result = run_check(tmp_path, env)

    assert result.returncode == 1
    assert "pages_manage_posts" in result.stdout and "Permissions manquantes" in result.stdout
    assert "X refuse les clés d'accès de balise" in result.stderr
    for name in (
        "BALISE_FACEBOOK_PAGE_TOKEN",
        "BALISE_X_ACCESS_TOKEN",
        "BALISE_X_ACCESS_SECRET",
        "BALISE_X_API_SECRET",
    ):
        assert env[name] not in result.stdout + result.stderr


def test_it_checks_only_the_sandbox_and_fails_when_no_account_is_configured(tmp_path: Path) -> None:
    result = run_check(tmp_path, {}, "--json")

    assert result.returncode == 1 and json.loads(result.stdout)["ok"] is False
    configured = {a["platform"]: a["configured"] for a in json.loads(result.stdout)["accounts"]}
    assert configured == {"sandbox": True, "facebook": False, "x": False}
