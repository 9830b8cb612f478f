"""Request dependencies as named Annotated aliases, so routes stay one-liners.

The ones that only read app state or the clock are `async def`, and so is the session
(made without I/O, closed in the threadpool only when it used a connection): FastAPI runs a
plain `def` dependency in its threadpool, and those thread hops were most of the cost of a
cached API request under load (BENCHMARKS.md, load section). Nothing async here may block.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Self

import anyio
from fastapi import Depends, Path, Request
from sqlmodel import Session

from app.config import Settings
from app.db import wake_mail_on_commit
from app.domain.permissions import Role
from app.domain.validity import today_in
from app.errors import CsrfRejected, Forbidden, LoginRequired, PasswordChangeRequired, ProducerLoginRequired
from app.i18n import gettext
from app.models import ProducerAccount, Province, User
from app.services.office.account import Account
from app.web.auth import CSRF_FIELD, CSRF_HEADER, csrf_valid
from app.web.login_throttle import LoginThrottle
from app.web.rate_limit import SiteLimits, client_key
from search.engine import SearchEngine


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A database session for this request; the route owning the use-case commits (app.db.commit_and_index).

    A new Session does no I/O (it connects on its first query). Closing one that holds a
    connection returns it to the pool, which rolls back on the database: a blocking call,
    so it runs in a thread, outside the threadpool's limit as FastAPI does for `yield`
    dependencies (requests waiting in the pool for a connection must not hold up the close
    that frees one); an unused session closes at once.
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    mail = getattr(request.app.state, "mail", None)
    if mail is not None:  # mail queued by the request is sent once its transaction commits
        wake_mail_on_commit(session, mail.wake)
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()


async def get_search(request: Request) -> SearchEngine:
    """The search engine opened at start-up."""
    engine: SearchEngine = request.app.state.search
    return engine


async def get_today(settings: Annotated[Settings, Depends(get_settings)]) -> date:
    """Today's calendar date in Vietnam (CNNT_TIMEZONE), whatever the server clock's zone."""
    return today_in(settings.tz)


async def get_client_key(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    """An opaque per-client key for rate limits (uvicorn has already applied proxy headers)."""
    address = request.client.host if request.client else "unknown"
    return client_key(address, secret=settings.secret_key)


async def get_limits(request: Request) -> SiteLimits:
    """The site's rate limiters (counted in the database, shared by every worker)."""
    limits: SiteLimits = request.app.state.limits
    return limits


async def get_login_throttle(request: Request) -> LoginThrottle:
    """The per-(account, client) sign-in counter (per process, like the rate limiters)."""
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


# The office pages a juror shares with the staff: its own password (sign-in and sign-out need no account).
JUROR_OFFICE_PATHS = frozenset({"/quan-ly/mat-khau"})


def _signed_in(request: Request, session: Session) -> Account:
    """The signed-in account of any role; LoginRequired (→ the login page) otherwise, and
    PasswordChangeRequired (→ the password form) while it still uses a one-time password."""
    uid, version = request.session.get("uid"), request.session.get("ver")
    user = session.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.is_active or user.session_version != version:
        request.session.pop("uid", None)
        raise LoginRequired("Vui lòng đăng nhập.")
    if user.must_change_password and request.url.path != "/quan-ly/mat-khau":
        raise PasswordChangeRequired("Vui lòng đặt mật khẩu mới trước khi tiếp tục.")
    province = session.get(Province, user.province_id) if user.province_id is not None else None
    return Account(user=user, role=Role(user.role), province_slug=province.slug if province else None)


def get_account(request: Request, session: Annotated[Session, Depends(get_session)]) -> Account:
    """The signed-in office staff (an administrator or a province office): every /quan-ly page goes through
    here, so a juror is refused (403) on all of them but its password form; it works in /giam-khao."""
    account = _signed_in(request, session)
    if not account.role.is_office_staff and request.url.path not in JUROR_OFFICE_PATHS:
        raise Forbidden("Tài khoản giám khảo chỉ làm việc ở trang Giám khảo (/giam-khao).")
    return account


def get_juror(request: Request, session: Annotated[Session, Depends(get_session)]) -> Account:
    """The signed-in juror (the /giam-khao pages): office staff are refused (403), they have /quan-ly."""
    account = _signed_in(request, session)
    if account.role is not Role.juror:
        raise Forbidden("Trang này dành cho giám khảo của đợt bình chọn.")
    return account


def get_producer_account(request: Request,
                         session: Annotated[Session, Depends(get_session)]) -> ProducerAccount:
    """The signed-in producer account (its own session keys: an office session never opens /tai-khoan);
    ProducerLoginRequired (→ the producer sign-in page) otherwise."""
    pid, version = request.session.get("pid"), request.session.get("pver")
    account = session.get(ProducerAccount, pid) if isinstance(pid, int) else None
    if account is None or not account.is_active or account.session_version != version \
            or account.confirmed_at is None:
        request.session.pop("pid", None)
        raise ProducerLoginRequired("Vui lòng đăng nhập.")
    return account


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request that does not echo the session's CSRF token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_valid(request.session, submitted):
        raise CsrfRejected(gettext(
            "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại."
        ))


async def get_posted_text(request: Request) -> dict[str, str]:
    """The posted text fields (the CSRF check has already read and cached the form, within its limits)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


# A row id in a path: 1 to the largest 64-bit integer (SQLite's INTEGER, PostgreSQL's bigint).
# Outside, FastAPI refuses it before any query, and the refusal of a path parameter is a 404
# (app.web.exception_handlers): no row has that id. Beyond it SQLite's driver raised (a 500).
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchDep = Annotated[SearchEngine, Depends(get_search)]
TodayDep = Annotated[date, Depends(get_today)]
ClientKeyDep = Annotated[str, Depends(get_client_key)]
LimitsDep = Annotated[SiteLimits, Depends(get_limits)]
LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]
AccountDep = Annotated[Account, Depends(get_account)]
JurorDep = Annotated[Account, Depends(get_juror)]
PostedDep = Annotated[dict[str, str], Depends(get_posted_text)]
ProducerAccountDep = Annotated[ProducerAccount, Depends(get_producer_account)]


@dataclass(frozen=True, slots=True)
class PublicForm:
    """What a public form's page (a misuse report, a list check) needs of its request, so each of
    its outcomes is one `render` call of the page's subclass."""

    request: Request
    session: Session
    settings: Settings
    today: date
    client_key: str
    limits: SiteLimits

    @classmethod
    def of(cls, request: Request, session: SessionDep, settings: SettingsDep, today: TodayDep,
           client_key: ClientKeyDep, limits: LimitsDep) -> Self:
        """The request's page: a dependency (`Annotated[Page, Depends(Page.of)]`)."""
        return cls(request=request, session=session, settings=settings, today=today, client_key=client_key,
                   limits=limits)
