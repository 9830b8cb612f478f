"""The Jinja2 environment for every page: found from the package, with the site's filters and globals.

`templates` is shared by every route; `configure_templates` installs its translations, filters
and globals, and is called by `create_app` (again for each app a test builds: it only replaces
entries with the same ones), so importing a route module registers nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app.config import PACKAGE_DIR
from app.domain.calls import points_text
from app.domain.codes import display_code
from app.domain.groups import GROUP_LABELS, GROUP_SHORT_LABELS, ProductGroup
from app.domain.illustrations import illustration_for
from app.domain.levels import LEVEL_LABELS, Level
from app.domain.parsing import LEGAL_FORM_LABELS, LegalForm
from app.domain.states import (
    ApplicationState,
    ClaimState,
    ImportBatchState,
    ProductState,
    ReportState,
    RoundState,
    State,
    state_label,
)
from app.domain.text import vietnamese_sort_key
from app.domain.validity import STATUS_LABELS, CertificateStatus, in_vietnam
from app.files.media import ImageSource
from app.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    OG_LOCALES,
    current_lang,
    format_number,
    gettext,
    lang_prefix,
    lang_url,
    ngettext,
    translations,
)
from app.services.catalog import seo
from app.services.catalog.provenance import decision_ref
from app.services.catalog.shortlist import COOKIE_NAME, parse_slugs
from app.web.auth import csrf_token
from app.web.json_in_html import script_json
from app.web.language_prefix import has_english
from app.web.office_nav import open_correction_count, open_report_count, pending_claim_count
from app.web.static_files import STATIC_PREFIX, fingerprinted
from search.engine import MARK_END, MARK_START

HTMX_FILE = "htmx-2.0.11.min.js"

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _page_date(day: date) -> str:
    """A day as the page's readers write it: dd/mm/yyyy in Vietnamese; '31 Dec 2029' in English.

    An English reader may take 03/04/2027 for 4 March, so English pages spell the month out
    (with English month names whatever the server's locale, hence no %b).
    """
    if current_lang() == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return day.strftime("%d/%m/%Y")


def vn_date(day: date | str | None) -> str:
    """A date as the page's readers write it (ISO text accepted; an instant on Vietnam's clock)."""
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if isinstance(day, datetime):
        day = in_vietnam(day)
    return _page_date(day)


def vn_datetime(moment: datetime | None) -> str:
    """A stored instant as 'HH:MM' and the page's date on Vietnam's clock, never the server's UTC day."""
    if moment is None:
        return ""
    local = in_vietnam(moment)
    return f"{local:%H:%M} {_page_date(local.date())}"


def sentence(text: str | None) -> str:
    """A text typed as a sentence, without its final full stop, for a template that ends the sentence
    itself ("Lý do: %(reason)s."): a revocation reason typed "Vi phạm quy định." would read "..".
    """
    return (text or "").strip().rstrip(".…").rstrip()


UNBROKEN_MAX = 18  # longer may wrap: at 320 px a facts value is about 150 px wide, 18 characters


def unbroken(text: object) -> Markup | str:
    """A certificate number kept on one line: "123/QĐ-<br>UBND" would read as two numbers. A number too
    long for a phone's line is left to wrap, so the page never scrolls sideways.
    """
    value = str(text or "")
    if not value or len(value) > UNBROKEN_MAX:
        return value
    return Markup('<span class="nobr">%s</span>') % value


def vn_sort(items: Iterable[Any], attribute: str = "") -> list[Any]:
    """Jinja's `sort`, in Vietnamese alphabetical order (`attribute` a dotted path, as `sort` takes it)."""
    def key(item: Any) -> tuple[tuple[int, ...], tuple[int, ...], str]:
        for part in attribute.split(".") if attribute else ():
            item = getattr(item, part)
        return vietnamese_sort_key(str(item))
    return sorted(items, key=key)


def highlight(text: str | None) -> Markup:
    """Escape first, then turn the engine's private-use markers into <mark> elements."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def level_label(code: str | None) -> str:
    """Label of a level code in the page's language; unknown codes are shown as they are."""
    try:
        return gettext(LEVEL_LABELS[Level(code or "")])
    except ValueError:
        return code or ""


