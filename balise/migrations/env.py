"""Alembic environment: balise passes its own connection (see `balise.db.migrate`)."""

from alembic import context
from sqlmodel import SQLModel

import balise.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic revision --autogenerate` from a developer's shell
    from balise.config import get_settings
    from balise.db import make_engine

    connection = make_engine(get_settings().effective_database_url).connect()

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Two workers starting at once on a new database must not both create the tables.
        context.execute("SELECT pg_advisory_xact_lock(4242)")
    context.run_migrations()
