"""Searches on the event loop take one loop turn each, so the loop polls its sockets between two.

A callback scheduled during a turn stands for the loop's poll of its sockets: it must run before the
next holder starts. The turns run on a real event loop (asyncio.run); the routes' in-process path and
its database fallback are covered by tests/routes/test_api.py and tests/routes/test_outage.py.
"""

from __future__ import annotations

import asyncio

from app.config import Settings
from app.web.loop_turns import LoopTurns, runs_in_process
from search.factory import EMBEDDED, MEILISEARCH, engine_name
from search.reconnecting import ReconnectingEngine


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
