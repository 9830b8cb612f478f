"""In-process searches on the event loop, one per loop turn, so the loop keeps accepting and reading.

A search of the embedded engine is CPU work in this process (bitmaps, numpy, a local SQLite file).
In a worker thread it costs as much CPU and holds the GIL just the same, plus two thread hops whose
wake-ups, made while holding the GIL, were about a third of a cold API request's time under load
(BENCHMARKS.md, load section). So the routes run it on the loop, but through `LoopTurns`: one
search per turn of the loop. Without it, every request read in one turn searched in the next one,
back to back: a turn of 64 cold searches lasted 150 ms, and since libuv (uvloop) accepts one new
connection per turn (libuv/libuv#3696), the last of 64 new connections waited 5 s for its first
answer (wrk's p99 of 4 s). With it, the loop polls its sockets between two searches.

A remote engine (Meilisearch) and the database fallback wait on the network: they stay in threads.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from search.engine import SearchEngine
from search.factory import EMBEDDED
from search.reconnecting import ReconnectingEngine


def runs_in_process(engine: SearchEngine) -> bool:
    """True for the app's embedded engine: its searches are CPU work here, never a wait on a server."""
    return isinstance(engine, ReconnectingEngine) and engine.name == EMBEDDED


class LoopTurns:
    """At most one holder per turn of the event loop; the others wait in arrival order.

    A turn runs the callbacks that were ready when it began, then polls the sockets. The holder's
    successor is woken by a callback, so it runs on the next turn, after a poll; with no one
    waiting, the turn is freed by a callback too, so a request read in this turn waits for the next.
    Used from one event loop at a time: a new loop (a test's) starts from a free state.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._held = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold this turn of the loop for a piece of CPU work that must not share it."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._held, self._waiters = loop, False, deque()
        if self._held or self._waiters:
            await self._wait(loop)
        else:
            self._held = True
        try:
            yield
        finally:
            self._pass_on(loop)

    async def _wait(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait to be handed the turn; a waiter cancelled just after the handover passes it on."""
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._pass_on(loop)
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def _pass_on(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand the turn to the oldest waiter (it runs next turn), else free it from the next turn on."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        loop.call_soon(self._free)

    def _free(self) -> None:
        """Hand the turn to a request that came meanwhile, else free it: the next one holds it at once."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._held = False


search_turns = LoopTurns()  # one per process: every route that searches on the loop shares it
