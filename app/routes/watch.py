"""Watch lists without an account: start one (/theo-doi), confirm it, manage it, unsubscribe in one click.

The start form is anonymous, so it is guarded as the misuse report form is (app/routes/reports.py):
a signed, time-stamped form token spent once, a honeypot, and rate limits per client and per
address. Every later step is reached by a link the site signed and mailed to the address: holding
it is the proof, so those forms carry the signed token instead of a CSRF token (RFC 8058's one-click
POST cannot carry one at all). A forged, expired or replayed link gets a page that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.domain.messages import N_
from app.forms.reports import HONEYPOT_FIELD, TOKEN_FIELD
from app.forms.watch import FORM_PURPOSE, WatchPost, email_error, read_watch_post
from app.i18n import gettext, lang_url
from app.models import WatchList
from app.services.verification.used_tokens import spend_token
from app.services.watch.lists import (
    add_items,
    confirm_list,
    delete_list,
    item_views,
    list_for_link,
    mask_email,
    remove_item,
    resolve,
    split_entries,
    start_list,
)
from app.services.watch.mails import queue_confirmation, watch_links
from app.services.watch.table import watch_rows
from app.services.watch.tokens import LinkClaim, LinkProblem, LinkPurpose, read_link, sign_link
from app.web.deps import ClientKeyDep, LimitsDep, SessionDep, SettingsDep, TodayDep
from app.web.form_tokens import (
    SPENT_TOKEN_LIFETIME_S,
    TOKEN_MESSAGES,
    TokenCheck,
    check_token,
    issue_token,
    token_nonce,
)
from app.web.rate_limit import SiteLimits, client_key
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)
WATCH_PATH = "/theo-doi"
SENT_PATH = f"{WATCH_PATH}/da-gui"
PER_CLIENT_PER_HOUR = 10
PER_ADDRESS_PER_DAY = 3
_ALREADY_SENT = N_("Biểu mẫu này đã được gửi (mỗi biểu mẫu chỉ gửi được một lần). "
                   "Hãy kiểm tra hộp thư của bạn.")
_LINK_MESSAGES = {
    LinkProblem.forged: N_("Đường dẫn không hợp lệ: có thể nó bị cắt mất một phần khi sao chép. "
                           "Hãy mở lại đường dẫn đầy đủ trong thư."),
    LinkProblem.expired: N_("Đường dẫn xác nhận đã hết hạn (sau 7 ngày). Hãy tạo lại danh sách theo dõi."),
}
_GONE = N_("Danh sách theo dõi này không còn: nó đã bị xóa, hoặc chưa được xác nhận trong 7 ngày.")
TokenField = Annotated[str, Form(alias="t", max_length=1000)]


def _form_page(request: Request, settings: Settings, post: WatchPost, *,  # noqa: PLR0913 - one per outcome
               errors: Mapping[str, str] | None = None, notice: str = "", unknown: list[str] | None = None,
               status: int = 200, token: str = "") -> Response:
    """The start form with what was posted, its errors and the entries not found."""
    context = {"post": post, "errors": errors or {}, "notice": notice, "unknown": unknown or [],
               "token": token or issue_token(secret=settings.secret_key, purpose=FORM_PURPOSE)}
    return templates.TemplateResponse(request, "watch/index.html", context, status_code=status)


def _link_page(request: Request, *, title: str, message: str, status: int = 200, action: str = "",
               button: str = "", token: str = "", links: Mapping[str, str] | None = None) -> Response:
    """A short page: a message and, when given, one button that posts the signed token."""
    context = {"title": title, "message": message, "action": action, "button": button, "token": token,
               "links": links or {}}
    return templates.TemplateResponse(request, "watch/link.html", context, status_code=status)


@router.get(WATCH_PATH, name="watch_form")
def watch_form(request: Request, settings: SettingsDep, ma: str = "") -> Response:
    """The start form: what is stored, for how long, how to delete it; codes prefilled from `?ma=`."""
    return _form_page(request, settings, WatchPost(codes=split_entries([ma[:2000]])))


@router.post(WATCH_PATH, name="watch_start")
async def watch_start(request: Request, session: SessionDep, settings: SettingsDep, today: TodayDep,
                      client: ClientKeyDep, limits: LimitsDep) -> Response:
    """Check the form, start a pending list and mail its confirmation link; then redirect (303)."""
    post = await read_watch_post(request, token_field=TOKEN_FIELD, honeypot_field=HONEYPOT_FIELD)
    if post.rejected is not None:
        rejected = post.rejected
        return _form_page(request, settings, post, notice=rejected.message, status=rejected.status_code)
    verdict = check_token(post.token, secret=settings.secret_key, purpose=FORM_PURPOSE)
    if verdict in TOKEN_MESSAGES:
        return _form_page(request, settings, post, notice=gettext(TOKEN_MESSAGES[verdict]), status=400)
    if verdict is TokenCheck.too_fast or post.honeypot.strip():
        return RedirectResponse(lang_url(SENT_PATH), status_code=303)  # a bot: it learns nothing
    error = email_error(post.email)
    resolved = resolve(session=session, codes=post.codes, slugs=post.slugs)
    errors = {"email": error} if error else {}
    if not resolved.items:
        errors["code"] = gettext("Không có mã giấy chứng nhận hoặc sản phẩm nào tìm thấy để theo dõi.")
    if errors:
        return _form_page(request, settings, post, errors=errors, unknown=resolved.unknown, status=422,
                          token=post.token)
    limited = _rate_limited(limits, settings, client=client, email=post.email)
    if limited:
        return _form_page(request, settings, post, notice=limited, status=429, token=post.token)
    if not spend_token(session=session, nonce=token_nonce(post.token), purpose=FORM_PURPOSE,
                       lifetime_s=SPENT_TOKEN_LIFETIME_S):
        session.rollback()
        return _form_page(request, settings, post, notice=gettext(_ALREADY_SENT), status=409)
    watch = start_list(session=session, resolved=resolved, today=today)
    queue_confirmation(session=session, watch=watch, email=post.email, base_url=settings.public_base_url,
                       secret=settings.secret_key, count=len(resolved.items))
    session.commit()
    query = urlencode({"n": len(resolved.items), "bo": ",".join(resolved.unknown[:20])})
    return RedirectResponse(f"{lang_url(SENT_PATH)}?{query}", status_code=303)


def _rate_limited(limits: SiteLimits, settings: Settings, *, client: str, email: str) -> str:
    """The notice when this client or this address asked too often ('' when allowed)."""
    address = client_key(email.lower(), secret=settings.secret_key)  # the address itself is never a key
    if not limits.hit(f"watch-client:{client}", limit=PER_CLIENT_PER_HOUR, window_s=3600):
        return gettext("Bạn đã tạo nhiều danh sách theo dõi trong thời gian ngắn. "
                       "Vui lòng thử lại sau một giờ.")
    if not limits.hit(f"watch-address:{address}", limit=PER_ADDRESS_PER_DAY, window_s=86400):
        return gettext("Địa chỉ e-mail này đã nhận nhiều thư xác nhận hôm nay. "
                       "Vui lòng thử lại vào ngày mai.")
    return ""


@router.get(SENT_PATH, name="watch_sent")
def watch_sent(request: Request, n: int = 0, bo: str = "") -> Response:
    """Check your mail: how many entries will be watched and which were not found."""
    unknown = [piece for piece in bo[:1000].split(",") if piece][:20]
    return templates.TemplateResponse(request, "watch/sent.html", {"count": max(0, n), "unknown": unknown})


def _open(request: Request, session: Session, settings: Settings, token: str,
          purpose: LinkPurpose) -> tuple[WatchList, LinkClaim] | Response:
    """The list a signed link names with the link's claim, or the page that says why it cannot be used
    (400 for a forged or expired link, 404 for a list that is gone)."""
    claim = read_link(token, secret=settings.secret_key, purpose=purpose)
    watch = None if isinstance(claim, LinkProblem) else list_for_link(session=session, claim=claim)
    if watch is not None and isinstance(claim, LinkClaim):
        return watch, claim
    message, status = (_LINK_MESSAGES[claim], 400) if isinstance(claim, LinkProblem) else (_GONE, 404)
    return _link_page(request, title=gettext("Không dùng được đường dẫn này"), message=gettext(message),
                      status=status, links={lang_url(WATCH_PATH): gettext("Tạo danh sách theo dõi mới")})


@router.get(f"{WATCH_PATH}/xac-nhan", name="watch_confirm_page")
def watch_confirm_page(request: Request, session: SessionDep, settings: SettingsDep, t: str = "") -> Response:
    """The confirm button (a GET never confirms: mail scanners open links)."""
    opened = _open(request, session, settings, t, LinkPurpose.confirm)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    return _link_page(request, title=gettext("Xác nhận theo dõi bằng e-mail"),
                      message=gettext("Bấm “Xác nhận” để nhận cảnh báo về danh sách theo dõi tại %(email)s.")
                      % {"email": mask_email(claim.email)},
                      action=lang_url(f"{WATCH_PATH}/xac-nhan"), button=gettext("Xác nhận"), token=t)


@router.post(f"{WATCH_PATH}/xac-nhan", name="watch_confirm")
def watch_confirm(request: Request, session: SessionDep, settings: SettingsDep, t: TokenField) -> Response:
    """Store the address (the first time), then show the manage page."""
    opened = _open(request, session, settings, t, LinkPurpose.confirm)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    first = confirm_list(session=session, watch=watch, email=claim.email)
    session.commit()
    manage = sign_link(secret=settings.secret_key, purpose=LinkPurpose.manage, list_id=watch.id or 0,
                       feed_key=watch.feed_key)
    return RedirectResponse(f"{lang_url(WATCH_PATH)}/quan-ly?{urlencode({'t': manage, 'xn': int(first)})}",
                            status_code=303)


@router.get(f"{WATCH_PATH}/quan-ly", name="watch_manage")
def watch_manage(request: Request, session: SessionDep, settings: SettingsDep, today: TodayDep, t: str = "",
                 xn: int = -1) -> Response:
    """The list: its certificates today, add and remove, delete, the feed and calendar links."""
    opened = _open(request, session, settings, t, LinkPurpose.manage)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    links = watch_links(watch=watch, base_url=settings.public_base_url, secret=settings.secret_key)
    context = {"watch": watch, "rows": watch_rows(session=session, watch=watch, today=today), "token": t,
               "email": mask_email(watch.email) if watch.email else "", "confirmed_now": xn, "links": links,
               "items": item_views(session=session, watch=watch)}
    response = templates.TemplateResponse(request, "watch/manage.html", context)
    response.headers["Referrer-Policy"] = "no-referrer"  # the signed link stays out of other sites' logs
    return response


def _back_to_manage(token: str) -> Response:
    """Redirect (303) to the manage page after a change."""
    return RedirectResponse(f"{lang_url(WATCH_PATH)}/quan-ly?{urlencode({'t': token})}", status_code=303)


@router.post(f"{WATCH_PATH}/quan-ly/them", name="watch_add")
def watch_add(request: Request, session: SessionDep, settings: SettingsDep, today: TodayDep, t: TokenField,
              code: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """Add codes (one per line) to the list; unknown ones are ignored."""
    opened = _open(request, session, settings, t, LinkPurpose.manage)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    resolved = resolve(session=session, codes=[code], slugs=[])
    add_items(session=session, watch=watch, resolved=resolved, today=today)
    session.commit()
    return _back_to_manage(t)


@router.post(f"{WATCH_PATH}/quan-ly/bo", name="watch_remove")
def watch_remove(request: Request, session: SessionDep, settings: SettingsDep, t: TokenField,
                 item: Annotated[int, Form()]) -> Response:
    """Stop watching one item."""
    opened = _open(request, session, settings, t, LinkPurpose.manage)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    remove_item(session=session, watch=watch, item_id=item)
    session.commit()
    return _back_to_manage(t)


def _deleted(request: Request) -> Response:
    """The list and its address are gone."""
    return _link_page(request, title=gettext("Đã xóa danh sách theo dõi"),
                      message=gettext("Danh sách theo dõi và địa chỉ e-mail của bạn đã được xóa. "
                                      "Bạn sẽ không nhận thêm cảnh báo nào."),
                      links={lang_url(WATCH_PATH): gettext("Tạo danh sách theo dõi mới")})


@router.post(f"{WATCH_PATH}/quan-ly/xoa", name="watch_delete")
def watch_delete(request: Request, session: SessionDep, settings: SettingsDep, t: TokenField) -> Response:
    """Delete the list, its history and its address."""
    opened = _open(request, session, settings, t, LinkPurpose.manage)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    delete_list(session=session, watch=watch)
    session.commit()
    return _deleted(request)


@router.get(f"{WATCH_PATH}/huy", name="watch_unsubscribe_page")
def watch_unsubscribe_page(request: Request, session: SessionDep, settings: SettingsDep,
                           t: str = "") -> Response:
    """A confirm button; the mail client's one-click POST goes to the same URL without it."""
    opened = _open(request, session, settings, t, LinkPurpose.unsubscribe)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    return _link_page(request, title=gettext("Ngừng nhận cảnh báo"),
                      message=gettext("Bấm nút dưới đây để ngừng nhận cảnh báo: danh sách theo dõi "
                                      "và địa chỉ e-mail của bạn sẽ bị xóa."),
                      action=f"{lang_url(WATCH_PATH)}/huy?{urlencode({'t': t})}",
                      button=gettext("Ngừng nhận cảnh báo"))


@router.post(f"{WATCH_PATH}/huy", name="watch_unsubscribe")
def watch_unsubscribe(request: Request, session: SessionDep, settings: SettingsDep, t: str = "") -> Response:
    """RFC 8058 one-click: the signed `t` in the URL is the proof; the body is not needed."""
    opened = _open(request, session, settings, t, LinkPurpose.unsubscribe)
    if isinstance(opened, Response):
        return opened
    watch, claim = opened
    delete_list(session=session, watch=watch)
    session.commit()
    return _deleted(request)
