"""Sign-in throttling per (account, client address) and per client address, never per account alone.

A per-account lock-out let anyone lock an office out by typing wrong passwords, and its own
message and speed told which e-mails had accounts (issue 14). So attempts are counted per
client address (answered with an honest 429: it says nothing about any account) and per
(e-mail, address) pair, whether or not the e-mail has an account. A throttled pair is refused
exactly like a wrong password, after the same hashing work, and the owner signing in from
another address is not held back. OWASP ASVS 4.0 V2.2.1 (anti-automation without a lock-out
an attacker can trigger).

The counts live in the site's store (SiteLimits, app/web/rate_limit.py: the database in the
app), so every worker and machine counts the same attempts; `login_refused` is the one place
that asks them.
"""

from __future__ import annotations

import hashlib

from app.errors import TooManyRequests
from app.i18n import gettext
from app.web.rate_limit import SiteLimits

ATTEMPTS_PER_ACCOUNT_AND_CLIENT = 10
WINDOW_S = 15 * 60


class LoginThrottle:
    """The per-(account, client address) sign-in rule; one per app. Its counts are kept by the
    SiteLimits passed to `login_refused`."""

    def __init__(self, *, limit: int = ATTEMPTS_PER_ACCOUNT_AND_CLIENT, window_s: int = WINDOW_S) -> None:
        self.limit, self.window_s = limit, window_s


def pair_key(*, client: str, email: str) -> str:
    """An opaque key for an (e-mail, client) pair; `client` is already an HMAC of the address."""
    return hashlib.sha256(f"{client}|{email.strip().lower()}".encode()).hexdigest()[:32]


def login_refused(*, limits: SiteLimits, throttle: LoginThrottle, client: str, email: str) -> bool:
    """Count this attempt: TooManyRequests when the address is over its allowance; True when the
    (e-mail, address) pair is, so the caller refuses it as it refuses a wrong password."""
    if not limits.logins.allow(client):
        raise TooManyRequests(gettext("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau."),
                              retry_after=limits.logins.retry_after(client))
    key = f"login-pair:{pair_key(client=client, email=email)}"
    return not limits.hit(key, limit=throttle.limit, window_s=throttle.window_s)
