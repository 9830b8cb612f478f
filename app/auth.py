"""Passwords, the signed session and CSRF tokens for office accounts.

Passwords are hashed with Argon2 (pwdlib). The session is Starlette's signed cookie
(HttpOnly, SameSite=Lax, Secure in production) holding only the user id, the account's
session version (bumped on password change) and a CSRF token; every state-changing request
must echo that token in a form field or the X-CSRF-Token header (htmx).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

SESSION_COOKIE = "cnnt_session"
SESSION_MAX_AGE_S = 8 * 3600
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

_hasher = PasswordHash((Argon2Hasher(),))
# A real hash of a random password, verified against when the e-mail is unknown, so a
# failed login takes as long whether or not the account exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An Argon2 hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True if `password` matches; always spends the hashing time."""
    return _hasher.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None


def password_problem(password: str) -> str | None:
    """Why a new password is refused (Vietnamese), or None."""
    if len(password) < 10:
        return "Mật khẩu cần ít nhất 10 ký tự."
    if len(password) > 200:
        return "Mật khẩu quá dài (tối đa 200 ký tự)."
    return None


def is_locked(locked_until: datetime | None, *, now: datetime | None = None) -> bool:
    """True while a temporary lock-out after repeated failed logins runs."""
    if locked_until is None:
        return False
    moment = now or datetime.now(UTC)
    until = locked_until if locked_until.tzinfo else locked_until.replace(tzinfo=UTC)
    return moment < until


def start_session(session: dict[str, Any], *, user_id: int, version: int) -> None:
    """Log a user in: a fresh session (no fixation) with a new CSRF token."""
    session.clear()
    session.update(uid=user_id, ver=version, csrf=secrets.token_urlsafe(32))


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
