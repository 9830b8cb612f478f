"""Per-client rate limits for lookups and reports, kept in this process's memory.

Sliding windows keyed by an HMAC of the client address (the raw address is never kept). With
several workers each holds its own counts, so the effective limit is per worker: good enough
against a scraper or a spammer without a shared store; a reverse proxy can add a global one.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable

from app.errors import TooManyRequests
from app.i18n import ngettext


def client_key(address: str, *, secret: str) -> str:
    """An opaque key for a client address (HMAC with the site's secret)."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


class RateLimiter:
    """At most `limit` events per `window_s` seconds per key."""

    def __init__(self, *, limit: int, window_s: float, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.max_keys, self._clock = limit, window_s, max_keys, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an event for `key`; False (nothing recorded) when the key is over its limit."""
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self.max_keys:
                    self._forget_idle(now)
                events = self._events[key] = deque()
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may try again (0 when it may now)."""
        with self._lock:
            events = self._events.get(key)
            if not events or len(events) < self.limit:
                return 0
            return max(1, int(events[0] + self.window_s - self._clock()) + 1)

    def _forget_idle(self, now: float) -> None:
        """Drop keys with no event in the window (bounded memory under many clients)."""
        idle = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window_s]
        for key in idle:
            del self._events[key]
        if len(self._events) >= self.max_keys:  # still full: forget the oldest half
            for key in list(self._events)[: self.max_keys // 2]:
                del self._events[key]


class SiteLimits:
    """The site's limiters: certificate lookups, misuse reports (stored, so stricter), office sign-ins."""

    LOOKUPS_PER_MINUTE = 30
    REPORTS_PER_HOUR = 5
    LOGINS_PER_15_MINUTES = 20

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.lookups = RateLimiter(limit=self.LOOKUPS_PER_MINUTE, window_s=60, clock=clock)
        self.reports = RateLimiter(limit=self.REPORTS_PER_HOUR, window_s=3600, clock=clock)
        self.logins = RateLimiter(limit=self.LOGINS_PER_15_MINUTES, window_s=900, clock=clock)


def check_lookup_rate(*, limits: SiteLimits, client: str, page: str | None = None) -> None:
    """Raise TooManyRequests once `client` has used its lookups for the window (scrapers, guessers)."""
    if not limits.lookups.allow(client):
        wait = limits.lookups.retry_after(client)
        message = ngettext("Bạn tra cứu quá nhanh. Vui lòng thử lại sau %(num)s giây.",
                           "Bạn tra cứu quá nhanh. Vui lòng thử lại sau %(num)s giây.", wait) % {"num": wait}
        raise TooManyRequests(message, retry_after=wait, page=page)
