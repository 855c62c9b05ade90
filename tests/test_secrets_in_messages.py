"""A password in REDIS_URL, BALISE_SMTP_URL or BALISE_DATABASE_URL is never printed: status,
warnings, errors and the worker show the URL with the password masked, as `config show` does."""

from __future__ import annotations

import json

import pytest

from balise.config import reset_settings
from tests.conftest import run_cli
from tests.helpers import make_org
from tests.web.conftest import free_port

PASSWORD = "s3cr3t-Mot2Passe"


@pytest.fixture
def unreachable_redis(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An installation whose REDIS_URL carries a password and points at nothing."""
    make_org()
    url = f"redis://balise:{PASSWORD}@127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("REDIS_URL", url)
    reset_settings()
    return {**env, "REDIS_URL": url}


def _shown(result: object) -> str:
    out = f"{getattr(result, 'stdout', '')}{getattr(result, 'stderr', '')}"
    assert PASSWORD not in out and "Traceback" not in out
    return out


def test_status_masks_the_redis_password(unreachable_redis: dict[str, str]) -> None:
    shown = _shown(run_cli(["status"], unreachable_redis))
    assert "redis://balise:••••@127.0.0.1" in shown
    data = json.loads(run_cli(["status", "--json"], unreachable_redis).stdout)
    assert "••••" in data["queue_error"] and PASSWORD not in data["queue_error"]


def test_the_worker_masks_the_redis_password(unreachable_redis: dict[str, str]) -> None:
    result = run_cli(["worker", "--burst"], unreachable_redis)
    assert result.returncode == 3 and "REDIS_URL" in _shown(result) and "••••" in result.stderr


def test_the_enqueue_warning_masks_the_redis_password(unreachable_redis: dict[str, str]) -> None:
    result = run_cli(["draft", "add", "Offre d'emploi", "-p", "sandbox", "--at", "2031-06-01 10:00", "--as", "Marie"],
                     unreachable_redis)  # fmt: skip
    assert result.returncode == 0 and "••••" in _shown(result)


def test_a_database_url_in_an_error_is_masked(env: dict[str, str]) -> None:
    result = run_cli(["status"], {**env, "BALISE_DATABASE_URL": f"postgres://balise:{PASSWORD}@127.0.0.1/balise"})
    assert result.returncode == 3 and "postgres://balise:••••@127.0.0.1" in _shown(result)


def test_config_show_masks_the_smtp_password_through_the_same_function(env: dict[str, str]) -> None:
    smtp = {**env, "BALISE_SMTP_URL": f"smtpx://balise:{PASSWORD}@mail.exemple.org:587"}
    assert "smtpx://balise:••••@mail" in _shown(run_cli(["config", "show"], {**smtp, "COLUMNS": "200"}))
