"""docker-compose.yml (read as YAML, no Docker engine needed): its services exist and run real balise
commands; the periodic work (`balise tick`) runs in the compose file and in the README's cron line."""

from __future__ import annotations

import re
import shlex

import yaml

from balise.cli.main import app
from tests.conftest import ROOT


def _balise_commands() -> set[str]:
    import typer.main

    group = typer.main.get_command(app)
    names = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        names.add(name)
        for sub in getattr(command, "commands", {}):
            names.add(f"{name} {sub}")
    return names


def test_compose_runs_redis_postgres_workers_and_cron() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"redis", "postgres", "compliance-worker", "publish-worker", "cron"} <= set(services)
    redis_command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_command and "--maxmemory-policy noeviction" in redis_command


def test_every_balise_command_in_compose_exists_in_the_cli() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    known = _balise_commands()
    seen = 0
    for service in compose["services"].values():
        words = shlex.split(" ".join(service.get("command", [])))
        for i, word in enumerate(words):
            if word == "balise":
                command = words[i + 1].rstrip(";")
                assert command in known, command
                seen += 1
    assert seen >= 3


def test_the_workers_serve_every_queue_and_only_queues_that_exist() -> None:
    from balise.queue.queues import QUEUES

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    served: set[str] = set()
    for service in compose["services"].values():
        words = service.get("command", [])
        if words[:2] != ["balise", "worker"]:
            continue
        named = {words[i + 1] for i, word in enumerate(words) if word == "--queue"}
        assert named <= set(QUEUES)
        served |= named or set(QUEUES)  # no --queue: every queue
    assert served == set(QUEUES)  # the mail queue too: notices are mailed by a worker


def test_a_service_runs_balise_tick_every_minute() -> None:
    """Consent expiries and sign-off reminders run in the documented deployment: `balise tick`
    runs both (tests/test_tick.py), and the cron service runs it in a loop."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    loops = [
        re.fullmatch(r"while true; do balise tick; sleep (\d+); done", service["command"][2])
        for service in compose["services"].values()
        if service.get("command", [])[:2] == ["sh", "-c"]
    ]
    periods = [int(loop.group(1)) for loop in loops if loop]
    assert periods and max(periods) <= 60, loops


def test_the_readme_cron_line_is_balise_tick_every_minute() -> None:
    block = re.search(r"```text\n(\* \* \* \* \*.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None
    lines = block.group(1).strip().splitlines()
    assert lines and all(re.fullmatch(r"\* \* \* \* \*\s+\S*balise tick( .*)?", line) for line in lines), lines
