"""Signed, time-stamped form tokens: CSRF protection and a minimum fill time for anonymous forms.

A token is `issued.nonce.signature`, where `issued` is the wall-clock time in milliseconds
(hex) and the signature an HMAC-SHA256 with the site's secret over the form's purpose, the
time and the nonce. Checking one needs nothing stored, so any worker can check any token;
a form that must be sent once records the nonce it spent (app.services.verification.used_tokens).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from enum import StrEnum

from app.domain.messages import N_

TOKEN_MAX_AGE_S = 4 * 3600  # long enough to find a receipt and take a photo
MIN_FILL_S = 3.0  # no person reads and fills a report form faster
MAX_TOKEN_LENGTH = 200
_CLOCK_SKEW_S = 60  # workers' clocks may differ a little


class TokenCheck(StrEnum):
    """What a submitted token says about the submission."""

    ok = "ok"
    too_fast = "too_fast"
    expired = "expired"
    forged = "forged"


# What an anonymous form says when its token is refused (Vietnamese msgids, translated when shown); the
# form is shown again with what was typed, status 400. A too-fast post is a bot's: thanked, never told.
TOKEN_MESSAGES: dict[TokenCheck, str] = {
    TokenCheck.forged: N_("Biểu mẫu không hợp lệ (không do trang này tạo ra). Vui lòng kiểm tra và gửi lại."),
    TokenCheck.expired: N_("Biểu mẫu đã hết hạn vì để quá lâu. Nội dung bạn nhập vẫn còn: vui lòng gửi lại."),
}
# A spent token's nonce is remembered while its signature could still pass (and a little longer).
SPENT_TOKEN_LIFETIME_S = TOKEN_MAX_AGE_S + 120


def _signature(secret: str, purpose: str, issued: str, nonce: str) -> str:
    """The HMAC of a token's parts, URL-safe base64 without padding."""
    message = f"{purpose}|{issued}|{nonce}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_token(*, secret: str, purpose: str, now: float | None = None) -> str:
    """A fresh token for a form about to be shown (`now` in seconds since the epoch)."""
    issued = format(int((time.time() if now is None else now) * 1000), "x")
    nonce = secrets.token_urlsafe(9)
    return f"{issued}.{nonce}.{_signature(secret, purpose, issued, nonce)}"


def check_token(token: str, *, secret: str, purpose: str, now: float | None = None,
                min_age_s: float = MIN_FILL_S, max_age_s: float = TOKEN_MAX_AGE_S) -> TokenCheck:
    """Whether `token` was issued by this site for `purpose`, and how long ago."""
    parts = token.split(".") if len(token) <= MAX_TOKEN_LENGTH else []
    if len(parts) != 3:
        return TokenCheck.forged
    issued, nonce, signature = parts
    if not hmac.compare_digest(signature.encode(), _signature(secret, purpose, issued, nonce).encode()):
        return TokenCheck.forged
    try:
        age_s = (time.time() if now is None else now) - int(issued, 16) / 1000
    except ValueError:
        return TokenCheck.forged
    if age_s < -_CLOCK_SKEW_S:
        return TokenCheck.forged
    if age_s > max_age_s:
        return TokenCheck.expired
    if age_s < min_age_s:
        return TokenCheck.too_fast
    return TokenCheck.ok


def token_nonce(token: str) -> str:
    """The random part of a token `check_token` accepted: what identifies it when it is spent."""
    return token.split(".")[1]
