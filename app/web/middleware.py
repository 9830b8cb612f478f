"""Request guards that apply to every route before any of them runs.

PostgreSQL rejects NUL characters in text, so a `%00` in a URL would otherwise surface as a
driver error deep inside a query; it is refused here with a plain 400 instead. A URL longer
than any link the site makes (16 KiB; a full shortlist share link is about 6 KiB) gets a 414:
uvicorn's parsers let URLs of tens of kilobytes through to the app. Request bodies are capped
for every route, 1 MiB unless the route is given a larger allowance: refused on the
Content-Length header before a byte is read, and cut off as they stream when sent without
one (chunked) or longer than declared.

Starlette and FastAPI have body limits of their own (`max_body_size`), but they answer in
English plain text and replace whatever page the route would have shown; these answer with
the site's error page and leave a route's own limit message (photo uploads, reports) intact.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.exception_handlers import error_response, plain_error

MAX_URL_BYTES = 16 * 1024
DEFAULT_BODY_BYTES = 1024 * 1024  # every form of the site but the uploads fits many times over


class RefuseNulBytes:
    """Answer 400 to any request whose path or query string decodes to a NUL byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the URL, then hand over to the app."""
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode()
            query = scope.get("query_string", b"")
            if b"\x00" in unquote_to_bytes(raw_path) or b"\x00" in unquote_to_bytes(query):
                response = plain_error(scope, 400, "Yêu cầu chứa ký tự không hợp lệ.")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RefuseLongUrls:
    """Answer 414 to a request whose path and query string together exceed MAX_URL_BYTES."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_URL_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Measure the URL as sent, then hand over to the app."""
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode()
            if len(raw_path) + len(scope.get("query_string", b"")) > self.max_bytes:
                response = plain_error(scope, 414, "Địa chỉ (URL) quá dài.")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def size_words(limit: int) -> str:
    """A byte count as people read it: "21 MB", "1 MB", "512 KB"."""
    if limit >= 1024 * 1024:
        return f"{round(limit / (1024 * 1024))} MB"
    return f"{max(1, round(limit / 1024))} KB"


def too_large_message(limit: int) -> str:
    """What people see when a request body is over its route's allowance."""
    return f"Nội dung gửi lên quá lớn (tối đa {size_words(limit)})."


class BodyTooLarge(HTTPException):
    """A request body that grew past its allowance while the app was reading it."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit))


async def body_too_large(request: Request, exc: Exception) -> Response:
    """The site's error page (JSON under /api) for BodyTooLarge, with the allowance in words."""
    message = exc.detail if isinstance(exc, BodyTooLarge) else too_large_message(DEFAULT_BODY_BYTES)
    return error_response(request, 413, str(message))


class LimitRequestBody:
    """Cap every request body: `default` bytes, or the allowance of a path template."""

    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_BODY_BYTES,
                 allowances: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.allowances = [(compile_path(path)[0], limit) for path, limit in (allowances or {}).items()]

    def limit_for(self, path: str) -> int:
        """The allowance of the first template matching `path`, else the default."""
        return next((limit for pattern, limit in self.allowances if pattern.match(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse on the declared length; otherwise count the body as the app reads it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = error_response(Request(scope, receive), 413, too_large_message(limit))
            response.headers["Connection"] = "close"  # the body is left unread
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted_receive, send)
