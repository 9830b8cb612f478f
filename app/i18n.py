"""The site's words in the page's language: `gettext` for the language the request asked for.

`/en/...` serves English from the same routes (the prefix is read by app/web/language_prefix.py);
everything else is Vietnamese.

Translations come from `app/translations/<lang>/LC_MESSAGES/messages.po`, compiled in memory
the first time they are needed: no generated .mo file to build, ship or let drift.
Product and producer texts are never translated; only the site's own words are. Words built in
Python (error messages, office names, "(nay thuộc …)") call `gettext` while the request runs, so
they follow the page too. The JSON API, files and the office workspace stay Vietnamese.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app.config import PACKAGE_DIR

DEFAULT_LANG = "vi"
LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"

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


def format_number(value: int) -> str:
    """12345 as '12.345' on Vietnamese pages and '12,345' on English ones."""
    text = f"{value:,}"
    return text if current_lang() == "en" else text.replace(",", ".")


def format_percent(value: float) -> str:
    """A share in percent, one decimal below 10 ('4,2%' in Vietnamese, '4.2%' in English), whole above."""
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{text if current_lang() == 'en' else text.replace('.', ',')}%"


def lang_prefix(lang: str | None = None) -> str:
    """The URL prefix of a language: "" for Vietnamese, "/en" for English."""
    lang = lang or current_lang()
    return "" if lang == DEFAULT_LANG else f"/{lang}"


def lang_url(path: str, lang: str | None = None) -> str:
    """An internal path in the current (or given) language: "/san-pham" → "/en/san-pham" on English pages."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return f"{lang_prefix(lang)}{path}"


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Make `lang` the current language for the code run inside (one request, one task)."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)
