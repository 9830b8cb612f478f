"""HEAD on every GET resource (RFC 9110 §9.3.2): the GET response's status and headers, no body.

FastAPI registers `@router.get` routes for GET alone, so HEAD answered 405 on the home page,
the feed, the sitemap and the QR images, which link checkers and feed readers use. Rather than
register HEAD route by route, the request runs as the GET it stands for and the body is dropped
on the way out: the headers (length, ETag, caching, compression) are exactly the GET's.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Serve HEAD as GET without its body; everything else passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the method, then keep only the start of the response and one empty, final body."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_without_body(message: Message) -> None:
            """Headers as they are; the body's chunks become one empty final chunk."""
            nonlocal finished
            if message["type"] != "http.response.body":
                await send(message)
            elif not finished and not message.get("more_body", False):
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
