"""`balise` run at a terminal (a pseudo-terminal): what a person sees, and what she types."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from tests.conftest import ROOT


class Terminal:
    """One command at its own terminal; `until` waits for a text, whatever the line wrapping."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.main_end, terminal = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "balise.cli.main", *args],
            stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=ROOT,
        )  # fmt: skip
        os.close(terminal)
        self.shown = b""

    def until(self, text: str) -> None:
        deadline = time.monotonic() + 60
        while text.encode() not in b" ".join(self.shown.split()):
            assert time.monotonic() < deadline, self.shown.decode(errors="replace")
            if select.select([self.main_end], [], [], 1)[0]:
                self.shown += os.read(self.main_end, 4096)

    def type(self, line: str) -> None:
        os.write(self.main_end, f"{line}\n".encode())

    def exit_code(self) -> int:
        code = self.process.wait(30)
        os.close(self.main_end)
        return code
