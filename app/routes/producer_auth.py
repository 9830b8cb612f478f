"""Producer accounts signing up and in (/tai-khoan): register, confirm, password or one-time link, sign out,
and the signed-in account's password (changed with the current one, or a first one set by a mailed link).

Registering and asking for a link answer with the same page whether or not the address has an
account (the mail says the rest), and are rate-limited per client and per address as the other
anonymous senders of e-mail are (app/routes/watch.py). A link's GET only shows a button (mail
scanners open links); its POST spends the link and starts a fresh producer session. The password is
chosen on the confirmation link's page, by whoever holds the mailbox, never when registering; a
link-only account sets one later the same way, on a link mailed from /tai-khoan/mat-khau. Wrong
current passwords are throttled as sign-ins are (app/web/login_throttle.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.config import Settings
from app.domain.messages import N_
from app.errors import InvalidInput
from app.forms.producer_accounts import (
    CONFIRM_FIELDS,
    LINK_FIELDS,
    PASSWORD_CHANGE_FIELDS,
    REGISTER_FIELDS,
    ConfirmForm,
    LinkForm,
    PasswordChangeForm,
    RegisterForm,
    parse_fields,
)
from app.forms.text import text_fields
from app.i18n import gettext, lang_url
from app.models import ProducerAccount
from app.services.producers.accounts import (
    account_for_link,
    authenticate,
    change_password,
    confirm_address,
    mail_password_link,
    register,
    request_link,
    set_password_by_link,
    sign_out,
    use_link,
)
from app.services.producers.tokens import LIFETIMES, MAX_TOKEN, LinkProblem, LinkPurpose
from app.web.auth import start_producer_session
from app.web.deps import (
    ClientKeyDep,
    LimitsDep,
    LoginThrottleDep,
    PostedDep,
    ProducerAccountDep,
    SessionDep,
    SettingsDep,
    check_csrf,
)
from app.web.form_flow import field_errors
from app.web.login_throttle import login_refused
from app.web.rate_limit import SiteLimits, client_key
from app.web.templating import templates

router = APIRouter(prefix="/tai-khoan", default_response_class=HTMLResponse,
                   dependencies=[Depends(check_csrf)])
PER_CLIENT_PER_HOUR = 10
PER_ADDRESS_PER_DAY = 5
LinkToken = Annotated[str, Path(max_length=MAX_TOKEN)]
_LINK_MESSAGES = {
    LinkProblem.forged: N_("Đường dẫn không hợp lệ: có thể nó bị cắt mất một phần khi sao chép. "
                           "Hãy mở lại đường dẫn đầy đủ trong thư."),
    LinkProblem.expired: N_("Đường dẫn đã hết hạn. Hãy yêu cầu một đường dẫn mới."),
    LinkProblem.used: N_("Đường dẫn này đã được dùng hoặc không còn hiệu lực (mỗi đường dẫn chỉ dùng được "
                         "một lần). Hãy yêu cầu một đường dẫn mới."),
}
_LINK_PAGES = {  # purpose → (title, button, path)
    LinkPurpose.confirm: (N_("Xác nhận địa chỉ e-mail"), N_("Xác nhận và đăng nhập"), "/tai-khoan/xac-nhan/"),
    LinkPurpose.sign_in: (N_("Đăng nhập bằng đường dẫn"), N_("Đăng nhập"), "/tai-khoan/dang-nhap/"),
    LinkPurpose.password: (N_("Đặt mật khẩu"), N_("Đặt mật khẩu và đăng nhập"), "/tai-khoan/dat-mat-khau/"),
}


def _page(request: Request, template: str, *, values: Mapping[str, str] | None = None,
          errors: Mapping[str, str] | None = None, notice: str = "", status: int = 200) -> Response:
    """A producer area form page with what was typed (never a password) and its messages."""
    kept = {k: v for k, v in (values or {}).items() if k != "password"}
    context = {"values": kept, "errors": errors or {}, "notice": notice}
    return templates.TemplateResponse(request, f"producer_area/{template}", context, status_code=status)


def _rate_limited(limits: SiteLimits, settings: Settings, *, client: str, email: str) -> str:
    """The notice when this client or this address asked for mail too often ('' when allowed)."""
    address = client_key(email.lower(), secret=settings.secret_key)  # the address itself is never a key
    if not limits.hit(f"producer-client:{client}", limit=PER_CLIENT_PER_HOUR, window_s=3600):
        return gettext("Bạn đã gửi nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau một giờ.")
    if not limits.hit(f"producer-address:{address}", limit=PER_ADDRESS_PER_DAY, window_s=86400):
        return gettext("Địa chỉ e-mail này đã nhận nhiều thư hôm nay. Vui lòng thử lại vào ngày mai.")
    return ""


def _sent(request: Request) -> Response:
    """The one answer to a registration or a link request: check your mail."""
    return RedirectResponse(lang_url("/tai-khoan/da-gui"), status_code=303)


@router.get("/dang-ky", name="producer_register_form")
def register_form(request: Request) -> Response:
    """The registration form."""
    return _page(request, "register.html")


@router.post("/dang-ky", name="producer_register")
def register_post(request: Request, session: SessionDep, settings: SettingsDep, client: ClientKeyDep,
                  limits: LimitsDep, posted: PostedDep) -> Response:
    """Check the form, then register or mail the holder of the address; the same answer either way."""
    values = text_fields(posted, REGISTER_FIELDS)
    form, errors = parse_fields(RegisterForm, values, "name")
    if form is None:
        return _page(request, "register.html", values=values, errors=errors, status=422)
    limited = _rate_limited(limits, settings, client=client, email=form.email)
    if limited:
        return _page(request, "register.html", values=values, notice=limited, status=429)
    register(session=session, name=form.name, email=form.email, base_url=settings.public_base_url,
             secret=settings.secret_key)
    session.commit()
    return _sent(request)


@router.get("/da-gui", name="producer_sent")
def sent(request: Request) -> Response:
    """Check your mail (the same page whether or not the address had an account)."""
    return templates.TemplateResponse(request, "producer_area/sent.html", {})


@router.get("/lien-ket", name="producer_link_form")
def link_form(request: Request) -> Response:
    """Ask for a one-time sign-in link."""
    return _page(request, "link_request.html")


@router.post("/lien-ket", name="producer_link_request")
def link_request(request: Request, session: SessionDep, settings: SettingsDep, client: ClientKeyDep,
                 limits: LimitsDep, posted: PostedDep) -> Response:
    """Mail a sign-in link when the address has an account; the same answer either way."""
    values = text_fields(posted, LINK_FIELDS)
    form, errors = parse_fields(LinkForm, values, "email")
    if form is None:
        return _page(request, "link_request.html", values=values, errors=errors, status=422)
    limited = _rate_limited(limits, settings, client=client, email=form.email)
    if limited:
        return _page(request, "link_request.html", values=values, notice=limited, status=429)
    request_link(session=session, email=form.email, base_url=settings.public_base_url,
                 secret=settings.secret_key)
    session.commit()
    return _sent(request)


def _link_page(request: Request, session: SessionDep, settings: Settings, token: str,
               purpose: LinkPurpose, *, problem: LinkProblem | None = None,
               errors: Mapping[str, str] | None = None) -> Response:
    """The button that uses a link (a confirmation's with its optional password, a password link's with the
    one it sets), or the page that says why it cannot be used (400); a refused password comes back (422)."""
    found = problem or account_for_link(session=session, token=token, purpose=purpose,
                                        secret=settings.secret_key)
    title, button, path = _LINK_PAGES[purpose]
    context = {"title": gettext(title), "button": gettext(button), "action": lang_url(f"{path}{token}"),
               "problem": gettext(_LINK_MESSAGES[found]) if isinstance(found, LinkProblem) else "",
               "choose_password": purpose is not LinkPurpose.sign_in,
               "password_required": purpose is LinkPurpose.password, "errors": errors or {}}
    status = 400 if isinstance(found, LinkProblem) else 422 if errors else 200
    response = templates.TemplateResponse(request, "producer_area/link.html", context, status_code=status)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link stays out of other sites' logs
    return response


def _signed_in(request: Request, session: SessionDep, settings: Settings, token: str, purpose: LinkPurpose,
               used: ProducerAccount | LinkProblem) -> Response:
    """After a link was spent: a fresh producer session; a bad link gets its page (400)."""
    if isinstance(used, LinkProblem):
        session.rollback()
        return _link_page(request, session, settings, token, purpose, problem=used)
    session.commit()
    assert used.id is not None  # noqa: S101 - loaded from the database
    start_producer_session(request.session, account_id=used.id, version=used.session_version)
    return RedirectResponse(lang_url("/tai-khoan"), status_code=303)


def _password_link_post(request: Request, session: SessionDep, settings: Settings, token: str,
                        posted: Mapping[str, str], purpose: LinkPurpose,
                        use: Callable[..., ProducerAccount | LinkProblem]) -> Response:
    """A link's page posted with its password field: `use` (the service, keyword arguments session, token,
    secret and password) spends the link with the password typed, then a fresh session; a refused password
    leaves the link unspent and the page comes back (422)."""
    form, errors = parse_fields(ConfirmForm, text_fields(posted, CONFIRM_FIELDS), "password")
    if form is None:
        return _link_page(request, session, settings, token, purpose, errors=errors)
    try:
        used = use(session=session, token=token, secret=settings.secret_key, password=form.password)
    except InvalidInput as error:
        session.rollback()
        return _link_page(request, session, settings, token, purpose, errors=field_errors(error, "password"))
    return _signed_in(request, session, settings, token, purpose, used)


@router.get("/xac-nhan/{token}", name="producer_confirm_page")
def confirm_page(request: Request, session: SessionDep, settings: SettingsDep, token: LinkToken) -> Response:
    """The confirm button and the optional password (a GET never confirms)."""
    return _link_page(request, session, settings, token, LinkPurpose.confirm)


@router.post("/xac-nhan/{token}", name="producer_confirm")
def confirm(request: Request, session: SessionDep, settings: SettingsDep, token: LinkToken,
            posted: PostedDep) -> Response:
    """Confirm the address with the password chosen here (none: links only) and sign in.

    A refused password leaves the link unspent: the page comes back (422) and the link still works.
    """
    return _password_link_post(request, session, settings, token, posted, LinkPurpose.confirm,
                               confirm_address)


@router.get("/dang-nhap/{token}", name="producer_link_page")
def link_page(request: Request, session: SessionDep, settings: SettingsDep, token: LinkToken) -> Response:
    """The sign-in button of a one-time link."""
    return _link_page(request, session, settings, token, LinkPurpose.sign_in)


@router.post("/dang-nhap/{token}", name="producer_link_sign_in")
def link_sign_in(request: Request, session: SessionDep, settings: SettingsDep, token: LinkToken) -> Response:
    """Sign in with a one-time link."""
    used = use_link(session=session, token=token, secret=settings.secret_key)
    return _signed_in(request, session, settings, token, LinkPurpose.sign_in, used)


@router.get("/dang-nhap", name="producer_login_form")
def login_form(request: Request) -> Response:
    """Sign in with a password, or ask for a link."""
    return _page(request, "login.html")


@router.post("/dang-nhap", name="producer_login")
def login(request: Request, session: SessionDep, limits: LimitsDep, throttle: LoginThrottleDep,
          client: ClientKeyDep, posted: PostedDep) -> Response:
    """Check the credentials (throttled as office sign-ins are); on success a fresh session."""
    values = text_fields(posted, ("email", "password"))
    email, password = values.get("email", "")[:254], values.get("password", "")[:200]
    refuse = login_refused(limits=limits, throttle=throttle, client=client, email=email)
    try:
        account = authenticate(session=session, email=email, password=password, refuse=refuse)
    except InvalidInput as error:
        return _page(request, "login.html", values={"email": email}, notice=error.message, status=401)
    session.commit()
    assert account.id is not None  # noqa: S101 - loaded from the database
    start_producer_session(request.session, account_id=account.id, version=account.session_version)
    return RedirectResponse(lang_url("/tai-khoan"), status_code=303)


@router.post("/dang-xuat", name="producer_logout")
def logout(request: Request, session: SessionDep) -> Response:
    """End the session on the server too: every copy of the cookie and every link sent stop working."""
    sign_out(session=session, account_id=request.session.get("pid"), version=request.session.get("pver"))
    session.commit()
    request.session.clear()
    return RedirectResponse(lang_url("/tai-khoan/dang-nhap"), status_code=303)


@router.get("/dat-mat-khau/{token}", name="producer_password_link_page")
def password_link_page(request: Request, session: SessionDep, settings: SettingsDep,
                       token: LinkToken) -> Response:
    """The password field of a link mailed to a link-only account (a GET never sets anything)."""
    return _link_page(request, session, settings, token, LinkPurpose.password)


@router.post("/dat-mat-khau/{token}", name="producer_password_link_set")
def password_link_set(request: Request, session: SessionDep, settings: SettingsDep, token: LinkToken,
                      posted: PostedDep) -> Response:
    """Set the account's first password and sign in afresh: its other sessions end.

    A refused password leaves the link unspent: the page comes back (422) and the link still works.
    """
    return _password_link_post(request, session, settings, token, posted, LinkPurpose.password,
                               set_password_by_link)


def _password_page(request: Request, account: ProducerAccount, *, errors: Mapping[str, str] | None = None,
                   changed: bool = False, sent: bool = False, status: int = 200) -> Response:
    """The password page: change it (the current one asked), or ask for a link to set a first one."""
    minutes = int(LIFETIMES[LinkPurpose.password].total_seconds() // 60)
    context = {"account": account, "errors": errors or {}, "changed": changed, "sent": sent,
               "minutes": minutes}
    return templates.TemplateResponse(request, "producer_area/password.html", context, status_code=status)


@router.get("/mat-khau", name="producer_password")
def password_form(request: Request, account: ProducerAccountDep, da_doi: bool = False,
                  da_gui: bool = False) -> Response:
    """The password form, or the link-only account's button (with what was just done)."""
    return _password_page(request, account, changed=da_doi, sent=da_gui)


