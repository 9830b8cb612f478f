"""robots.txt, the sitemap and the Atom feed.

The <head> helpers every page uses are template globals, in app/web/templating.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from app.errors import NotFound
from app.services.catalog import seo
from app.services.catalog.feeds import parse_feed_filters, winners_feed
from app.web.deps import SessionDep, SettingsDep
from app.web.templating import templates

router = APIRouter()
XML = "application/xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


@router.get("/robots.txt", name="robots")
def robots(settings: SettingsDep) -> Response:
    """Crawl everything public; keep out of the office workspace and the JSON API."""
    lines = ["User-agent: *", "Allow: /", "Disallow: /quan-ly", "Disallow: /api",
             f"Sitemap: {settings.public_base_url}/sitemap.xml", ""]
    return PlainTextResponse("\n".join(lines))


def _pages(session: SessionDep, settings: SettingsDep) -> list[list[seo.SitemapEntry]]:
    """All sitemap entries, cut into files of at most SITEMAP_MAX_URLS."""
    entries = list(seo.sitemap_entries(session=session, base_url=settings.public_base_url))
    return seo.sitemap_pages(entries, seo.SITEMAP_MAX_URLS)


@router.get("/sitemap.xml", name="sitemap")
def sitemap(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The sitemap, or a sitemap index pointing at numbered files past 50,000 URLs."""
    pages = _pages(session, settings)
    if len(pages) == 1:
        return templates.TemplateResponse(request, "seo/sitemap.xml", {"entries": pages[0]}, media_type=XML)
    files = [f"{settings.public_base_url}/sitemap-{n}.xml" for n in range(1, len(pages) + 1)]
    return templates.TemplateResponse(request, "seo/sitemap_index.xml", {"files": files}, media_type=XML)


@router.get("/sitemap-{number}.xml", name="sitemap_part")
def sitemap_part(request: Request, number: int, session: SessionDep, settings: SettingsDep) -> Response:
    """One numbered file of a split sitemap."""
    pages = _pages(session, settings)
    if not 1 <= number <= len(pages) or len(pages) == 1:
        raise NotFound("Không có tệp sitemap này.")
    context = {"entries": pages[number - 1]}
    return templates.TemplateResponse(request, "seo/sitemap.xml", context, media_type=XML)


@router.get("/feeds/moi.atom", name="feed_new")
def new_winners(request: Request, session: SessionDep, settings: SettingsDep,
                tinh: str = "", nhom: str = "", cap: str = "") -> Response:
    """The newest winners as Atom, optionally of one province (current or former), group or level."""
    filters = parse_feed_filters(tinh=tinh, nhom=nhom, cap=cap)
    feed = winners_feed(session=session, filters=filters, base_url=settings.public_base_url)
    return templates.TemplateResponse(request, "seo/feed.atom.xml", {"feed": feed}, media_type=ATOM)
