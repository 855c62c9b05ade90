"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

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
