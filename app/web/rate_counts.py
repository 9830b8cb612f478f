"""Where rate-limit counts live: the database, so every worker and machine counts together.

A count is the hits of one key in one fixed window (`window_start`, whole seconds since the
epoch); the limiter weighs the previous window's count to slide (app/web/rate_limit.py). Each
hit is one atomic upsert that returns the new count (INSERT … ON CONFLICT DO UPDATE … RETURNING,
SQLite ≥ 3.35 and PostgreSQL), on its own connection and committed at once: a use-case that fails
afterwards still counted. Rows expire after two windows and are deleted at most once a minute per
process, one indexed DELETE. On PostgreSQL the table is UNLOGGED (no WAL; emptied by a crash,
which only forgives the current windows).

`MemoryCounts` keeps the same counts in this process only: for unit tests and one-off apps.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.models import RateLimitCount

PRUNE_EVERY_S = 60
# Both dialects' insert() have on_conflict_do_update; their types share no base that says so.
_UPSERT_INSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def window_start(now: float, window_s: int) -> int:
    """The start of the fixed window holding `now`."""
    return int(now // window_s) * window_s


class CountStore(Protocol):
    """Counts per (key, fixed window)."""

    def hit(self, key: str, *, window_s: int, now: float) -> tuple[int, int]:
        """Count a hit; (this window's count with it, the previous window's count)."""

    def peek(self, key: str, *, window_s: int, now: float) -> tuple[int, int]:
        """(this window's count, the previous window's count), counting nothing."""


class DatabaseCounts:
    """Counts in the `rate_limit_count` table, shared by every process on the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pruned_at = 0.0
        insert = _UPSERT_INSERTS.get(engine.dialect.name)
        if insert is None:
            raise NotImplementedError(f"rate limits need SQLite or PostgreSQL, not {engine.dialect.name}")
        self._insert = insert

    def hit(self, key: str, *, window_s: int, now: float) -> tuple[int, int]:
        """One upsert returning the new count, and one primary-key read of the previous window."""
        start = window_start(now, window_s)
        upsert = self._insert(RateLimitCount).values(key=key, window_start=start, count=1,
                                                     expires_at=start + 2 * window_s)
        upsert = upsert.on_conflict_do_update(index_elements=["key", "window_start"],
                                              set_={"count": col(RateLimitCount.count) + 1})
        with self.engine.begin() as conn:
            current = int(conn.execute(upsert.returning(col(RateLimitCount.count))).scalar_one())
            previous = self._count(conn, key, start - window_s)
        self._prune(now)
        return current, previous

    def peek(self, key: str, *, window_s: int, now: float) -> tuple[int, int]:
        """Two primary-key reads."""
        start = window_start(now, window_s)
        with self.engine.connect() as conn:
            return self._count(conn, key, start), self._count(conn, key, start - window_s)

    @staticmethod
    def _count(conn: sa.Connection, key: str, start: int) -> int:
        """The count of `key` in the window starting at `start` (0 when none)."""
        query = sa.select(col(RateLimitCount.count)).where(col(RateLimitCount.key) == key,
                                                           col(RateLimitCount.window_start) == start)
        return int(conn.execute(query).scalar() or 0)

    def _prune(self, now: float) -> None:
        """Delete expired windows, at most once per PRUNE_EVERY_S in this process."""
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        with self.engine.begin() as conn:
            conn.execute(sa.delete(RateLimitCount).where(col(RateLimitCount.expires_at) <= now))


class MemoryCounts:
    """The same counts in this process's memory (not shared between workers): tests, one-off apps."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], tuple[int, int]] = {}  # (key, start) → (count, expires_at)
        self._pruned_at = 0.0
        self._lock = threading.Lock()

    def hit(self, key: str, *, window_s: int, now: float) -> tuple[int, int]:
        """Count a hit in this process."""
        start = window_start(now, window_s)
        with self._lock:
            self._prune(now)
            count = self._counts.get((key, start), (0, 0))[0] + 1
            self._counts[key, start] = (count, start + 2 * window_s)
            return count, self._counts.get((key, start - window_s), (0, 0))[0]

    def peek(self, key: str, *, window_s: int, now: float) -> tuple[int, int]:
        """Read without counting."""
        start = window_start(now, window_s)
        with self._lock:
            return (self._counts.get((key, start), (0, 0))[0],
                    self._counts.get((key, start - window_s), (0, 0))[0])

    def __len__(self) -> int:
        """Windows held (expired ones go at the next prune)."""
        return len(self._counts)

    def _prune(self, now: float) -> None:
        """Forget expired windows, at most once per PRUNE_EVERY_S (the caller holds the lock)."""
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        for window in [w for w, (_, expires_at) in self._counts.items() if expires_at <= now]:
            del self._counts[window]
