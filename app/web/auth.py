"""The signed session and CSRF tokens for office accounts (passwords: app/services/office/passwords.py).

The session is Starlette's signed cookie (HttpOnly, SameSite=Lax, Secure in production)
holding only the user id, the account's session version and a CSRF token; every
state-changing request must echo that token in a form field or the X-CSRF-Token header (htmx).

Revocation: a signed cookie stays valid until it expires, so every authenticated request
(app/web/deps.get_account) compares its version with `User.session_version`, and sign-out,
a password change or reset and deactivation bump it (users.end_sessions): every copy of every
cookie of that account stops working at once (OWASP ASVS 4.0 V3.3.1, V3.3.3). Chosen over a
table of server-side session ids because it keeps the app stateless (any worker checks a
cookie with the one row it already loads, nothing to expire or clean up); the price is that
signing out on one browser signs the account out on all of them, the safer side for office
accounts that rarely have more than one.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

SESSION_COOKIE = "cnnt_session"
SESSION_MAX_AGE_S = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def start_session(session: dict[str, Any], *, user_id: int, version: int) -> None:
    """Log a user in: a fresh session (no fixation) with a new CSRF token."""
    session.clear()
    session.update(uid=user_id, ver=version, csrf=secrets.token_urlsafe(32))


def start_producer_session(session: dict[str, Any], *, account_id: int, version: int) -> None:
    """Sign a producer account in: a fresh session under its own keys (`pid`, `pver`), never an office's."""
    session.clear()
    session.update(pid=account_id, pver=version, csrf=secrets.token_urlsafe(32))


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, created on first use (the login form needs one too)."""
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid(session: dict[str, Any], submitted: str | None) -> bool:
    """True if `submitted` equals the session's token (constant-time)."""
    expected = session.get("csrf")
    return isinstance(expected, str) and bool(submitted) and hmac.compare_digest(expected, submitted or "")
