"""`balise` starts fast (issue 19, item 12): its help lists every command without importing them, and
no command's help loads the database, the platform clients or NumPy. The timings themselves are in
benchmarks/cli_speed.py: a test on a shared machine can count imports, not seconds."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import typer.main

from balise.cli.lazy import summary
from balise.cli.main import COMMANDS, app

# What a command's help must not load: each costs tens of milliseconds to import.
HEAVY = ("tweepy", "facebook", "requests", "sqlalchemy", "sqlmodel", "numpy", "PIL", "cv2", "matplotlib",
         "jinja2", "pydantic_settings", "redis", "rq", "starlette", "uvicorn")  # fmt: skip
# Runs `balise ARGS`, then prints which of `watched` it imported, one line per argument list.
PROBE = """
import contextlib, io, sys
from balise.cli.main import main
for args in {runs!r}:
    with contextlib.redirect_stdout(io.StringIO()):
        main(args)
    print(" ".join(args), ":", " ".join(m for m in {watched!r} if m in sys.modules))
"""


def _probe(runs: list[list[str]], watched: tuple[str, ...] = HEAVY) -> dict[str, list[str]]:
    code = PROBE.format(runs=runs, watched=watched)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    lines = [line.partition(" : ") for line in done.stdout.splitlines()]
    return {args: loaded.split() for args, _, loaded in lines}


def test_balise_help_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from balise.cli.main import run; run()", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    listed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("│ ") and len(line.split()) > 2]
    assert [name for name in listed if name in COMMANDS] == list(COMMANDS)


def test_each_summary_is_the_first_paragraph_of_its_commands_help() -> None:
    group = typer.main.get_command(app)
    for name in COMMANDS:
        command = group.commands[name]  # type: ignore[attr-defined]
        help_text = command.short_help or command.help or ""
        assert summary(name) == inspect.cleandoc(help_text).split("\n\n")[0].strip(), name


def test_balise_help_imports_no_command_and_no_heavy_library() -> None:
    command_modules = tuple(dict.fromkeys(entry.target.partition(":")[0] for entry in COMMANDS.values()))
    loaded = _probe([["--help"], []], (*HEAVY, *command_modules))
    assert loaded == {"--help": [], "": []}


def test_no_commands_help_imports_a_heavy_library() -> None:
    runs = [[name, "--help"] for name in COMMANDS] + [["draft", "add", "--help"], ["accounts", "check", "--help"]]
    loaded = _probe(runs)
    assert len(loaded) == len(runs)
    assert {args: modules for args, modules in loaded.items() if modules} == {}


def test_version_prints_the_installed_packages_version_without_loading_a_command() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from balise.cli.main import run; run()", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"balise \d+\.\d+\.\d+\S*\n", done.stdout), done.stdout
    command_modules = tuple(dict.fromkeys(entry.target.partition(":")[0] for entry in COMMANDS.values()))
    assert _probe([["--version"]], (*HEAVY, *command_modules)) == {"--version": []}
