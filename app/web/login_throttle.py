"""Sign-in throttling per (account, client address) and per client address, never per account alone.

A per-account lock-out let anyone lock an office out by typing wrong passwords, and its own
message and speed told which e-mails had accounts (issue 14). So attempts are counted per
client address (answered with an honest 429: it says nothing about any account) and per
(e-mail, address) pair, whether or not the e-mail has an account. A throttled pair is refused
exactly like a wrong password, after the same hashing work, and the owner signing in from
another address is not held back. OWASP ASVS 4.0 V2.2.1 (anti-automation without a lock-out
an attacker can trigger).

The counters are the site's RateLimiter (app/web/rate_limit.py); `login_refused` is the one
place that asks them, so moving them to another store changes only this module.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from app.errors import TooManyRequests
from app.web.rate_limit import RateLimiter, SiteLimits

ATTEMPTS_PER_ACCOUNT_AND_CLIENT = 10
WINDOW_S = 15 * 60


class LoginThrottle:
    """The per-(account, client address) sign-in counter; one per app, like SiteLimits."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.pairs = RateLimiter(limit=ATTEMPTS_PER_ACCOUNT_AND_CLIENT, window_s=WINDOW_S, clock=clock)


def pair_key(*, client: str, email: str) -> str:
    """An opaque key for an (e-mail, client) pair; `client` is already an HMAC of the address."""
    return hashlib.sha256(f"{client}|{email.strip().lower()}".encode()).hexdigest()[:32]


def login_refused(*, limits: SiteLimits, throttle: LoginThrottle, client: str, email: str) -> bool:
    """Count this attempt: TooManyRequests when the address is over its allowance; True when the
    (e-mail, address) pair is, so the caller refuses it as it refuses a wrong password."""
    if not limits.logins.allow(client):
        raise TooManyRequests("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau.",
                              retry_after=limits.logins.retry_after(client))
    return not throttle.pairs.allow(pair_key(client=client, email=email))
