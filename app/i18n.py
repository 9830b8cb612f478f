"""Page language: `/en/...` serves English from the same routes; everything else is Vietnamese.

Translations come from `app/translations/<lang>/LC_MESSAGES/messages.po`, compiled in memory
the first time they are needed: no generated .mo file to build, ship or let drift.
Product and producer texts are never translated; only the site's own words are. Words built in
Python (error messages, office names, "(nay thuộc …)") call `gettext` while the request runs, so
they follow the page too. The JSON API, files and the office workspace stay Vietnamese.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from io import BytesIO
from urllib.parse import quote

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import PACKAGE_DIR

DEFAULT_LANG = "vi"
LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
# Paths that exist in one language only (the JSON API, its docs, files): `/en/api/...` is a 404.
UNTRANSLATED_PREFIXES = ("/api", "/static", "/media", "/docs", "/redoc", "/openapi.json", "/feeds", "/ma")
# Downloads and machine-read files (CSV, XLSX, JSON dumps, sitemap, robots.txt) have no English twin either.
UNTRANSLATED_SUFFIXES = (".csv", ".xlsx", ".json", ".xml", ".atom", ".txt", ".svg", ".png", ".pdf")
# The office workspace is Vietnamese only: `/en/quan-ly/...` is sent (308) to the Vietnamese path.
OFFICE_PREFIX = "/quan-ly"

_current: ContextVar[str] = ContextVar("cnnt_lang", default=DEFAULT_LANG)


def current_lang() -> str:
    """The language of the page being rendered ("vi" outside a request)."""
    return _current.get()


@cache
def translations(lang: str) -> NullTranslations:
    """The messages of `lang`, compiled from its .po file (fuzzy entries left out)."""
    if lang == DEFAULT_LANG:
        return NullTranslations()
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext(message: str) -> str:
    """`message` (a Vietnamese msgid) in the current page's language."""
    return translations(current_lang()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural form in the current page's language (Vietnamese has one form)."""
    return translations(current_lang()).ngettext(singular, plural, n)


def lang_prefix(lang: str | None = None) -> str:
    """The URL prefix of a language: "" for Vietnamese, "/en" for English."""
    lang = lang or current_lang()
    return "" if lang == DEFAULT_LANG else f"/{lang}"


def lang_url(path: str, lang: str | None = None) -> str:
    """An internal path in the current (or given) language: "/san-pham" → "/en/san-pham" on English pages."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return f"{lang_prefix(lang)}{path}"


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
        token = _current.set(lang)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
