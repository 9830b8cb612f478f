"""Engine factory and constraint naming convention (the request-scoped session: app.deps.get_session).

SQLite gets foreign keys, WAL and a busy timeout on every connection; PostgreSQL needs
nothing special. Services flush, never commit: the route or command that owns a use-case
ends it with `commit_and_index` (or a plain commit when no product's search document changed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

if TYPE_CHECKING:
    from search.engine import SearchEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their parent folder created."""
    if url.startswith("sqlite"):
        from pathlib import Path

        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def commit_and_index(*, session: Session, engine: SearchEngine) -> int | None:
    """The use-case boundary: commit the data with its outbox rows, then index the products they name.

    Returns the products re-synced, or None when the engine failed: the data stays committed
    and the outbox rows wait for the next apply (never raises for the engine).
    """
    # Imported here: search.indexer imports app.models, which imports this module first for
    # the naming convention, so a module-level import would declare the tables without it.
    from search.indexer import index_after_commit

    session.commit()
    return index_after_commit(session=session, engine=engine)
