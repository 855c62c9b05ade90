"""One embedded Redis per data directory, shared by every command, with no REDIS_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from balise.queue.embedded import EmbeddedRedis
from tests.conftest import run_cli


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BALISE_") and k != "REDIS_URL"}
    environ |= {"BALISE_DATA_DIR": str(tmp_path / "data"), "BALISE_CONFIG": str(tmp_path / "balise.toml")}
    yield environ
    EmbeddedRedis(tmp_path / "data").stop()


def _ok(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = run_cli(args, environ)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def test_each_command_in_its_own_process_shares_the_embedded_queue(embedded_env: dict[str, str]) -> None:
    _ok(["init", "--name", "ESPACE Test", "--admin", "Julie", "--email", "julie@exemple.org"], embedded_env)
    _ok(["member", "add", "Marie", "--email", "marie@exemple.org", "--role", "author"], embedded_env)
    added = _ok(
        ["draft", "add", "Offre d'emploi : animatrice pour nos ateliers de prévention.", "-p", "sandbox",
         "--at", "maintenant", "--as", "Marie", "--json"],
        embedded_env,
    )  # fmt: skip
    post_id = json.loads(added.stdout)["id"]
    _ok(["worker", "--queue", "compliance", "--burst"], embedded_env)
    assert (
        json.loads(_ok(["draft", "show", str(post_id), "--json"], embedded_env).stdout)["state"] == "awaiting_signoff"
    )
    _ok(["approve", str(post_id), "--as", "Julie", "--now"], embedded_env)
    _ok(["publish-due"], embedded_env)
    _ok(["worker", "--burst"], embedded_env)
    shown = json.loads(_ok(["draft", "show", str(post_id), "--json"], embedded_env).stdout)
    assert shown["state"] == "published"
    assert shown["targets"][0]["state"] == "published" and shown["targets"][0]["url"]
    outbox = list((Path(embedded_env["BALISE_DATA_DIR"]) / "outbox").glob("*.json"))
    assert len(outbox) == 1
    _ok(["stop"], embedded_env)
    assert not EmbeddedRedis(Path(embedded_env["BALISE_DATA_DIR"])).alive()


def test_a_stale_pid_file_is_recovered(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    server.dir.mkdir(parents=True)
    # A pid file naming a live process that is not our server (this test's own python).
    server.pidfile.write_text(str(os.getpid()))
    try:
        client = server.ensure_running()
        assert client.ping() and server.pid() != os.getpid()
    finally:
        server.stop()


def test_the_embedded_queue_survives_a_restart(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    try:
        server.ensure_running().rpush("rq:queue:publish", "job-1")
        server.stop()
        assert server.ensure_running().lrange("rq:queue:publish", 0, -1) == [b"job-1"]
    finally:
        server.stop()


def _gone_within(server: EmbeddedRedis, seconds: float) -> bool:
    """Looks at the process, not through a connection: connecting would be use."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.pid() is None:
            return True
        time.sleep(0.1)
    return False


def _watchdog_left(server: EmbeddedRedis) -> bool:
    """No process is still watching this server's socket (a zombie has left: it only awaits reaping)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        watching = [
            p for p in psutil.process_iter(["cmdline", "status"])
            if p.info["status"] != psutil.STATUS_ZOMBIE and str(server.socket) in " ".join(p.info["cmdline"] or [])
        ]  # fmt: skip
        if not watching:
            return True
        time.sleep(0.1)
    return False


def test_an_idle_embedded_server_shuts_itself_down_and_keeps_its_queue(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, idle_seconds=1.5)
    try:
        client = server.ensure_running()
        client.rpush("rq:queue:publish", "job-1")
        holder = server.client()
        holder.ping()  # a worker stays connected: that is use
        assert not _gone_within(server, 3.5)
        holder.close()
        client.close()
        assert _gone_within(server, 10)
        assert _watchdog_left(server)
        assert EmbeddedRedis(tmp_path).ensure_running().lrange("rq:queue:publish", 0, -1) == [b"job-1"]
    finally:
        server.stop()


def test_a_command_now_and_then_keeps_the_embedded_server_up(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, idle_seconds=2)
    try:
        server.ensure_running().close()
        for _ in range(6):  # a short command every half second, as cron and people do
            time.sleep(0.5)
            one = server.client()
            one.ping()
            one.close()
        assert server.pid() is not None
        assert _gone_within(server, 10)
    finally:
        server.stop()


def test_balise_demo_runs_on_a_machine_with_nothing_configured(embedded_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "balise.cli.main", "demo"], env=embedded_env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "publiée" in result.stdout and "refusée" in result.stdout
    assert len(list((Path(embedded_env["BALISE_DATA_DIR"]) / "outbox").glob("*.json"))) >= 2
