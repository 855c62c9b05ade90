"""Fixtures that start real parts: Redis (balise's embedded one, or the machine's server when
BALISE_TEST_SHARED_SERVICES=1), and a fresh database per test on SQLite and, with that same
variable (CI sets it), on the PostgreSQL of 127.0.0.1:5432. A developer's own servers on the
default ports are never touched unless asked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from balise.config import reset_settings
from balise.db import reset_engine
from balise.queue.connection import reset_redis
from balise.queue.embedded import EmbeddedRedis
from tests.fakes.fixtures import *  # noqa: F403  (fake_facebook, fake_x, fake_platform, FakeAccount)
from tests.smtp import mailbox  # noqa: F401  (a real SMTP server)

SHARED = os.environ.get("BALISE_TEST_SHARED_SERVICES") == "1"
PG_BASE = os.environ.get("BALISE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _postgres_ready() -> bool:
    if not SHARED or not _listening(5432):
        return False
    import sqlalchemy as sa

    try:
        sa.create_engine(PG_BASE).connect().close()
    except sa.exc.SQLAlchemyError:
        return False
    return True


POSTGRES = _postgres_ready()
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES, reason="BALISE_TEST_SHARED_SERVICES=1 not set")),
]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis on 127.0.0.1:6379 when shared services are asked for, else an embedded one.

    On the shared server each test run claims a database of its own (1 to 15), so two runs
    at once on one machine never flush each other's queues.
    """
    if SHARED and _listening(6379):
        claims = redis.Redis(host="127.0.0.1", port=6379, db=0)
        for db in range(1, 16):
            if claims.set(f"balise-tests:claim:{db}", os.getpid(), nx=True, ex=3 * 3600):
                yield f"redis://127.0.0.1:6379/{db}"
                claims.delete(f"balise-tests:claim:{db}")
                return
        pytest.skip("every Redis database of 127.0.0.1:6379 is claimed by another test run")
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.ensure_running()
    yield f"unix://{server.socket}?db=0"
    server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'balise.db'}"
        return
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def env(tmp_path: Path, database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A whole balise installation for one test; returns the environment for subprocesses."""
    data = tmp_path / "data"
    values = {
        "BALISE_DATA_DIR": str(data),
        "BALISE_CONFIG": str(tmp_path / "balise.toml"),
        "BALISE_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BALISE_LANG": "fr",
        "BALISE_SESSION_FILE": str(tmp_path / "config" / "session.json"),  # never this account's own
    }
    for name in list(os.environ):
        if name.startswith("BALISE_"):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    redis.Redis.from_url(redis_url).flushdb()
    _reset()
    yield {**os.environ, **values}
    _reset()


def _reset() -> None:
    reset_settings()
    reset_engine()
    reset_redis()


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`balise ARGS` in its own process, as a person or a script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "balise.cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