def group_label(code: str | None, short: bool = False) -> str:
    """Label of a product group code in the page's language (short form for cards)."""
    try:
        group = ProductGroup(code or "")
    except ValueError:
        return code or ""
    return gettext((GROUP_SHORT_LABELS if short else GROUP_LABELS)[group])


def legal_form_label(code: str | None) -> str:
    """Label of a producer's legal form in the page's language ("" when unknown)."""
    try:
        return gettext(LEGAL_FORM_LABELS[LegalForm(code or "")])
    except ValueError:
        return ""


def status_label(code: str | None) -> str:
    """Words for a certificate status in the page's language."""
    try:
        return gettext(STATUS_LABELS[CertificateStatus(code or "")])
    except ValueError:
        return code or ""


def srcset(sources: list[ImageSource], fmt: str) -> str:
    """A `srcset` value: one URL per distinct real width (small originals repeat widths)."""
    seen: dict[int, str] = {}
    for source in sources:
        seen.setdefault(source.width, source.urls[fmt])
    return ", ".join(f"{url} {width}w" for width, url in seen.items())


_STATIC_URL_TTL_S = 1.0
_static_urls: dict[str, tuple[float, str]] = {}  # path → (when computed, URL)


def static_url(path: str) -> str:
    """URL of a packaged static file under its fingerprinted name, cacheable as immutable.

    Every page asks for the same few files (a catalog page for its icons once per card), and each
    answer resolves and stats the file: a tenth of a catalog page's rendering. So each URL is kept
    for a second; a file edited meanwhile (in development) gets its new fingerprint a second later.
    """
    now = time.monotonic()
    known = _static_urls.get(path)
    if known is not None and now - known[0] < _STATIC_URL_TTL_S:
        return known[1]
    url = f"{STATIC_PREFIX}/{fingerprinted(path)}"
    _static_urls[path] = (now, url)
    return url


@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    """`_()` in templates, answered as Jinja's newstyle gettext answers it: the translation, as Markup
    when the template autoescapes, always %-formatted (with `variables`, escaped).

    Jinja's own makes two context calls, wraps and formats again on every use: a catalog page asks
    for ~70 messages, a sixth of its render (py-spy). A message is the same text every time in a
    language (translations are loaded once per process), so its Markup is kept, formatted too
    when there is nothing to fill in.
    """
    lang, autoescape = current_lang(), context.eval_ctx.autoescape
    if variables:
        return _translation(lang, message, autoescape) % variables
    return _without_variables(lang, message, autoescape)


@lru_cache(maxsize=4096)  # the templates' own words and the domain's labels: a few hundred per language
def _translation(lang: str, message: str, autoescape: bool) -> str:
    """`message` in `lang`, as Markup for an autoescaping template (a format string either way)."""
    text = translations(lang).gettext(message)
    return Markup(text) if autoescape else text  # noqa: S704 - the site's own words, not input


@lru_cache(maxsize=4096)
def _without_variables(lang: str, message: str, autoescape: bool) -> str:
    """`message` in `lang` formatted with nothing to fill in (`%%` becomes `%`, as in Jinja)."""
    return _translation(lang, message, autoescape) % {}


def is_fragment_request(request: Request) -> bool:
    """True for an htmx swap; boosted and history-restore requests need the whole page."""
    headers = request.headers
    return (
        "hx-request" in headers
        and "hx-history-restore-request" not in headers
        and "hx-boosted" not in headers
    )


def csrf_field_value(request: Request) -> str:
    """The session's CSRF token for hidden form fields and htmx headers (admin pages)."""
    return csrf_token(request.session)


def page_canonical_url(request: Request, lang: str | None = None) -> str:
    """The page's canonical URL in its (or the given) language: BASE_URL, path, the parameters that matter."""
    base: str = request.app.state.settings.public_base_url
    url = seo.canonical_url("", request.url.path, list(request.query_params.multi_items()))
    return f"{base}{lang_prefix(lang)}{url}"


