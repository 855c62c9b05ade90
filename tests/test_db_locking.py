"""Writers take turns without sleeping past their turn; readers wait for no writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from balise import db
from balise.db import make_engine, read_scope, session_scope
from balise.models import Post
from tests.helpers import make_org, make_post


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[sa.Engine, sqlite3.Connection]]:
    """An engine on a new SQLite file, and a second connection to it, as another process has."""
    path = tmp_path / "locks.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    yield engine, other
    other.close()
    engine.dispose()


def test_a_writer_waits_for_the_lock_and_writes_once_it_is_free(
    sqlite_file: tuple[sa.Engine, sqlite3.Connection],
) -> None:
    engine, other = sqlite_file
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, other.commit).start()
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert other.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_a_writer_that_never_gets_the_lock_fails_as_any_query_would(
    sqlite_file: tuple[sa.Engine, sqlite3.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, other = sqlite_file
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    finally:
        other.rollback()
    with engine.connect() as connection:  # SQLite's own wait is back for the statements that follow
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 200


def test_a_reader_does_not_wait_for_a_writer_and_sees_what_was_committed(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "LOCK_WAIT_MS", 200)  # a reader that waited for the lock would fail
    org, author, _ = make_org()
    post_id = make_post(org, author, text="Offre d'emploi : animatrice")
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with session_scope() as session:
            post = session.get(Post, post_id)
            assert post
            post.text = "changé, pas encore validé"
            session.flush()
            writing.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        with read_scope() as session:
            post = session.get(Post, post_id)
            assert post and post.text == "Offre d'emploi : animatrice"
    finally:
        release.set()
        thread.join()
