"""Per-client rate limits for sign-in, lookups and reports, counted where every worker sees them.

Keys are HMACs of the client address (the raw address is never kept), hashed again with the
limit's name and window before they are stored. Counts live in the database (app/web/rate_counts.py),
so N workers or machines allow what one would. The window slides by weighing the previous fixed
window's count by the part of it still inside the sliding window (Cloudflare's approximation: two
rows per key, no log of events). Every hit counts, refused ones too: a client hammering past its
limit stays limited. The catalog and search are not limited: only the routes that call this.

For other rules (e.g. per account and client): `limits.hit(key, limit=5, window_s=900)`, a Verdict
that is truthy when allowed. It uses its own connection and commits at once, so call it before the
request's session writes (on SQLite a session holding the write lock would make it wait).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import TooManyRequests
from app.i18n import ngettext
from app.web.rate_counts import CountStore, MemoryCounts, window_start


def client_key(address: str, *, secret: str) -> str:
    """An opaque key for a client address (HMAC with the site's secret)."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A hit's outcome: allowed, or refused with the whole seconds to wait."""

    allowed: bool
    retry_after: int = 0

    def __bool__(self) -> bool:
        """True when allowed, so `if limits.hit(...)` reads naturally."""
        return self.allowed


def weighted_count(current: int, previous: int, *, elapsed: float, window_s: int) -> float:
    """Hits in the sliding window ending now: this window's, and the previous one's share still inside."""
    return current + previous * (1 - elapsed / window_s)


def seconds_until_allowed(current: int, previous: int, *, limit: int, elapsed: float, window_s: int) -> int:
    """Whole seconds until one more hit would be allowed (0: now)."""
    room = limit - 1 - current  # what the previous window's share may still weigh
    if room >= 0:
        wait = 0.0 if previous == 0 else window_s * (1 - room / previous) - elapsed
        wait = min(wait, window_s - elapsed)  # by the next window this one's count alone fits
    else:  # over in this window: wait for the next one, then for this window's share to fade
        wait = window_s - elapsed + max(0.0, window_s * (1 - (limit - 1) / current))
    return max(0, math.ceil(wait))


class RateLimiter:
    """At most `limit` hits per sliding `window_s` seconds per key, counted in `store`."""

    def __init__(self, *, limit: int, window_s: int, name: str = "", store: CountStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.limit, self.window_s, self.name = limit, int(window_s), name
        self.store: CountStore = store if store is not None else MemoryCounts()
        self._clock = clock

    def hit(self, key: str) -> Verdict:
        """Count a hit for `key`; refused once the sliding window holds more than `limit`."""
        now = self._clock()
        current, previous = self.store.hit(self._stored_key(key), window_s=self.window_s, now=now)
        elapsed = now - window_start(now, self.window_s)
        if weighted_count(current, previous, elapsed=elapsed, window_s=self.window_s) <= self.limit:
            return Verdict(True)
        return Verdict(False, max(1, self._wait(current, previous, elapsed)))

    def allow(self, key: str) -> bool:
        """Count a hit for `key`; False when the key is over its limit."""
        return self.hit(key).allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may try again (0 when it may now); counts nothing."""
        now = self._clock()
        current, previous = self.store.peek(self._stored_key(key), window_s=self.window_s, now=now)
        return self._wait(current, previous, now - window_start(now, self.window_s))

    def _wait(self, current: int, previous: int, elapsed: float) -> int:
        """Whole seconds until one more hit fits, `elapsed` seconds into the current window."""
        return seconds_until_allowed(current, previous, limit=self.limit, elapsed=elapsed,
                                     window_s=self.window_s)

    def _stored_key(self, key: str) -> str:
        """The key as stored: fixed length, and distinct per limit and window."""
        return hashlib.sha256(f"{self.name}\0{self.window_s}\0{key}".encode()).hexdigest()[:40]


class SiteLimits:
    """The site's limiters: certificate lookups, whole-list checks, misuse reports (stored, so stricter),
    office sign-ins.

    `store`: the database's counts in the app (app.main); this process's memory when not given.
    """

    LOOKUPS_PER_MINUTE = 30
    # A list check answers up to 5,000 rows (a few seconds of a worker): a buyer checks a list and
    # downloads it a few times an hour, a scraper would need thousands.
    BULK_CHECKS_PER_HOUR = 30
    REPORTS_PER_HOUR = 5
    LOGINS_PER_15_MINUTES = 20

    def __init__(self, clock: Callable[[], float] = time.time, store: CountStore | None = None) -> None:
        self.store: CountStore = store if store is not None else MemoryCounts()
        self._clock = clock
        self.lookups = self._limiter("lookups", self.LOOKUPS_PER_MINUTE, 60)
        self.reports = self._limiter("reports", self.REPORTS_PER_HOUR, 3600)
        self.bulk_checks = self._limiter("bulk-checks", self.BULK_CHECKS_PER_HOUR, 3600)
        self.logins = self._limiter("logins", self.LOGINS_PER_15_MINUTES, 900)

    def hit(self, key: str, *, limit: int, window_s: int) -> Verdict:
        """Count a hit for any rule's own key (name it: `f"login-account:{user_id}:{client}"`)."""
        return self._limiter("custom", limit, window_s).hit(key)

    def _limiter(self, name: str, limit: int, window_s: int) -> RateLimiter:
        """A limiter on the site's store and clock."""
        return RateLimiter(limit=limit, window_s=window_s, name=name, store=self.store, clock=self._clock)


def check_lookup_rate(*, limits: SiteLimits, client: str, page: str | None = None) -> None:
    """Raise TooManyRequests once `client` has used its lookups for the window (scrapers, guessers)."""
    _refuse_when_over(limits.lookups.hit(client), page=page)


def check_bulk_rate(*, limits: SiteLimits, client: str, page: str | None = None) -> None:
    """Raise TooManyRequests once `client` has used its whole-list checks for the hour."""
    _refuse_when_over(limits.bulk_checks.hit(client), page=page)


def _refuse_when_over(verdict: Verdict, *, page: str | None) -> None:
    """TooManyRequests with the wait in seconds (Retry-After) when the hit was refused."""
    if not verdict:
        wait = verdict.retry_after
        message = ngettext("Bạn tra cứu quá nhanh. Vui lòng thử lại sau %(num)s giây.",
                           "Bạn tra cứu quá nhanh. Vui lòng thử lại sau %(num)s giây.", wait) % {"num": wait}
        raise TooManyRequests(message, retry_after=wait, page=page)


def allow_more_lookups(*, limits: SiteLimits, client: str, count: int) -> bool:
    """Count `count` more lookups for `client` (codes suggested to it); False once that passes its limit."""
    allowed = True
    for _ in range(count):
        allowed = limits.lookups.hit(client).allowed and allowed
    return allowed
