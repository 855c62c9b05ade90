"""Settings: the design's names, environment over file over defaults, clear errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from balise.config import ENV_NAMES
from tests.conftest import ROOT, run_cli
from tests.helpers import make_org

DESIGN_NAMES = {
    "BALISE_DATABASE_URL", "REDIS_URL", "BALISE_LANG", "BALISE_USER", "BALISE_TIMEZONE", "BALISE_DATA_DIR",
    "BALISE_SECRET_KEY", "BALISE_PUBLIC_URL", "BALISE_SMTP_URL", "BALISE_MAIL_FROM", "BALISE_FACEBOOK_PAGE_ID",
    "BALISE_FACEBOOK_PAGE_TOKEN", "BALISE_FACEBOOK_GRAPH_URL", "BALISE_FACEBOOK_GRAPH_VERSION", "BALISE_X_API_KEY",
    "BALISE_X_API_SECRET", "BALISE_X_ACCESS_TOKEN", "BALISE_X_ACCESS_SECRET", "BALISE_X_API_URL", "BALISE_X_UPLOAD_URL",
}  # fmt: skip


def test_every_configuration_name_of_the_design_is_read() -> None:
    design = (
        (ROOT.parent / "shared" / "DESIGN.md").read_text(encoding="utf-8") if (ROOT.parent / "shared").exists() else ""
    )
    assert DESIGN_NAMES <= set(ENV_NAMES.values())
    assert all(name.startswith("BALISE_") for name in set(ENV_NAMES.values()) - {"REDIS_URL"})
    for name in DESIGN_NAMES:
        assert not design or name in design


def test_config_show_says_where_each_setting_came_from_and_masks_secrets(env: dict[str, str], tmp_path: Path) -> None:
    Path(env["BALISE_CONFIG"]).write_text('timezone = "America/Montreal"\nx_api_secret = "tres-secret-123456"\n')
    result = run_cli(["config", "show", "--json"], {**env, "BALISE_USER": "Julie"})
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["BALISE_USER"] == {"name": "BALISE_USER", "value": "Julie", "source": "env"}
    assert rows["BALISE_TIMEZONE"]["source"] == "file" and rows["BALISE_TIMEZONE"]["value"] == "America/Montreal"
    assert rows["BALISE_LANG"]["source"] == "env"
    assert rows["BALISE_PUBLIC_URL"]["source"] == "default"
    assert "tres-secret" not in result.stdout


def test_the_environment_wins_over_the_file(env: dict[str, str]) -> None:
    Path(env["BALISE_CONFIG"]).write_text('timezone = "America/Montreal"\n')
    result = run_cli(["config", "show", "--json"], {**env, "BALISE_TIMEZONE": "America/Vancouver"})
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["BALISE_TIMEZONE"] == {"name": "BALISE_TIMEZONE", "value": "America/Vancouver", "source": "env"}


def test_an_unknown_setting_in_the_file_is_named(env: dict[str, str]) -> None:
    Path(env["BALISE_CONFIG"]).write_text('redis_ulr = "redis://localhost"\n')
    result = run_cli(["config", "show"], env)
    assert result.returncode == 3
    assert "Réglage inconnu « redis_ulr »" in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_redis_url_is_named(env: dict[str, str]) -> None:
    make_org()
    result = run_cli(["publish-due"], {**env, "REDIS_URL": "http//nimporte"})
    assert result.returncode == 3
    assert "REDIS_URL" in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_database_url_is_named(env: dict[str, str]) -> None:
    result = run_cli(["status"], {**env, "BALISE_DATABASE_URL": "pas une url"})
    assert result.returncode == 3
    assert "BALISE_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_a_data_directory_that_is_not_writable_is_named(env: dict[str, str], tmp_path: Path) -> None:
    locked = tmp_path / "verrouille"
    locked.mkdir()
    locked.chmod(0o500)
    environ = {k: v for k, v in env.items() if k != "BALISE_DATABASE_URL"}
    try:
        result = run_cli(["status"], {**environ, "BALISE_DATA_DIR": str(locked / "sous-dossier")})
    finally:
        locked.chmod(0o700)
    if os.geteuid() == 0:
        # root writes anywhere; use a path under a regular file instead, which nobody can create.
        blocker = tmp_path / "fichier"
        blocker.write_text("x")
        result = run_cli(["status"], {**environ, "BALISE_DATA_DIR": str(blocker / "data")})
    assert result.returncode == 3
    assert "BALISE_DATA_DIR" in result.stderr and "Traceback" not in result.stderr
