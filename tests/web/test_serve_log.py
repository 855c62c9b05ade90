"""`balise serve`'s own log lines (uvicorn's) in the user's language, from start to Ctrl+C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from tests.smtp import free_port
from tests.web.conftest import SECRET


def serve_until_ready(env: dict[str, str], ready: str) -> str:
    """Start `balise serve`, wait (a minute at most) for the line `ready`, stop it as a person does
    (Ctrl+C); its whole log."""
    port = free_port()
    command = [sys.executable, "-m", "balise.cli.main", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env={**env, "BALISE_SECRET_KEY": SECRET}, cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    assert server.stderr is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(server.stderr.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None and not any(ready in line for line in lines):
        time.sleep(0.1)
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)
    reader.join(10)
    return "".join(lines)


@pytest.mark.parametrize(
    ("lang", "ready", "expected"),
    [
        (
            "fr",
            "Application prête.",
            ("Serveur démarré (processus", "balise serve répond à http://127.0.0.1:", "Application arrêtée."),
        ),
        (
            "en",
            "Application ready.",
            ("Server started (process", "balise serve answers at http://127.0.0.1:", "Application stopped."),
        ),
    ],
)
def test_the_server_log_speaks_the_users_language(
    env: dict[str, str], lang: str, ready: str, expected: tuple[str, ...]
) -> None:
    log = serve_until_ready({**env, "BALISE_LANG": lang}, ready)

    for words in expected:
        assert words in log, log
    for english in ("Uvicorn running", "Started server process", "Waiting for application", "Press CTRL+C"):
        assert english not in log, log