def page_alternates(request: Request) -> list[tuple[str, str]]:
    """hreflang alternates of the page: one per language, Vietnamese as x-default (none for the office)."""
    if not has_english(request.url.path):
        return []
    base: str = request.app.state.settings.public_base_url
    path = seo.canonical_url("", request.url.path, list(request.query_params.multi_items()))
    return list(seo.language_versions(base, path))


def language_switch(request: Request) -> list[tuple[str, str]]:
    """The same page (same query string) in each other language, for the header's switch link.

    None on the office workspace, which is Vietnamese only.
    """
    if not has_english(request.url.path):
        return []
    query = f"?{request.url.query}" if request.url.query else ""
    return [(lang, f"{lang_prefix(lang)}{request.url.path}{query}")
            for lang in LANGUAGES if lang != current_lang()]


def page_base_url(request: Request) -> str:
    """BASE_URL without the trailing slash, for absolute links in meta tags."""
    base: str = request.app.state.settings.public_base_url
    return base


def cookie_slugs(request: Request) -> list[str]:
    """Well-formed slugs from the visitor's cookie (not yet checked against the database)."""
    return parse_slugs(request.cookies.get(COOKIE_NAME)).slugs


def shortlist_count(request: object) -> int:
    """How many products the nav link shows; 0 where a template has no request."""
    return len(cookie_slugs(request)) if isinstance(request, Request) else 0


def in_shortlist(request: object, slug: str) -> bool:
    """Whether a card's button should offer removing rather than adding."""
    return isinstance(request, Request) and slug in cookie_slugs(request)


def state_label_filter(value: str, kind: type[State]) -> str:
    """The office's words for a stored state of workflow `kind` (office pages are Vietnamese only)."""
    return state_label(kind, value)


templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")


def configure_templates(templates: Jinja2Templates) -> None:
    """Install the translations, filters and globals every template may use, in one place."""
    env = templates.env
    # The templates are packaged: they change with a deploy, which restarts the process. Jinja's
    # default re-stats every template and each of its includes on every render (4 % of a cold
    # catalog page under load, py-spy); compiled templates are kept for the process's life instead.
    env.auto_reload = False
    env.add_extension("jinja2.ext.i18n")
    # Per-request translations: the callables read the language the LanguagePrefix middleware set.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_=template_gettext, gettext=template_gettext)  # the same answers, kept (see there)
    env.filters.update(
        vn_date=vn_date, vn_datetime=vn_datetime, sentence=sentence, unbroken=unbroken, vn_sort=vn_sort,
        highlight=highlight, level_label=level_label, group_label=group_label,
        status_label=status_label, legal_form_label=legal_form_label, display_code=display_code,
        lang_url=lang_url, srcset=srcset,
        json_ld=script_json, tojson=script_json, state_label=state_label_filter,  # one JSON-in-HTML encoder
        points=points_text, number=format_number,
    )
    env.globals.update(
        csrf_token=csrf_field_value, static_url=static_url, is_fragment_request=is_fragment_request,
        htmx_file=HTMX_FILE, groups=list(ProductGroup), levels=list(Level),
        current_lang=current_lang, lang_prefix=lang_prefix, lang_url=lang_url,
        language_names=LANGUAGE_NAMES, og_locales=OG_LOCALES, language_switch=language_switch,
        canonical_url=page_canonical_url, base_url=page_base_url, alternate_urls=page_alternates,
        product_json_ld=seo.product_json_ld, producer_json_ld=seo.producer_json_ld,
        product_og_image=seo.og_image, illustration_for=illustration_for, shortlist_count=shortlist_count,
        in_shortlist=in_shortlist, decision_ref=decision_ref,
        open_report_count=open_report_count, pending_claim_count=pending_claim_count,
        open_correction_count=open_correction_count,
        # Workflow states (app.domain.states): pages compare with the members and show
        # `value|state_label(ProductState)`; the labels live only in the domain module.
        ProductState=ProductState, RoundState=RoundState, ImportBatchState=ImportBatchState,
        ReportState=ReportState, ClaimState=ClaimState, ApplicationState=ApplicationState,
    )
