"""ETag and 304 Not Modified for pages that are cheap to revalidate: a hash of the body itself.

A product page shows each certificate's status as of today in Vietnam and the visitor's
shortlist count from a cookie, so no stored timestamp says when it last changed; the hash
of what was rendered is correct by construction. The page is still rendered on every
request, but an unchanged one goes back as a bodyless 304 (the bytes a phone on a slow
network waits for). The ETag is weak: compression, applied further out, changes the bytes
but not the meaning. Streamed responses (exports) are passed through untouched, never buffered.
"""

from __future__ import annotations

import hashlib
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REVALIDATE = "no-cache"  # may be stored, must be revalidated: a 304 costs one round trip, no body
_NOT_IN_304 = frozenset({"content-length", "content-type"})


def body_etag(body: bytes) -> str:
    """A weak validator from the body's SHA-256 (128 bits is plenty to tell versions apart)."""
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison: `*`, or any listed tag equal to `etag` once W/ is dropped."""
    wanted = etag.removeprefix("W/")
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or any(tag.removeprefix("W/") == wanted for tag in tags)


class RevalidatedPages:
    """Add an ETag to GET/HEAD 200 answers on `paths`; answer 304 when the client already has them."""

    def __init__(self, app: ASGIApp, paths: re.Pattern[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Render as for GET (a HEAD gets the same validator), then send the page, a 304 or headers only."""
        method = scope.get("method")
        wanted = method in ("GET", "HEAD") and self.paths.fullmatch(scope["path"])
        if scope["type"] != "http" or not wanted:
            await self.app(scope, receive, send)
            return
        head = method == "HEAD"
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        passing_through = False

        async def send_validated(message: Message) -> None:
            nonlocal start, passing_through
            if message["type"] == "http.response.start" and _revalidatable(message):
                start = message
                return
            if message["type"] != "http.response.body":
                passing_through = passing_through or message["type"] == "http.response.start"
                await send(message)
                return
            outgoing = {**message, "body": b""} if head else message
            if passing_through or start is None:
                await send(outgoing)
                return
            passing_through = True
            if message.get("more_body", False):  # a stream: its end is not known, so no validator
                await send(start)
                await send(outgoing)
                return
            await self._send_validated(start, message, if_none_match, send, head=head)

        await self.app({**scope, "method": "GET"} if head else scope, receive, send_validated)

    @staticmethod
    async def _send_validated(start: Message, message: Message, if_none_match: str | None, send: Send, *,
                              head: bool) -> None:
        """The complete body with its ETag, or a 304 that keeps every header but the body's own."""
        headers = MutableHeaders(scope=start)
        etag = body_etag(message.get("body", b""))
        headers["etag"] = etag
        if "cache-control" not in headers:
            headers["cache-control"] = REVALIDATE
        if if_none_match is not None and etag_matches(if_none_match, etag):
            # The compression layer further out adds this to a 200's Vary but leaves a 304 alone.
            if "accept-encoding" not in headers.get("vary", "").lower():
                headers.add_vary_header("Accept-Encoding")
            kept = [(name, value) for name, value in headers.raw if name.decode("latin-1") not in _NOT_IN_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({**message, "body": b""} if head else message)


def _revalidatable(start: Message) -> bool:
    """A 200 the app did not mark no-store and gave no validator of its own."""
    headers = Headers(raw=start["headers"])
    no_store = "no-store" in headers.get("cache-control", "")
    return start["status"] == 200 and "etag" not in headers and not no_store
