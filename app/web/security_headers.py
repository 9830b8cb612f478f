"""The security headers every response carries, set by one pure ASGI middleware.

The site's pages need nothing inline: scripts and styles are files under /static and htmx
runs with eval and its indicator styles off, so the Content-Security-Policy allows only the
site's own origin. A response that brings its own policy keeps it (the badge SVGs allow no
script and no outside load). The API documentation pages (/docs, /redoc) load their viewers
from a CDN and need something inline: their policies, built here, name the CDN and hashes or
a nonce, never `'unsafe-inline'` (see app/routes/api_docs.py).

HSTS is sent only when the site is in production behind HTTPS (`CNNT_ENV=production` and a
`CNNT_BASE_URL` starting with https://): a development server on plain HTTP must never pin
a browser to HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

SITE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
# What the API documentation pages load from outside (app/routes/api_docs.py).
CDN = "https://cdn.jsdelivr.net"
SWAGGER_SOURCES: dict[str, tuple[str, ...]] = {
    "script-src": (CDN,),
    "style-src": (CDN,),
    "img-src": ("https://fastapi.tiangolo.com",),  # FastAPI's favicon
}
REDOC_SOURCES: dict[str, tuple[str, ...]] = {
    "script-src": (CDN,),
    "img-src": ("https://cdn.redoc.ly",),  # the "API docs by Redocly" logo
    "worker-src": ("'self'", "blob:"),  # its search runs in a worker made from a blob
}
# Styles redoc.standalone.js 2.5.4 injects as it loads, before Redoc.init hands it the nonce.
REDOC_EARLY_STYLES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty <style>, filled through the CSSOM
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # its own CSS, added by its style loader
)
HSTS = "max-age=31536000"  # a year; not includeSubDomains: the operator's other hosts are not ours to pin
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def render_policy(directives: dict[str, tuple[str, ...]]) -> str:
    """`{"default-src": ("'self'",)}` → `default-src 'self'`."""
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def sends_hsts(settings: Settings) -> bool:
    """True for a production site served over HTTPS (see the module docstring)."""
    return settings.env == "production" and settings.base_url.startswith("https://")


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The headers added to every response, CSP first."""
    headers = {
        "content-security-policy": render_policy(SITE_POLICY),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "permissions-policy": PERMISSIONS,
        "cross-origin-opener-policy": "same-origin",
        "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
    }
    if sends_hsts(settings):
        headers["strict-transport-security"] = HSTS
    return [(name.encode(), value.encode("latin-1")) for name, value in headers.items()]


class _InlineBlocks(HTMLParser):
    """Collects the text of each inline <script> and <style> of a page, for CSP hashes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Start collecting an inline script (one without src) or a style element."""
        if tag == "style" or (tag == "script" and not any(name == "src" for name, _ in attrs)):
            self._open, self._text = tag, []

    def handle_data(self, data: str) -> None:
        """Text inside the open element, as the browser hashes it."""
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        """Close the element and keep its text."""
        if tag == self._open:
            self.blocks[tag].append("".join(self._text))
            self._open = None


def _sha256_source(text: str) -> str:
    """A CSP hash source for one inline block."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _widened(extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The site's policy with `extra` sources added to (or as) each directive."""
    directives = dict(SITE_POLICY)
    for name, sources in extra.items():
        directives[name] = directives.get(name, ()) + sources
    return directives


def docs_policy(page: str) -> str:
    """Swagger UI's policy: the CDN, and the hash of each inline block `page` actually holds."""
    parser = _InlineBlocks()
    parser.feed(page)
    extra = dict(SWAGGER_SOURCES)
    for tag, texts in parser.blocks.items():
        name = f"{tag}-src"
        extra[name] = extra.get(name, ()) + tuple(dict.fromkeys(_sha256_source(text) for text in texts))
    return render_policy(_widened(extra))


def redoc_policy(nonce: str) -> str:
    """Redoc's policy: the CDN, and this response's nonce for its init script and injected styles."""
    own = f"'nonce-{nonce}'"
    return render_policy(_widened(REDOC_SOURCES | {
        "script-src": (*REDOC_SOURCES["script-src"], own),
        "style-src": (own, *REDOC_EARLY_STYLES),
    }))


class SecurityHeaders:
    """Add the security headers to every HTTP response; a response's own CSP is left alone."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                missing = [(name, value) for name, value in self.headers if name.decode() not in headers]
                headers.raw.extend(missing)
            await send(message)

        await self.app(scope, receive, send_with_headers)
