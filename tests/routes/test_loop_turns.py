"""Searches on the event loop take one loop turn each, so the loop polls its sockets between two.

A callback scheduled during a turn stands for the loop's poll of its sockets: it must run before the
next holder starts. The turns run on a real event loop (asyncio.run); the routes' in-process path and
its database fallback are covered by tests/routes/test_api.py and tests/routes/test_outage.py, and
which parts of a catalog page go to a worker thread by the last test here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models import ProductImage
from app.routes import catalog as catalog_route
from app.web.loop_turns import LoopTurns, runs_in_process
from search.factory import EMBEDDED, MEILISEARCH, engine_name
from search.reconnecting import ReconnectingEngine
from tests.factories import index_products, make_product


def _holders(turns: LoopTurns, names: list[str]) -> list[str]:
    """What happened, in order, when `names` all asked for a turn at once."""
    events: list[str] = []

    async def holder(name: str) -> None:
        async with turns.turn():
            events.append(name)
            asyncio.get_running_loop().call_soon(events.append, f"after {name}")

    async def scenario() -> None:
        await asyncio.gather(*(holder(name) for name in names))

    asyncio.run(scenario())
    return events


def test_one_holder_per_turn_with_the_loop_running_between() -> None:
    events = _holders(LoopTurns(), ["a", "b", "c"])
    assert events == ["a", "after a", "b", "after b", "c", "after c"]


def test_a_cancelled_waiter_passes_the_turn_on() -> None:
    turns = LoopTurns()
    order: list[str] = []

    async def holder(name: str) -> None:
        async with turns.turn():
            order.append(name)

    async def scenario() -> None:
        first = asyncio.create_task(holder("first"))
        second = asyncio.create_task(holder("second"))
        third = asyncio.create_task(holder("third"))
        await asyncio.sleep(0)  # all three asked; `first` holds the turn, the others wait
        second.cancel()
        await asyncio.gather(first, third, return_exceptions=True)
        assert second.cancelled()

    asyncio.run(scenario())
    assert order == ["first", "third"]


def test_a_new_event_loop_starts_free() -> None:
    turns = LoopTurns()
    assert _holders(turns, ["a"]) == ["a", "after a"]
    turns._held = True  # a loop that stopped before freeing it (a test's)
    assert _holders(turns, ["b"]) == ["b", "after b"]


def test_only_the_embedded_engine_runs_in_process(tmp_path: object) -> None:
    assert engine_name(Settings(meili_url="")) == EMBEDDED
    assert engine_name(Settings(meili_url="http://127.0.0.1:7700")) == MEILISEARCH
    assert runs_in_process(ReconnectingEngine(lambda: None, name=EMBEDDED))  # type: ignore[arg-type,return-value]
    assert not runs_in_process(ReconnectingEngine(lambda: None, name=MEILISEARCH))  # type: ignore[arg-type,return-value]


def test_the_catalog_sends_only_its_photo_reads_to_a_thread(client: TestClient, session: Session,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded engine's search and the render stay on the loop; the cover photos' sizes, read from
    the database, are read in a worker thread, and only for a page whose hits have photos."""
    plain, pictured = make_product(session, name="Gốm Bát Tràng"), make_product(session, name="Nón lá Huế")
    session.add(ProductImage(product_id=pictured.id, content_hash="0" * 64, width=1600, height=1200))
    index_products(client, session, plain, pictured)
    in_threads: list[str] = []
    real = catalog_route.run_in_threadpool

    async def recorded(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        in_threads.append(func.__name__)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(catalog_route, "run_in_threadpool", recorded)
    assert client.get("/san-pham?q=gom").status_code == 200
    assert in_threads == []
    page = BeautifulSoup(client.get("/san-pham?q=non").text, "html.parser")
    assert in_threads == ["covers"]
    assert page.select_one(".card picture") is not None
