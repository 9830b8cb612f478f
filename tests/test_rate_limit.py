"""Rate limits: per key, sliding, counted in the database every worker shares; the clock is an input."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrate import alembic_config
from app.web.rate_counts import PRUNE_EVERY_S, DatabaseCounts, MemoryCounts
from app.web.rate_limit import RateLimiter, SiteLimits, client_key
from tests.conftest import new_postgres_database


class Clock:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_and_window_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=3, window_s=60, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    assert 1 <= limiter.retry_after("a") <= 120
    clock.now += 121  # two windows on: nothing of the burst is left
    assert limiter.retry_after("a") == 0 and limiter.allow("a")


def test_the_previous_window_still_weighs_so_a_boundary_is_no_double_allowance() -> None:
    clock = Clock()  # 1000.0: 40 s into the window starting at 960
    limiter = RateLimiter(limit=10, window_s=60, clock=clock)
    assert all(limiter.allow("a") for _ in range(10))
    clock.now = 1021.0  # just past the boundary: 59/60 of those ten still count
    assert not limiter.allow("a")
    clock.now = 1080.0 - 1  # near the end of the new window the old one has almost faded
    assert limiter.retry_after("a") == 0 and limiter.allow("a")


def test_refusals_say_how_long_to_wait() -> None:
    clock = Clock()
    limits = SiteLimits(clock=clock)
    verdicts = [limits.hit("client", limit=2, window_s=60) for _ in range(3)]
    assert [bool(v) for v in verdicts] == [True, True, False]
    assert 1 <= verdicts[-1].retry_after <= 120
    clock.now += verdicts[-1].retry_after
    assert limits.hit("client", limit=2, window_s=60)


def test_memory_stays_bounded_under_many_clients() -> None:
    clock, store = Clock(), MemoryCounts()
    limiter = RateLimiter(limit=1, window_s=60, store=store, clock=clock)
    for n in range(1000):
        clock.now += 1
        limiter.allow(f"client-{n}")
    assert len(store) <= 2 * 60 + PRUNE_EVERY_S


def test_client_keys_hide_the_address() -> None:
    key = client_key("203.0.113.7", secret="s")
    assert "203" not in key and key == client_key("203.0.113.7", secret="s")
    assert key != client_key("203.0.113.7", secret="other")


def test_two_stores_on_one_database_share_one_limit(engine: Engine, db_url: str) -> None:
    other = make_engine(db_url)  # a second pool, as a second worker process has
    try:
        clock = Clock()
        first = SiteLimits(clock=clock, store=DatabaseCounts(engine))
        second = SiteLimits(clock=clock, store=DatabaseCounts(other))
        attempts = range(SiteLimits.LOGINS_PER_15_MINUTES + 1)
        allowed = [(first if n % 2 else second).logins.allow("k") for n in attempts]
    finally:
        other.dispose()
    assert allowed == [True] * SiteLimits.LOGINS_PER_15_MINUTES + [False]
    assert first.logins.retry_after("k") >= 1 and first.lookups.allow("k")  # other limits: own counts


def test_concurrent_hits_are_each_counted_once(engine: Engine) -> None:
    store = DatabaseCounts(engine)
    counts: list[int] = []

    def hit() -> None:
        for _ in range(10):
            counts.append(store.hit("k", window_s=60, now=1000.0)[0])

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 41))  # the upsert returns each count exactly once


def test_expired_windows_are_deleted(engine: Engine) -> None:
    store = DatabaseCounts(engine)
    store.hit("old", window_s=60, now=1000.0)
    store.hit("new", window_s=60, now=1000.0 + 3 * 60)  # `old` expired at 960 + 120
    with engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT key FROM rate_limit_count")).scalars().all()
    assert keys == ["new"]
    assert store.peek("new", window_s=60, now=1180.0) == (1, 0)


@pytest.mark.postgres
def test_counts_are_unlogged_on_postgresql(postgres_base_url: str) -> None:
    migrated, created = new_postgres_database(postgres_base_url), new_postgres_database(postgres_base_url)
    command.upgrade(alembic_config(migrated), "head")
    engine = make_engine(created)
    SQLModel.metadata.create_all(engine)  # as the tests' databases are made
    engine.dispose()
    for url in (migrated, created):
        engine = make_engine(url)
        with engine.connect() as conn:
            persistence = conn.execute(sa.text(
                "SELECT relpersistence FROM pg_class WHERE relname = 'rate_limit_count'")).scalar_one()
        engine.dispose()
        assert persistence == "u", url
