"""balise's data is for the account that runs it: the data directory and its folders 0700, the
database, photos, signed forms, upload copies, outbox and reports 0600 (issue 17, item 5)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from balise.config import get_settings
from balise.pipeline.publish import publish_target
from tests.conftest import run_cli
from tests.consent.builders import gate, photo_post
from tests.consent.images import with_gps
from tests.helpers import make_org
from tests.test_pipeline import _sign


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """This process with the umask most accounts have (022), whatever pytest was started with."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _ok(args: list[str], env: dict[str, str]) -> str:
    result = run_cli(args, env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _open_to_others(*roots: Path) -> list[str]:
    """Every folder and file under `roots` that another account could read or list."""
    found = []
    for root in roots:
        for path in [root, *root.rglob("*")]:
            info = path.lstat()
            if (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)) and info.st_mode & 0o077:
                found.append(f"{path} {stat.filemode(info.st_mode)}")
    return found


def _database_files(env: dict[str, str]) -> list[Path]:
    url = env["BALISE_DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        return []
    database = Path(url.removeprefix("sqlite:///"))
    return [p for p in database.parent.glob(f"{database.name}*")]


def test_everything_a_command_keeps_is_for_its_account_only(env: dict[str, str], tmp_path: Path) -> None:
    """The whole path through the command line, with the embedded Redis (its files are Valkey's)."""
    local = {k: v for k, v in env.items() if k != "REDIS_URL"}
    make_org()
    form = tmp_path / "formulaire.pdf"
    form.write_bytes(b"%PDF-1.4 formulaire signe")
    photo = with_gps("coffee.jpg", tmp_path / "IMG_0042.jpg")
    try:
        _ok(["people", "add", "Léa Côté", "--as", "Marie"], local)
        _ok(["consent", "grant", "Léa Côté", "-p", "x", "--evidence", str(form), "--as", "Marie"], local)
        added = json.loads(_ok(["draft", "add", "Retour sur notre atelier de prévention", "-p", "sandbox", "--at",
                                "maintenant", "--photo", str(photo), "--as", "Marie", "--json"], local))  # fmt: skip
        _ok(["worker", "--burst"], local)
        _ok(["approve", str(added["id"]), "--as", "Julie", "--now"], local)
        _ok(["publish-due"], local)
        _ok(["worker", "--burst"], local)
        assert json.loads(_ok(["draft", "show", str(added["id"]), "--json"], local))["state"] == "published"
        _ok(["report", "--from", "2026-01-01", "--to", "2026-12-31"], local)
        _ok(["calendar", "export"], local)
    finally:
        run_cli(["stop"], local)
    data = Path(env["BALISE_DATA_DIR"])
    for folder in ("media/consents", "media/upload", "outbox", "reports", "redis"):
        assert any(p.is_file() for p in (data / folder).rglob("*")), folder
    assert _open_to_others(data, *_database_files(env)) == []


def test_balise_s_own_files_are_private_even_when_used_as_a_library(
    env: dict[str, str], tmp_path: Path, usual_umask: None
) -> None:
    """Without `balise`'s entry point (and its umask), balise still creates the database, the
    photo, its upload copy and the outbox entry 0600."""
    org, author, approver = make_org()
    post_id = photo_post(org, author, (), photo=with_gps("coffee.jpg", tmp_path / "IMG_0042.jpg"))
    assert gate(post_id)[0] == "approved"
    assert [publish_target(t, "w")[0] for t in _sign(post_id, approver)] == ["published"]
    data = get_settings().data_path
    assert list((data / "media" / "upload").rglob("*.jpeg")) and list((data / "outbox").glob("*.json"))
    assert _open_to_others(data, *_database_files(env)) == []


def test_a_data_directory_left_open_by_an_older_version_is_closed_on_start(env: dict[str, str]) -> None:
    make_org()
    data = Path(env["BALISE_DATA_DIR"])
    old_photo = data / "media" / "ab" / "abcdef.jpg"
    old_photo.parent.mkdir(parents=True, exist_ok=True)
    old_photo.write_bytes(b"jpeg")
    (data / "notes-de-julie.txt").write_text("pas à balise")
    for path, mode in ((data, 0o755), (data / "media", 0o755), (old_photo.parent, 0o755), (old_photo, 0o644),
                       (data / "notes-de-julie.txt", 0o644)):  # fmt: skip
        path.chmod(mode)
    _ok(["draft", "list"], env)
    assert _open_to_others(data) == [f"{data / 'notes-de-julie.txt'} -rw-r--r--"]  # not balise's: left as it was


def test_the_secret_key_is_never_in_a_file_another_account_could_read(env: dict[str, str]) -> None:
    """Someone who opened the existing 0644 settings file before `balise init` reads no key through it."""
    config = Path(env["BALISE_CONFIG"])
    config.write_text('lang = "fr"\n', encoding="utf-8")
    config.chmod(0o644)
    with config.open(encoding="utf-8") as opened_before:
        _ok(["init", "--name", "ESPACE Exemple", "--admin", "Julie Gagnon", "--email", "julie@exemple.org"], env)
        assert "secret_key" not in opened_before.read()
    assert "secret_key" in config.read_text(encoding="utf-8") and 'lang = "fr"' in config.read_text(encoding="utf-8")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