@router.post("/mat-khau", name="producer_password_change")
def password_change(request: Request, session: SessionDep, account: ProducerAccountDep, limits: LimitsDep,
                    throttle: LoginThrottleDep, client: ClientKeyDep, posted: PostedDep) -> Response:
    """Change the password; the other sessions end and this one starts afresh under the new version."""
    form, errors = parse_fields(PasswordChangeForm, text_fields(posted, PASSWORD_CHANGE_FIELDS), "repeat")
    if form is None:
        return _password_page(request, account, errors=errors, status=422)
    refuse = login_refused(limits=limits, throttle=throttle, client=client, email=account.email)
    try:
        change_password(session=session, account=account, current=form.current, new=form.new, refuse=refuse)
    except InvalidInput as error:
        session.rollback()
        return _password_page(request, account, errors=field_errors(error, "current"), status=422)
    session.commit()
    assert account.id is not None  # noqa: S101 - loaded from the database
    start_producer_session(request.session, account_id=account.id, version=account.session_version)
    return RedirectResponse(lang_url("/tai-khoan/mat-khau?da_doi=1"), status_code=303)


@router.post("/mat-khau/gui-lien-ket", name="producer_password_link_request")
def password_link_request(request: Request, session: SessionDep, settings: SettingsDep,
                          account: ProducerAccountDep, client: ClientKeyDep, limits: LimitsDep) -> Response:
    """Mail a link-only account a one-time link to choose a password (rate-limited as other link mail)."""
    limited = _rate_limited(limits, settings, client=client, email=account.email)
    if limited:
        return _password_page(request, account, errors={"link": limited}, status=429)
    try:
        mail_password_link(session=session, account=account, base_url=settings.public_base_url,
                           secret=settings.secret_key)
    except InvalidInput as error:
        session.rollback()
        return _password_page(request, account, errors=field_errors(error, "current"), status=422)
    session.commit()
    return RedirectResponse(lang_url("/tai-khoan/mat-khau?da_gui=1"), status_code=303)
