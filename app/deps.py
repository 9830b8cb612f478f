"""Request dependencies as named Annotated aliases, so routes stay one-liners."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts import Account
from app.auth import CSRF_FIELD, CSRF_HEADER, csrf_valid
from app.config import Settings
from app.db import session_scope
from app.domain.permissions import Role
from app.domain.validity import today_in
from app.errors import CsrfRejected, LoginRequired
from app.models import Province, User
from app.rate_limit import SiteLimits, client_key
from search.engine import SearchEngine


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A database session for this request."""
    yield from session_scope(request.app.state.engine)


def get_search(request: Request) -> SearchEngine:
    """The search engine opened at start-up."""
    engine: SearchEngine = request.app.state.search
    return engine


def get_today(settings: Annotated[Settings, Depends(get_settings)]) -> date:
    """Today's calendar date in Vietnam (CNNT_TIMEZONE), whatever the server clock's zone."""
    return today_in(settings.tz)


def get_client_key(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    """An opaque per-client key for rate limits (uvicorn has already applied proxy headers)."""
    address = request.client.host if request.client else "unknown"
    return client_key(address, secret=settings.secret_key)


def get_limits(request: Request) -> SiteLimits:
    """The site's rate limiters (per process)."""
    limits: SiteLimits = request.app.state.limits
    return limits


def get_account(request: Request, session: Annotated[Session, Depends(get_session)]) -> Account:
    """The signed-in office account; LoginRequired (→ redirect to the login page) otherwise."""
    uid, version = request.session.get("uid"), request.session.get("ver")
    user = session.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.is_active or user.session_version != version:
        request.session.pop("uid", None)
        raise LoginRequired("Vui lòng đăng nhập.")
    province = session.get(Province, user.province_id) if user.province_id is not None else None
    return Account(user=user, role=Role(user.role), province_slug=province.slug if province else None)


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
        raise CsrfRejected(
            "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại."
        )


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchDep = Annotated[SearchEngine, Depends(get_search)]
TodayDep = Annotated[date, Depends(get_today)]
ClientKeyDep = Annotated[str, Depends(get_client_key)]
LimitsDep = Annotated[SiteLimits, Depends(get_limits)]
AccountDep = Annotated[Account, Depends(get_account)]
