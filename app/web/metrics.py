"""Request latency for Prometheus, and who may read /metrics.

The request histogram is labelled by the route's path template (`/san-pham/{slug}`), never the
URL, so its label values stay as few as the site's routes whatever clients ask for; paths no
route answers share one label, and an unusual method is counted as `other`. The template is
read from the scope after the router has matched (Starlette records the route there), so the
measurement costs two clock reads and one histogram update: no route matching of its own, no
database. It sits inside the `/en` prefix, whose stripped scope is the one the router fills in;
so the time is the app's own, without the response compression around it.
"""

from __future__ import annotations

import time
from ipaddress import ip_address
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.metrics import REQUEST_SECONDS, UNMATCHED_ROUTE, outbox_backlog_metric, scrape
from app.web.deps import get_settings

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(scope: Scope) -> str:
    """The path template of the route that answered (`/static/{path}` for a mount), else `unmatched`."""
    template = getattr(scope.get("route"), "path_format", None)
    return template if isinstance(template, str) else UNMATCHED_ROUTE


def status_class(status: int) -> str:
    """`2xx`, `3xx`, `4xx` or `5xx`."""
    return f"{status // 100}xx"


class RequestMetrics:
    """Time every HTTP request and record it by route template, method and status class."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; once it is answered (or has failed), record how long it took."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app raises before it starts a response
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUEST_SECONDS.labels(route=route_label(scope), method=method,
                                   status=status_class(status)).observe(time.perf_counter() - started)


def client_may_scrape(host: str | None, settings: Settings) -> bool:
    """True when `host` is an IP address inside CNNT_METRICS_ALLOW (IPv4-mapped IPv6 read as IPv4)."""
    try:
        address = ip_address(host or "")
    except ValueError:  # a Unix socket peer or a test client's name: not an address we allow
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in settings.metrics_networks)


async def scrape_allowed(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> None:
    """Answer the router's own 404, as if there were no such page, to a client outside CNNT_METRICS_ALLOW."""
    if not client_may_scrape(request.client.host if request.client else None, settings):
        raise HTTPException(404)


def metrics_response(*, outbox_rows: int | None) -> Response:
    """The scrape's answer in Prometheus's text format, never cached; the backlog gauge only when counted."""
    body = scrape(outbox_backlog_metric(outbox_rows))
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
