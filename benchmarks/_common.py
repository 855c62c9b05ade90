"""What the benchmarks share: a throw-away balise installation, signed-off posts, worker processes.

Everything runs on 127.0.0.1: the machine's Redis (a database number claimed like the tests do)
and PostgreSQL when asked for, a SQLite file in a temporary directory otherwise.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psutil
import redis
import sqlalchemy as sa
from sqlmodel import col

from balise.config import get_settings, reset_settings
from balise.db import reset_engine, session_scope
from balise.models import Member, Organization, Post
from balise.pipeline.after_commit import AfterCommit, run_after_commit
from balise.pipeline.draft import DraftInput, create_post
from balise.pipeline.signoff import LateChoice, approve
from balise.queue.connection import reset_redis
from balise.queue.embedded import EmbeddedRedis
from tests.fakes.fixtures import FakeAccount
from tests.fakes.x_server import FakeX
from tests.helpers import make_org

ROOT = Path(__file__).resolve().parent.parent
# The servers a benchmark may use, named as for the tests (never a developer's own by default).
PG_BASE = os.environ.get("BALISE_TEST_POSTGRES", "")
REDIS_SERVER = os.environ.get("BALISE_TEST_REDIS", "").rstrip("/")
CLAIM = "balise-tests:claim:{}"  # the same claims as tests/conftest.py: runs never share a database
# Text the gate approves (a job offer is on mission); `{n}` makes each post unique on the platform.
TEXT = "Offre d'emploi : ESPACE recrute une animatrice pour ses ateliers de prévention (poste n° {n})."


@dataclass(frozen=True)
class Installation:
    """A balise installation: its environment (for subprocesses) and where its data lives."""

    env: dict[str, str]
    database_url: str
    redis_url: str
    data_dir: Path


@contextmanager
def claimed_redis() -> Iterator[str]:
    """A database number of the machine's Redis that no test run or benchmark is using."""
    claims = redis.Redis.from_url(f"{REDIS_SERVER}/0")
    for db in range(1, 16):
        if claims.set(CLAIM.format(db), os.getpid(), nx=True, ex=3 * 3600):
            try:
                yield f"{REDIS_SERVER}/{db}"
            finally:
                claims.delete(CLAIM.format(db))
            return
    raise SystemExit(f"every Redis database of {REDIS_SERVER} is claimed")


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema of the local PostgreSQL dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'balise.db'}"
        return
    if not PG_BASE:
        raise SystemExit("--database postgresql : nommez le serveur avec BALISE_TEST_POSTGRES (voir README)")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        reset_engine()  # let go of the schema's connections before dropping it
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def installation(
    kind: str, settings: dict[str, str] | None = None, *, redis_url: str | None = None
) -> Iterator[Installation]:
    """This process configured for a new installation (and the same environment for children)."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="balise-bench-") as tmp:
        folder = Path(tmp)
        with database(kind, folder) as db_url, _redis(redis_url) as r_url:
            values = {
                "BALISE_DATA_DIR": str(folder / "data"),
                "BALISE_CONFIG": str(folder / "balise.toml"),
                "BALISE_DATABASE_URL": db_url,
                "REDIS_URL": r_url,
                "BALISE_LANG": "fr",
                "BALISE_SECRET_KEY": "benchmark-secret-key-not-for-production",
                **(settings or {}),
            }
            for name in [n for n in os.environ if n.startswith("BALISE_")]:
                del os.environ[name]
            os.environ.update(values)
            redis.Redis.from_url(r_url).flushdb()
            _reset()
            try:
                yield Installation(dict(os.environ), db_url, r_url, folder / "data")
            finally:
                os.environ.clear()
                os.environ.update(saved)
                _reset()


@contextmanager
def _redis(given: str | None) -> Iterator[str]:
    """The Redis given, the one BALISE_TEST_REDIS names (as CI), else an embedded one."""
    if given is not None:
        yield given
        return
    if REDIS_SERVER:
        with claimed_redis() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="balise-bench-redis-") as folder:
        server = EmbeddedRedis(Path(folder))
        server.ensure_running()
        try:
            yield f"unix://{server.socket}?db=0"
        finally:
            server.stop()


def _reset() -> None:
    reset_settings()
    reset_engine()
    reset_redis()


def x_account(fake: FakeX, http_timeout: float = 5) -> dict[str, str]:
    """The settings that point balise's X adapter at a fake X."""
    return {**FakeAccount("x", fake).env(), "BALISE_HTTP_TIMEOUT": str(http_timeout)}


