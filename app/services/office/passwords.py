"""Office passwords: Argon2 hashing (pwdlib) and the strength rule.

Kept apart from the session and CSRF code (app/web/auth.py): the accounts service needs these,
and a service must not import the web layer.
"""

from __future__ import annotations

import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.domain.messages import N_

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
    """Why a new password is refused (a Vietnamese msgid: the producer area translates it), or None."""
    if len(password) < 10:
        return N_("Mật khẩu cần ít nhất 10 ký tự.")
    if len(password) > 200:
        return N_("Mật khẩu quá dài (tối đa 200 ký tự).")
    return None
