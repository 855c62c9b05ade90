"""The README's `sh` blocks run as typed, in order, in a fresh data directory.

A reader follows the README from top to bottom: every line of every `sh` block is run here with
the installed `balise`, against the embedded Redis and SQLite of a temporary data directory, with
the fake Facebook and X servers as the accounts `accounts check` checks. `text` blocks (install,
real servers, cron, commands that never end) are not run: the README says so.

When a command's output or exit code changes on purpose, change its line in `EXPECTED` only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.facebook_server import FakeFacebook
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
RUN_TIMEOUT = 180


@dataclass(frozen=True)
class Expect:
    """What one README command needs (`stdin`, as a person would answer) and shows."""

    stdin: str = ""
    exit_code: int = 0
    shows: tuple[str, ...] = ()


# One entry per command whose expectations differ from "exits 0", keyed by the start of its line.
EXPECTED: dict[str, Expect] = {
    "balise demo": Expect(shows=("3 publication(s) sur 6",)),
    # the organization, its zone, the admin; then Enter skips the mail server, the sender, the public
    # address and connecting the accounts
    "balise init": Expect(
        stdin="ESPACE Exemple\n\nChantal Roy\nchantal@exemple.org\n" + "\n" * 8, shows=("ESPACE Exemple",)
    ),
    'balise draft add "Offre': Expect(shows=("n° 7 ",)),  # the number the next lines use
    'balise inbox --as "Julie Gagnon"': Expect(shows=("n° 7",)),
    'balise approve 7 --as "Julie Gagnon"': Expect(shows=("n° 7",)),
    "balise draft show 7": Expect(shows=("planifiée", "Marie")),  # the name may wrap at 80 columns
    'balise people add "Léa Côté"': Expect(shows=("Anne Côté",)),
    'balise draft add "Retour en photos': Expect(shows=("n° 8 ",)),
    "balise draft show 8": Expect(shows=("Photo 1 (exemple-atelier.jpg)", "Léa Côté (mineur·e)", "2030-06-30")),
    "balise accounts check": Expect(shows=("Facebook", "X")),
    "balise import docs/modele-import.csv": Expect(shows=("5 brouillon(s)",)),
}


def readme_blocks(text: str) -> list[tuple[str, str]]:
    """Each fenced block of the README as (language, body)."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text)]


def readme_commands(text: str) -> list[str]:
    """The lines of the `sh` blocks, in order, without blank lines."""
    return [line for lang, body in readme_blocks(text) if lang == "sh" for line in body.splitlines() if line.strip()]


def expectation(command: str) -> Expect:
    found = [expect for start, expect in EXPECTED.items() if command.startswith(start)]
    assert len(found) <= 1, f"several EXPECTED entries match: {command}"
    return found[0] if found else Expect()


@pytest.fixture
def reader_env(tmp_path: Path, fake_facebook: FakeFacebook, fake_x: FakeX) -> Iterator[dict[str, str]]:
    """A person's shell: nothing of balise set but a fresh data directory and the accounts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_") and k != "REDIS_URL"}
    env.update(
        BALISE_DATA_DIR=str(tmp_path / "data"),
        BALISE_CONFIG=str(tmp_path / "config" / "balise.toml"),
        BALISE_SESSION_FILE=str(tmp_path / "config" / "session.json"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        **FakeAccount("facebook", fake_facebook).env(),
        **FakeAccount("x", fake_x).env(),
    )
    yield env
    subprocess.run(["balise", "stop"], env=env, capture_output=True, timeout=60, check=False)


def test_every_expectation_names_one_readme_command() -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    for start in EXPECTED:
        assert sum(c.startswith(start) for c in commands) == 1, f"EXPECTED names no README command: {start}"


def test_readme_blocks_are_sh_text_or_toml() -> None:
    langs = {lang for lang, _ in readme_blocks(README.read_text(encoding="utf-8"))}
    assert langs <= {"sh", "text", "toml"}, langs


def test_readme_commands_run_as_typed(reader_env: dict[str, str], tmp_path: Path) -> None:
    """The README's commands, in order, as a person types them in the clone's folder."""
    clone = tmp_path / "clone"
    (clone / "docs").mkdir(parents=True)
    for name in ("modele-import.csv", "exemple-atelier.jpg"):
        shutil.copy(ROOT / "docs" / name, clone / "docs")
    for command in readme_commands(README.read_text(encoding="utf-8")):
        expect = expectation(command)
        run = subprocess.run(
            ["bash", "-c", command],
            env=reader_env,
            cwd=clone,
            input=expect.stdin,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        said = run.stdout + run.stderr
        assert run.returncode == expect.exit_code, f"{command}\nexit {run.returncode}\n{said}"
        assert "Traceback" not in said, f"{command}\n{said}"
        for text in expect.shows:
            assert text in said, f"{command}: « {text} » missing from\n{said}"
