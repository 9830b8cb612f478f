"""Engine factory and the use-case boundary (the request-scoped session: app.web.deps.get_session).

SQLite gets foreign keys, WAL and a busy timeout on every connection; PostgreSQL needs
nothing special. Services flush, never commit: the route or command that owns a use-case
ends it with `commit_and_index` (or a plain commit when no product's search document changed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from search.engine import SearchEngine
from search.indexer import index_after_commit

MAIL_QUEUED = "cnnt.mail_queued"  # session.info: this transaction queued mail
MAIL_WAKE = "cnnt.mail_wake"  # session.info: called (no arguments, must not block) after such a commit


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


def note_mail_queued(session: Session) -> None:
    """Remember that this transaction queued mail, so its commit wakes the sender."""
    session.info[MAIL_QUEUED] = True


def wake_mail_on_commit(session: Session, wake: Callable[[], None]) -> None:
    """Have every commit of `session` that queued mail call `wake` (the sender's, which returns at once)."""
    session.info[MAIL_WAKE] = wake


@event.listens_for(OrmSession, "after_commit")
def _mail_after_commit(session: OrmSession) -> None:
    """The mail a committed transaction queued is sent now, in the background (never raises)."""
    if session.info.pop(MAIL_QUEUED, False) and (wake := session.info.get(MAIL_WAKE)) is not None:
        wake()


@event.listens_for(OrmSession, "after_rollback")
def _mail_after_rollback(session: OrmSession) -> None:
    """Rolled back: the queued rows are gone, nothing to wake the sender for."""
    session.info.pop(MAIL_QUEUED, None)