def drafts(times: Sequence[datetime], platforms: tuple[str, ...], first: int = 0) -> list[int]:
    """One draft per time in `times`, each with its own text, waiting for the gate."""
    org_id, author_id, _ = _people()
    ids = []
    with session_scope() as session:
        org, author = session.get(Organization, org_id), session.get(Member, author_id)
        assert org and author
        media = get_settings().data_path / "media"
        for n, at in enumerate(times, start=first):
            draft = DraftInput(text=TEXT.format(n=n), platforms=platforms, scheduled_at=at)
            post = create_post(session, org, author, draft, media)
            assert post.id
            ids.append(post.id)
    return ids


def gate(post_ids: Sequence[int]) -> None:
    """Run the compliance gate on every draft, the way a worker does (burst, in process)."""
    from balise.pipeline.check import check_post

    for post_id in post_ids:
        check_post(post_id, 1)


def sign_off(post_ids: Sequence[int], *, enqueue: bool = True) -> list[int]:
    """The approver signs every post off (now, if late); each target is queued for its time, as the CLI does."""
    _, _, approver_id = _people()
    after = AfterCommit()
    with session_scope() as session:
        approver = session.get(Member, approver_id)
        assert approver
        for post_id in post_ids:
            post = session.get(Post, post_id)
            assert post
            org = session.get(Organization, post.org_id)
            assert org
            after += approve(session, org, post, approver, channel="cli", late=LateChoice(now=True))
    if enqueue:
        run_after_commit(after)
    return [job.target_id for job in after.publishes]


def _people() -> tuple[int, int, int]:
    with session_scope() as session:
        org = session.execute(sa.select(col(Organization.id))).scalar_one_or_none()
    if org is None:
        return make_org()
    with session_scope() as session:
        members = dict(session.execute(sa.select(col(Member.role), col(Member.id)).where(Member.org_id == org)).all())
    return org, members["author"], members["approver"]


class Worker:
    """A `balise worker` process; `kill()` is a crash (SIGKILL to it and its children)."""

    def __init__(self, env: dict[str, str], *args: str, log: Path | None = None) -> None:
        self.env, self.args, self.log = env, args, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with open(self.log or os.devnull, "ab") as out:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "balise.cli.main", "worker", *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def family(self) -> list[psutil.Process]:
        """The supervisor, the worker it forked and RQ's scheduler process (the worker's child)."""
        try:
            parent = psutil.Process(self.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kill(self) -> None:
        for process in self.family():
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """RQ's warm shutdown (SIGTERM: finish the current job), then a kill past `timeout`."""
        if self.process is None or self.process.poll() is not None:
            return
        family = self.family()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        for process in family:
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        self.process.wait(timeout=10)


@contextmanager
def workers(env: dict[str, str], count: int, *args: str, log: Path | None = None) -> Iterator[list[Worker]]:
    """`count` worker processes, all stopped on the way out."""
    started = [Worker(env, *args, log=log).start() for _ in range(count)]
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


def wait_for(condition: Callable[[], object], timeout: float, every: float = 0.2) -> bool:
    """Poll `condition()` until true or `timeout` seconds; True if it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max, for lateness and durations."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p99": p99, "max": ordered[-1]}


def load_note() -> str:
    """The machine's load when a figure was taken: figures on a busy 2-core machine say so."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"
