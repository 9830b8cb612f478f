"""Request guards that apply to every route before any of them runs.

PostgreSQL rejects NUL characters in text, so a `%00` in a URL would otherwise surface as a
driver error deep inside a query; it is refused here with a plain 400 instead.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from app.exception_handlers import plain_error


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
