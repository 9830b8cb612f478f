"""Alembic environment: compares against SQLModel.metadata; batch mode on SQLite.

The Config is built in code by app.migrate (no alembic.ini), so the URL comes from there.
A connection passed in `config.attributes["connection"]` is reused (tests, one transaction).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables and the naming convention)
from app.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _configure(*, sqlite: bool, **kwargs: object) -> None:
    """Options shared by offline and online runs: batch on SQLite, compare column types."""
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`--sql`) without a database."""
    url = config.get_main_option("sqlalchemy.url") or ""
    _configure(sqlite=url.startswith("sqlite"), url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(sqlite=connection.dialect.name == "sqlite", connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through a live connection: the caller's, or one from app.db's engine factory."""
    given = config.attributes.get("connection")
    if given is not None:
        _run_on(given)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
