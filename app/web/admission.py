"""Admission control for searches and exports: past capacity, a quick 503 "busy" instead of a long wait.

Plain `def` routes and `run_in_threadpool` share one pool of worker threads per process (anyio's
default limiter: 40 threads). A cold search costs tens of milliseconds of CPU; under a flood of them
every thread would be taken, and the product, verification and office pages (plain `def` routes,
which need a thread too) would queue behind them while p99 grew to tens of seconds. So each
expensive class of request gets at most `slots` requests in flight per process: one more waits,
first come first served, up to `queue_s` seconds for a slot, and is then answered 503 with
Retry-After (JSON under /api, a small page in the visitor's language elsewhere). The classes' slots
together stay below the thread pool's size (app/config.py), so the pages of every other route always
find a thread; they never wait here.

- `search`: the catalog (/san-pham, /en/san-pham) and GET /api/v1/products, with or without a query
  string: even the catalog's first page asks Meilisearch every time (only the embedded engine keeps
  results in the process), and a hung or slow engine makes it as long as any search.
- `export`: /san-pham.csv and .xlsx, every matching row streamed for seconds: a limit of their own,
  so that long downloads never hold the slots searches need, and are refused first under load.

A slot is held until the whole answer is sent. Stored pages and 304s take one too: telling them apart
here would cost the search parsing the route does (the wait is then microseconds anyway).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.domain.messages import N_
from app.i18n import gettext, lang_url
from app.metrics import ADMISSION_WAIT_SECONDS, ADMISSION_WAITING, ADMITTED_IN_FLIGHT, BUSY_REFUSALS
from app.web.templating import templates

SEARCH, EXPORT = "search", "export"
SEARCH_PATHS = frozenset({"/san-pham", "/api/v1/products"})
EXPORT_PATHS = frozenset({"/san-pham.csv", "/san-pham.xlsx"})
RETRY_AFTER_S = 2  # a few seconds: a queue drains in well under that once the burst has passed
MAX_WAITING = 1000  # per class and process: bounds the memory a flood can take; the deadline bounds the time
BUSY_MESSAGE = N_("Có quá nhiều lượt tìm kiếm cùng lúc. Vui lòng thử lại sau vài giây.")


def request_class(scope: Scope) -> str | None:
    """`search`, `export`, or None for a request that is never limited (path without the /en prefix)."""
    if scope["method"] not in ("GET", "HEAD"):
        return None
    path = scope["path"]
    if path in SEARCH_PATHS:
        return SEARCH
    return EXPORT if path in EXPORT_PATHS else None


class Slots:
    """At most `slots` holders at once; others wait in arrival order, each up to `queue_s` seconds.

    Used from one event loop only (one per worker process), so plain counters need no lock. A slot
    that is released while someone waits passes straight to the oldest waiter.
    """

    def __init__(self, *, slots: int, queue_s: float, max_waiting: int = MAX_WAITING) -> None:
        self.slots, self.queue_s, self.max_waiting = slots, queue_s, max_waiting
        self.taken = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> bool:
        """Take a slot, waiting up to `queue_s`; False when none freed in time (or the queue is full)."""
        if self.taken < self.slots and not self._waiters:
            self.taken += 1
            return True
        if self.queue_s <= 0 or len(self._waiters) >= self.max_waiting:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait((waiter,), timeout=self.queue_s)
        except asyncio.CancelledError:  # the client went away while waiting
            self._give_up(waiter)
            raise
        if waiter.done():  # handed a slot by `release`
            return True
        self._give_up(waiter)
        return False

    def _give_up(self, waiter: asyncio.Future[None]) -> None:
        """Leave the queue; a slot handed over at the last moment goes on to the next waiter."""
        if waiter.done():
            self.release()
        else:
            waiter.cancel()
            self._waiters.remove(waiter)

    def release(self) -> None:
        """Give the slot back: to the oldest waiter if there is one, else to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.taken -= 1


def busy_response(scope: Scope) -> Response:
    """The 503 a refused request gets: JSON under /api, else a small page; never stored anywhere."""
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    message = gettext(BUSY_MESSAGE)
    if str(scope["path"]).startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    query = scope.get("query_string", b"").decode("latin-1")
    retry_url = lang_url(scope["path"]) + (f"?{query}" if query else "")
    page = templates.get_template("busy.html").render(message=message, retry_url=retry_url)
    return HTMLResponse(page, status_code=503, headers=headers)


class AdmissionControl:
    """Hold a slot of its class for each limited request while the app answers it; 503 when none frees.

    Sits inside the `/en` prefix (paths arrive without it, the language is known) and outside the
    request metrics, so a refused request costs no routing and no session.
    """

    def __init__(self, app: ASGIApp, *, search_slots: int, export_slots: int, queue_s: float) -> None:
        self.app = app
        self.limits = {SEARCH: Slots(slots=search_slots, queue_s=queue_s),
                       EXPORT: Slots(slots=export_slots, queue_s=queue_s)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass unlimited requests straight on; the others once they hold a slot."""
        kind = request_class(scope) if scope["type"] == "http" else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        slots = self.limits[kind]
        started = time.perf_counter()
        ADMISSION_WAITING.labels(kind=kind).inc()
        try:
            admitted = await slots.acquire()
        finally:
            ADMISSION_WAITING.labels(kind=kind).dec()
        outcome = "admitted" if admitted else "refused"
        ADMISSION_WAIT_SECONDS.labels(kind=kind, outcome=outcome).observe(time.perf_counter() - started)
        if not admitted:
            BUSY_REFUSALS.labels(kind=kind).inc()
            await busy_response(scope)(scope, receive, send)
            return
        ADMITTED_IN_FLIGHT.labels(kind=kind).inc()
        try:
            await self.app(scope, receive, send)
        finally:
            ADMITTED_IN_FLIGHT.labels(kind=kind).dec()
            slots.release()
