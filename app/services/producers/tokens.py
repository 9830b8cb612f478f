"""Signed one-time links of producer accounts (itsdangerous): confirm the address, sign in without a password,
set a first password from the dashboard.

A link names the account and carries a random nonce and a fingerprint of the account's sign-in state
(session version and password hash): signing out, or registering the address again before it is
confirmed, makes every earlier link stop working. A link is spent once (its nonce in the used-token
table, app/services/verification/used_tokens.py) in the transaction that uses it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.models import ProducerAccount


class LinkPurpose(StrEnum):
    """What a link lets its holder do (the serializer's salt: one purpose's link is no other's)."""

    confirm = "producer-confirm"
    sign_in = "producer-sign-in"
    password = "producer-password"  # noqa: S105 - a salt's name; a link-only account chooses a password


LIFETIMES: dict[LinkPurpose, timedelta] = {
    LinkPurpose.confirm: timedelta(days=2),
    LinkPurpose.sign_in: timedelta(minutes=30),
    LinkPurpose.password: timedelta(minutes=30),
}
MAX_TOKEN = 500


class LinkProblem(StrEnum):
    """Why a link was not accepted."""

    forged = "forged"
    expired = "expired"
    used = "used"  # spent already, or the account signed out or registered again since


@dataclass(frozen=True, slots=True)
class LinkClaim:
    """What a valid link says: the account, the link's nonce and the account state it was made for."""

    account_id: int
    nonce: str
    fingerprint: str


def fingerprint(account: ProducerAccount) -> str:
    """A short digest of what ends earlier links: the session version and the password hash."""
    state = f"{account.session_version}|{account.password_hash}".encode()
    return hashlib.sha256(state).hexdigest()[:16]


def _serializer(secret: str, purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=purpose.value)


def sign_link(*, secret: str, purpose: LinkPurpose, account: ProducerAccount) -> tuple[str, str]:
    """A fresh token for `account` and its nonce (which also names the message that carries it)."""
    nonce = secrets.token_urlsafe(12)
    payload = {"a": account.id, "n": nonce, "f": fingerprint(account)}
    return str(_serializer(secret, purpose).dumps(payload)), nonce


def read_link(token: str, *, secret: str, purpose: LinkPurpose) -> LinkClaim | LinkProblem:
    """The claim of a token this site signed for `purpose` within its lifetime, or why not (never raises)."""
    if len(token) > MAX_TOKEN:
        return LinkProblem.forged
    try:
        payload = _serializer(secret, purpose).loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except SignatureExpired:
        return LinkProblem.expired
    except BadSignature:
        return LinkProblem.forged
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        return LinkProblem.forged
    return LinkClaim(account_id=payload["a"], nonce=str(payload.get("n", "")),
                     fingerprint=str(payload.get("f", "")))
