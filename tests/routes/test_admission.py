"""Admission control: which requests are limited, how slots pass from one holder to the next, the settings.

The slots run on a real event loop (asyncio.run); the whole middleware under a real overload, with a
real server and a hung search engine, is tests/crash/test_overload.py.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from pydantic import ValidationError

from app.config import MAX_SEARCH_SLOTS, Settings
from app.web.admission import EXPORT, SEARCH, Slots, request_class


@pytest.mark.parametrize(("method", "path", "query", "kind"), [
    ("GET", "/san-pham", b"q=gom", SEARCH),
    ("GET", "/san-pham", b"province=ha-noi&page=2", SEARCH),
    ("GET", "/api/v1/products", b"q=mam", SEARCH),
    ("GET", "/san-pham.csv", b"q=gom", EXPORT),
    ("GET", "/san-pham.xlsx", b"", EXPORT),
    ("GET", "/san-pham", b"", SEARCH),  # the first page too: Meilisearch is asked every time
    ("GET", "/api/v1/products", b"", SEARCH),
    ("GET", "/san-pham/gom-bat-trang", b"", None),  # product pages keep priority
    ("GET", "/api/v1/products/gom-bat-trang", b"", None),
    ("GET", "/tra-cuu", b"q=ABCD2345", None),  # verification too
    ("GET", "/v/ABCD2345", b"", None),
    ("GET", "/api/v1/certificates", b"number=12", None),
    ("GET", "/", b"", None),
    ("GET", "/quan-ly/san-pham", b"q=gom", None),  # the office's own search
    ("GET", "/static/app.css", b"", None),
    ("POST", "/san-pham", b"q=gom", None),  # answered 405 by the router, nothing to limit
])
def test_request_classes(method: str, path: str, query: bytes, kind: str | None) -> None:
    assert request_class({"type": "http", "method": method, "path": path, "query_string": query}) == kind


async def _hold(slots: Slots, held: asyncio.Event, release: asyncio.Event) -> bool:
    """Take a slot, say so, keep it until told."""
    got = await slots.acquire()
    held.set()
    await release.wait()
    if got:
        slots.release()
    return got


def test_a_request_past_the_slots_waits_its_queue_time_then_is_refused() -> None:
    async def scenario() -> tuple[bool, float, int]:
        slots = Slots(slots=1, queue_s=0.2)
        held, release = asyncio.Event(), asyncio.Event()
        holder = asyncio.create_task(_hold(slots, held, release))
        await held.wait()
        started = time.monotonic()
        second = await slots.acquire()
        waited = time.monotonic() - started
        release.set()
        assert await holder
        return second, waited, slots.taken

    second, waited, taken = asyncio.run(scenario())
    assert second is False
    assert 0.15 <= waited < 1.0
    assert taken == 0  # the holder gave its slot back, the refused one never had one


def test_a_freed_slot_passes_to_the_oldest_waiter_first() -> None:
    async def scenario() -> list[str]:
        slots = Slots(slots=1, queue_s=5)
        order: list[str] = []
        assert await slots.acquire()

        async def wait_for_slot(name: str) -> None:
            assert await slots.acquire()
            order.append(name)
            await asyncio.sleep(0)
            slots.release()

        first = asyncio.create_task(wait_for_slot("first"))
        await asyncio.sleep(0)  # `first` is in the queue before `second`
        second = asyncio.create_task(wait_for_slot("second"))
        await asyncio.sleep(0)
        assert order == [] and slots.taken == 1
        slots.release()
        await asyncio.wait_for(asyncio.gather(first, second), timeout=5)
        assert slots.taken == 0
        return order

    assert asyncio.run(scenario()) == ["first", "second"]


def test_a_waiter_that_goes_away_leaves_the_queue() -> None:
    async def scenario() -> int:
        slots = Slots(slots=1, queue_s=5)
        assert await slots.acquire()
        waiter = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        waiter.cancel()  # the client disconnected while waiting
        with pytest.raises(asyncio.CancelledError):
            await waiter
        slots.release()  # nobody left to hand it to
        assert await slots.acquire()  # at once: no ghost in the queue took it
        slots.release()
        return slots.taken

    assert asyncio.run(scenario()) == 0


@pytest.mark.parametrize(("queue_s", "max_waiting"), [(0.0, 10), (5.0, 0)])
def test_no_queue_or_a_full_queue_refuses_at_once(queue_s: float, max_waiting: int) -> None:
    async def scenario() -> tuple[bool, float]:
        slots = Slots(slots=1, queue_s=queue_s, max_waiting=max_waiting)
        assert await slots.acquire()
        started = time.monotonic()
        return await slots.acquire(), time.monotonic() - started

    admitted, waited = asyncio.run(scenario())
    assert admitted is False and waited < 0.1


def test_search_slots_default_to_twice_the_cpus_and_stay_below_the_thread_pool() -> None:
    default = Settings(_env_file=None).search_slots
    assert 2 <= default <= MAX_SEARCH_SLOTS and default % 2 == 0
    assert Settings(_env_file=None, search_concurrency=3).search_slots == 3
    with pytest.raises(ValidationError):
        Settings(_env_file=None, search_concurrency=MAX_SEARCH_SLOTS + 1)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, export_concurrency=0)
