"""Engine factory and the use-case boundary (the request-scoped session: app.web.deps.get_session).

SQLite gets foreign keys, WAL and a busy timeout on every connection; PostgreSQL needs
nothing special. Services flush, never commit: the route or command that owns a use-case
ends it with `commit_and_index` (or a plain commit when no product's search document changed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from search.engine import SearchEngine
from search.indexer import index_after_commit


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
    session.commit()
    return index_after_commit(session=session, engine=engine)
