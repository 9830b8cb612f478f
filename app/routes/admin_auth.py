"""Signing in and out of the office workspace (/quan-ly)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.domain.permissions import Role
from app.errors import InvalidInput
from app.services.office.users import authenticate, sign_out
from app.web.auth import start_session
from app.web.deps import ClientKeyDep, LimitsDep, LoginThrottleDep, SessionDep, check_csrf
from app.web.login_throttle import login_refused
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])


JUROR_HOME = "/giam-khao"


def _safe_next(target: str) -> str:
    """Only a local path under /quan-ly or the jurors' /giam-khao: never an open redirect."""
    parts = urlsplit(target)
    local = parts.path.startswith("/quan-ly") or parts.path.startswith(JUROR_HOME)
    if parts.scheme or parts.netloc or not local or "\\" in target:
        return "/quan-ly"
    return parts.path


def _landing(target: str, role: str) -> str:
    """Where a signed-in account goes: a juror to its own area (office pages refuse it), staff where asked."""
    if role == Role.juror and not target.startswith(JUROR_HOME) and target != "/quan-ly/mat-khau":
        return JUROR_HOME
    if role != Role.juror and target.startswith(JUROR_HOME):
        return "/quan-ly"
    return target


@router.get("/dang-nhap", name="login")
def login_form(request: Request, next: str = "/quan-ly") -> Response:  # noqa: A002 - the query name
    """The sign-in form."""
    return templates.TemplateResponse(request, "admin/login.html", {"next": _safe_next(next), "error": None})


@router.post("/dang-nhap")
def login(
    request: Request,
    session: SessionDep,
    limits: LimitsDep,
    throttle: LoginThrottleDep,
    client: ClientKeyDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/quan-ly",  # noqa: A002 - the form field's name
) -> Response:
    """Check the credentials; on success a fresh session and a redirect to where the user was going."""
    refuse = login_refused(limits=limits, throttle=throttle, client=client, email=email)
    try:
        user = authenticate(session=session, email=email, password=password, refuse=refuse)
    except InvalidInput as error:
        context = {"next": _safe_next(next), "error": error.message, "email": email}
        return templates.TemplateResponse(request, "admin/login.html", context, status_code=401)
    session.commit()
    assert user.id is not None  # noqa: S101
    start_session(request.session, user_id=user.id, version=user.session_version)
    return RedirectResponse(_landing(_safe_next(next), user.role), status_code=303)


@router.post("/dang-xuat")
def logout(request: Request, session: SessionDep) -> Response:
    """End the session on the server too: a copy of the cookie kept elsewhere stops working."""
    sign_out(session=session, user_id=request.session.get("uid"), version=request.session.get("ver"))
    session.commit()
    request.session.clear()
    return RedirectResponse("/quan-ly/dang-nhap", status_code=303)
