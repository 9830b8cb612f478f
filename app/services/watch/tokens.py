"""Signed links of a watch list (itsdangerous): confirm the address, manage the list, unsubscribe.

No account and no password: holding a link the site signed is the proof. The confirmation link
carries the pending address (signed, not encrypted: it is only ever sent to that address) and
expires after CONFIRM_MAX_AGE; the manage and unsubscribe links stay valid while the list exists and
name the list by id plus a piece of its private feed key, so a link never opens another list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_MAX_AGE = timedelta(days=7)
_KEY_PART = 12  # characters of the feed key a manage link carries


class LinkPurpose(StrEnum):
    """What a signed link lets its holder do (the serializer's salt: one purpose's link is no other's)."""

    confirm = "watch-confirm"
    manage = "watch-manage"
    unsubscribe = "watch-unsubscribe"


class LinkProblem(StrEnum):
    """Why a link was not accepted."""

    forged = "forged"
    expired = "expired"


@dataclass(frozen=True, slots=True)
class LinkClaim:
    """What a valid link says: the list, a piece of its feed key, and (confirmation) the address."""

    list_id: int
    key_part: str
    email: str = ""


def _serializer(secret: str, purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=purpose.value)


def sign_link(*, secret: str, purpose: LinkPurpose, list_id: int, feed_key: str, email: str = "") -> str:
    """The token of a link (the `t` query parameter)."""
    payload: dict[str, object] = {"l": list_id, "k": feed_key[:_KEY_PART]}
    if email:
        payload["e"] = email
    return str(_serializer(secret, purpose).dumps(payload))


def read_link(token: str, *, secret: str, purpose: LinkPurpose) -> LinkClaim | LinkProblem:
    """The claim of a token this site signed for `purpose`, or why it is refused (never an exception)."""
    max_age = int(CONFIRM_MAX_AGE.total_seconds()) if purpose is LinkPurpose.confirm else None
    try:
        payload = _serializer(secret, purpose).loads(token[:1000], max_age=max_age)
    except SignatureExpired:
        return LinkProblem.expired
    except BadSignature:
        return LinkProblem.forged
    if not isinstance(payload, dict) or not isinstance(payload.get("l"), int):
        return LinkProblem.forged
    return LinkClaim(list_id=payload["l"], key_part=str(payload.get("k", "")),
                     email=str(payload.get("e", "")))


def matches(claim: LinkClaim, feed_key: str) -> bool:
    """Whether the claim names this list (and not an earlier list that had the same id)."""
    return bool(claim.key_part) and feed_key.startswith(claim.key_part)
