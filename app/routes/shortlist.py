"""The visitor's shortlist ("danh sách chọn"): add, remove, show, compare and share, without an account.

Why no CSRF token on these anonymous forms: the cookie they change only holds the visitor's
own list of public products, so a forged post could at worst add or remove a product from a
list nobody else sees. The cookie is SameSite=Lax (a cross-site POST does not carry it) and a
post whose Origin or Referer names another host is refused with 403 anyway.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.errors import Forbidden, NotFound
from app.forms.watch import FORM_PURPOSE as WATCH_FORM_PURPOSE
from app.i18n import gettext, lang_url
from app.services.catalog.shortlist import (
    COOKIE_MAX_AGE_S,
    COOKIE_NAME,
    MAX_ITEMS,
    AddOutcome,
    add_slug,
    join_slugs,
    load_shortlist,
    parse_slugs,
    published_slugs,
    remove_slug,
    share_url,
)
from app.web.deps import SessionDep, SettingsDep, TodayDep
from app.web.form_tokens import issue_token
from app.web.templating import cookie_slugs, is_fragment_request, templates

LIST_PATH = "/danh-sach-chon"


def full_message() -> str:
    """Why a product was not added, in the page's language."""
    message = gettext("Danh sách chọn đã đủ %(max)s sản phẩm. "
                      "Hãy bỏ bớt sản phẩm trước khi thêm sản phẩm khác.")
    return message % {"max": MAX_ITEMS}


def _host(url: str) -> str:
    """The host[:port] of an absolute URL ('' for anything else, such as 'null')."""
    return urlsplit(url).netloc.lower() if "://" in url else ""


def check_same_site(request: Request, settings: SettingsDep) -> None:
    """Refuse a post whose Origin (or, without one, Referer) names a host other than this site's."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return  # old browsers and privacy tools send neither; SameSite=Lax still protects the cookie
    allowed = {request.headers.get("host", "").lower(), _host(settings.public_base_url)}
    if _host(claimed) not in allowed - {""}:
        raise Forbidden(gettext("Yêu cầu đến từ một trang khác nên không được thực hiện."))


def local_path(value: str | None, fallback: str | None = None) -> str:
    """`value` if it is a path on this site ('/…', not '//…' nor a URL); `fallback` (the list) otherwise."""
    fallback = fallback or lang_url(LIST_PATH)
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return fallback
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return fallback
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else fallback


SameSite = Annotated[None, Depends(check_same_site)]
SlugField = Annotated[str, Form(alias="sp", max_length=200)]
NextField = Annotated[str, Form(alias="next", max_length=2000)]
router = APIRouter(default_response_class=HTMLResponse)


def _store(response: Response, slugs: list[str]) -> Response:
    """Write the list into the cookie (deleted when empty)."""
    if not slugs:
        response.delete_cookie(COOKIE_NAME, path="/", samesite="lax")
    else:
        response.set_cookie(COOKIE_NAME, join_slugs(slugs), max_age=COOKIE_MAX_AGE_S, path="/",
                            samesite="lax", secure=False, httponly=False)
    return response


def _toggle_answer(request: Request, *, slug: str, slugs: list[str], next_path: str,
                   notice: str = "", status: int = 303) -> Response:
    """htmx gets the button in its new state (and the nav count); a plain form post goes back."""
    if is_fragment_request(request):
        context = {"slug": slug, "chosen": slug in slugs, "next": next_path, "notice": notice,
                   "count": len(slugs)}
        response: Response = templates.TemplateResponse(
            request, "shortlist/_toggle.html", context, status_code=422 if notice else 200)
    else:
        response = RedirectResponse(next_path, status_code=status)
    response.headers["Vary"] = "HX-Request"
    return _store(response, slugs)


@router.post(f"{LIST_PATH}/them", name="shortlist_add")
def shortlist_add(request: Request, session: SessionDep, today: TodayDep, _: SameSite,
                  slug: SlugField, next_path: NextField = "") -> Response:
    """Add one published product; a full list (MAX_ITEMS) is refused with a message."""
    if not published_slugs(session=session, slugs=[slug]):
        raise NotFound(gettext("Không tìm thấy sản phẩm này. Có thể sản phẩm đã bị gỡ."))
    current = published_slugs(session=session, slugs=cookie_slugs(request))
    slugs, outcome = add_slug(current, slug)
    if outcome is AddOutcome.full and not is_fragment_request(request):
        return _list_page(request, session, today, notice=full_message(), status=422)
    notice = full_message() if outcome is AddOutcome.full else ""
    return _toggle_answer(request, slug=slug, slugs=slugs, next_path=local_path(next_path), notice=notice)


@router.post(f"{LIST_PATH}/bo", name="shortlist_remove")
def shortlist_remove(request: Request, session: SessionDep, _: SameSite,
                     slug: SlugField, next_path: NextField = "") -> Response:
    """Remove one product (unknown slugs simply leave the list as it was)."""
    slugs = remove_slug(published_slugs(session=session, slugs=cookie_slugs(request)), slug)
    return _toggle_answer(request, slug=slug, slugs=slugs, next_path=local_path(next_path))


@router.post(f"{LIST_PATH}/luu", name="shortlist_save")
def shortlist_save(request: Request, session: SessionDep, _: SameSite,
                   shared: Annotated[str, Form(alias="sp", max_length=8000)] = "") -> Response:
    """Replace the visitor's list with a shared one ("Lưu vào danh sách của tôi")."""
    slugs = published_slugs(session=session, slugs=parse_slugs(shared).slugs)
    return _store(RedirectResponse(lang_url(LIST_PATH), status_code=303), slugs)


def _list_page(request: Request, session: SessionDep, today: TodayDep, *, shared: str | None = None,
               notice: str = "", status: int = 200) -> Response:
    """Render the comparison for a share link (`shared`) or the visitor's cookie."""
    raw = shared if shared is not None else request.cookies.get(COOKIE_NAME)
    shortlist = load_shortlist(session=session, parsed=parse_slugs(raw), today=today)
    settings = request.app.state.settings
    context = {"shortlist": shortlist, "shared": shared is not None, "notice": notice,
               "share_url": share_url(settings.public_base_url, shortlist.slugs),
               "joined": join_slugs(shortlist.slugs), "today": today,
               "watch_token": issue_token(secret=settings.secret_key, purpose=WATCH_FORM_PURPOSE)}
    response = templates.TemplateResponse(request, "shortlist/index.html", context, status_code=status)
    if shared is None and shortlist.ignored:
        _store(response, shortlist.slugs)  # drop what is no longer published from the cookie
    return response


@router.get(LIST_PATH, name="shortlist")
def shortlist_page(request: Request, session: SessionDep, today: TodayDep, sp: str | None = None) -> Response:
    """The visitor's list, or with `?sp=a,b` exactly that list (the share link, no cookie needed)."""
    return _list_page(request, session, today, shared=sp)
