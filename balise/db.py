"""The database engine and sessions; the schema is brought up to date by Alembic on first use."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, create_engine

from balise.config import get_settings
from balise.errors import ConfigError
from balise.masking import mask_url_password
from balise.private import private_database, tighten_data_dir

# How long a writer waits for another's transaction before "database is locked" (SQLite), and
# how often it looks meanwhile.
LOCK_WAIT_MS = 30_000
LOCK_POLL = 0.0005
READ_ONLY = "balise_read_only"  # a connection's execution option, set by `read_scope`
CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


@contextmanager
def _writable(path: Path) -> Iterator[None]:
    """An OSError while preparing a folder of balise's says which folder and why."""
    try:
        yield
    except OSError as exc:
        raise ConfigError("db.data_dir_not_writable", path=path, detail=exc.strerror or str(exc)) from exc


def _check_data_dir(path: Path) -> None:
    """The data directory exists, is private (an older version left it 0755) and can be written."""
    with _writable(path):
        tighten_data_dir(path)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()


def make_engine(url: str) -> Engine:
    """An engine for `url`; a malformed URL raises `ConfigError` naming BALISE_DATABASE_URL."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("db.bad_url", url=mask_url_password(url)) from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, object] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            with _writable(Path(parsed.database).parent):
                private_database(Path(parsed.database))
        kwargs["connect_args"] = {"timeout": LOCK_WAIT_MS / 1000}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
        raise ConfigError("db.bad_url", url=mask_url_password(url)) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        sa.event.listen(engine, "handle_error", _sqlite_corrupt)
    # `balise worker`'s supervisor forks the worker, and RQ forks its scheduler process: a child
    # must not reuse its parent's sockets.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Let SQLAlchemy's "begin" event decide how transactions start (pysqlite recipe).
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the worker's writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    cursor.close()


def _sqlite_corrupt(context: sa.engine.ExceptionContext) -> None:
    """A damaged SQLite file fails on whichever page a statement reads first, anywhere in balise:
    say so once, here, instead of a traceback. The failed statement's transaction is rolled back."""
    error = context.original_exception
    if isinstance(error, sqlite3.DatabaseError) and error.sqlite_errorcode in CORRUPT:
        raise ConfigError("db.corrupt", path=context.engine.url.database if context.engine else "?", detail=error)


def _sqlite_begin(connection: sa.Connection) -> None:
    """Take the write lock at BEGIN (`read_scope` aside): several processes (workers, cron, CLI)
    write, and a read-then-write transaction upgraded later would fail with SQLITE_BUSY under WAL.

    The wait for the lock is ours, looking every LOCK_POLL s: SQLite's busy handler sleeps 1, 2,
    5, 10... up to 100 ms between looks, long after the other writer's 1 ms transaction ended.
    With two workers and a person approving, a worker slept half its time there (benchmarks.md).
    """
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")  # one snapshot for the reads; WAL readers wait for no one
        return
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("PRAGMA busy_timeout=0")  # a taken lock answers SQLITE_BUSY at once
    try:
        deadline = time.monotonic() + LOCK_WAIT_MS / 1000
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(LOCK_POLL)
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # fails again, as SQLAlchemy reports any error
    finally:
        raw.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")


@cache
def get_engine() -> Engine:
    """The process's engine, with the schema migrated to the newest revision."""
    settings = get_settings()
    _check_data_dir(settings.data_path)
    engine = make_engine(settings.effective_database_url)
    migrate(engine)
    return engine


MIGRATIONS = Path(__file__).parent / "migrations"


def newest_revision() -> str:
    """The newest migration's revision, read from its file name: `0009_login.py` is revision 0009
    (tests/test_migrations.py checks that Alembic agrees)."""
    return max(path.name.split("_")[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def migrate(engine: Engine) -> None:
    """Apply Alembic migrations up to head (idempotent). A database already there is told by one
    query, without loading Alembic and every migration script: that took 0.1 s of each command."""
    try:
        with engine.connect() as connection:
            if _revision(connection.execution_options(**{READ_ONLY: True})) == newest_revision():
                return
        _upgrade(engine)
    except OperationalError as exc:
        raise ConfigError("db.unreachable", url=_masked(engine), detail=mask_url_password(str(exc.orig))) from exc


def _revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def _masked(engine: Engine) -> str:
    return mask_url_password(engine.url.render_as_string(hide_password=False))


def reset_engine() -> None:
    """Forget the cached engine (tests switch databases)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: no half-written state."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope() -> Iterator[Session]:
    """A session that only reads: on SQLite it takes no write lock, so no writer waits for it.
    It never commits."""
    with Session(get_engine(), expire_on_commit=False) as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session
