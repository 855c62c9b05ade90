"""Fixtures that start real parts: Redis (balise's embedded one, or the server named by
BALISE_TEST_REDIS), and a fresh database per test on SQLite and, when BALISE_TEST_POSTGRES names
one, on PostgreSQL. `.ci/run` names the CI machine's servers; a developer's own Redis or
PostgreSQL on the default ports is never touched unless named."""

from __future__ import annotations

import os
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

TEST_REDIS = os.environ.get("BALISE_TEST_REDIS", "").rstrip("/")  # a server URL without a database number
PG_BASE = os.environ.get("BALISE_TEST_POSTGRES", "")  # e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test
ROOT = Path(__file__).resolve().parent.parent


def _postgres_ready() -> bool:
    """Whether the PostgreSQL variants run; a server named but unreachable stops the run, it is not skipped."""
    if not PG_BASE:
        return False
    import sqlalchemy as sa

    try:
        sa.create_engine(PG_BASE).connect().close()
    except sa.exc.SQLAlchemyError as exc:
        raise pytest.UsageError(f"BALISE_TEST_POSTGRES={PG_BASE} ne répond pas : {exc}") from exc
    return True


POSTGRES = _postgres_ready()
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES, reason="BALISE_TEST_POSTGRES not set")),
]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Redis named by BALISE_TEST_REDIS, else an embedded one for the run.

    On a named server each test run claims a database of its own (1 to 15), so two runs at once
    on one machine never flush each other's queues.
    """
    if TEST_REDIS:
        claims = redis.Redis.from_url(f"{TEST_REDIS}/0")
        for db in range(1, 16):
            if claims.set(f"balise-tests:claim:{db}", os.getpid(), nx=True, ex=3 * 3600):
                yield f"{TEST_REDIS}/{db}"
                claims.delete(f"balise-tests:claim:{db}")
                return
        pytest.skip(f"every Redis database of {TEST_REDIS} is claimed by another test run")
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
