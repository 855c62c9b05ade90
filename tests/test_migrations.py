"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and carry
the data over."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import balise.db
import balise.models  # noqa: F401  (registers every table on SQLModel.metadata)
from balise.db import MIGRATIONS, make_engine, migrate, newest_revision


def test_the_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_the_newest_revision_read_from_file_names_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_database_at_the_newest_revision_starts_without_alembic(database_url: str) -> None:
    """Every command opens the database: one query, not Alembic and every migration script."""
    engine = make_engine(database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    code = (
        "import sys\nfrom balise.db import make_engine, migrate\n"
        f"migrate(make_engine({database_url!r}))\nprint('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"


def _upgrade(engine: Engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(balise.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def _insert(connection: sa.Connection, table_name: str, **given: object) -> int:
    """A row of `table_name` as the schema stands: `given`, and a plain value in every other required column."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    plain = {sa.Integer: 1, sa.Boolean: False, sa.DateTime: datetime(2026, 1, 1), sa.JSON: []}
    values = dict(given)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        values[column.name] = next((v for kind, v in plain.items() if isinstance(column.type, kind)), f"{table_name}-x")
    return int(connection.execute(table.insert().values(**values)).inserted_primary_key[0])


def test_the_outbox_keeps_what_it_can_across_the_notice_rows_migration(database_url: str) -> None:
    """0010: sign-off requests carry over; mails an older version wrote in words are tied to their
    member, and those still pending are dropped (they cannot be put in words again)."""
    engine = make_engine(database_url)
    try:
        _upgrade(engine, "0008")
        with engine.begin() as connection:
            org = _insert(connection, "organization", slug="espace")
            julie = _insert(connection, "member", org_id=org, name="Julie", email="julie@exemple.org")
            marie = _insert(connection, "member", org_id=org, name="Marie", email="marie@exemple.org")
            post = _insert(connection, "post", org_id=org, author_id=marie)
            mail = {"post_id": post, "version": 1, "state": "pending", "attempts": 0, "recipients": "", "subject": ""}
            _insert(connection, "outboxmail", **mail, member_id=julie, reminder=True, body="")
            _insert(connection, "outboxmail", **{**mail, "recipients": "marie@exemple.org"}, body="Nouvelle")
            _insert(connection, "outboxmail", **{**mail, "state": "sent", "recipients": "x@y.org, marie@exemple.org"},
                    body="Envoyée")  # fmt: skip
            _insert(connection, "outboxmail", **{**mail, "recipients": "partie@exemple.org"}, body="Personne")
        _upgrade(engine, "head")
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT member_id, kind, state, news FROM outboxmail ORDER BY id")).all()
        assert [(m, k, s) for m, k, s, _ in rows] == [
            (julie, "reminder", "pending"), (marie, "author", "dropped"), (marie, "author", "sent"),
        ]  # fmt: skip
        assert all(news in ({}, "{}") for *_, news in rows)
    finally:
        engine.dispose()
