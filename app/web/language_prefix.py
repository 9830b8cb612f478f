"""The `/en` prefix: English pages from the same routes, the office and files in Vietnamese only.

A pure ASGI middleware, outermost but for the request guards, so every route, template and
error page below it reads the language from app.i18n.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import DEFAULT_LANG, speaking

# Paths that exist in one language only (the JSON API, its docs, files): `/en/api/...` is a 404.
UNTRANSLATED_PREFIXES = ("/api", "/static", "/media", "/docs", "/redoc", "/openapi.json", "/feeds", "/ma",
                         "/healthz", "/readyz", "/metrics", "/du-lieu-mo/ban-luu")
# Downloads and machine-read files (CSV, XLSX, JSON dumps, sitemap, robots.txt) have no English twin either.
UNTRANSLATED_SUFFIXES = (".csv", ".xlsx", ".json", ".xml", ".atom", ".ics", ".txt", ".svg", ".png", ".pdf")
# The office workspace is Vietnamese only: `/en/quan-ly/...` is sent (308) to the Vietnamese path.
OFFICE_PREFIX = "/quan-ly"


def _under(path: str, prefix: str) -> bool:
    """True for `prefix` itself and the paths below it."""
    return path == prefix or path.startswith(f"{prefix}/")


def _untranslated(path: str) -> bool:
    """True for paths that have no English twin (the API, files, downloads)."""
    return any(_under(path, p) for p in UNTRANSLATED_PREFIXES) or path.endswith(UNTRANSLATED_SUFFIXES)


def is_office_path(path: str) -> bool:
    """True for the office workspace, which is Vietnamese only."""
    return _under(path, OFFICE_PREFIX)


def has_english(path: str) -> bool:
    """Whether the page at `path` (without a language prefix) also exists in English."""
    return not (is_office_path(path) or _untranslated(path))


class LanguagePrefix:
    """Strip a leading `/en` from the path, remember the language for the request, pass it on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route `/en/x` as `/x` in English; `/en` redirects to `/en/`; `/en/api/...` is not found.

        `/en/quan-ly/...` redirects (308, method and body kept) to the Vietnamese-only office pages.
        """
        lang = DEFAULT_LANG
        if scope["type"] == "http":
            path: str = scope["path"]
            raw: bytes = scope.get("raw_path") or b""
            if not raw.startswith(b"/en"):  # a percent-encoded prefix: rebuild from the decoded path
                raw = quote(path).encode()
            if path == "/en" or (path.startswith("/en/") and is_office_path(path[3:])):
                target = "/en/" if path == "/en" else raw[3:].decode("latin-1")
                query = scope.get("query_string", b"").decode("latin-1")
                await RedirectResponse(target + (f"?{query}" if query else ""), 308)(scope, receive, send)
                return
            if path.startswith("/en/"):
                rest = path[3:]
                if _untranslated(rest):  # plain text: `/en/api/...` is not the API, which answers JSON
                    await PlainTextResponse("Not found.", status_code=404)(scope, receive, send)
                    return
                scope = {**scope, "path": rest, "raw_path": raw[3:]}
                lang = "en"
            scope.setdefault("state", {})["lang"] = lang
        with speaking(lang):
            await self.app(scope, receive, send)
