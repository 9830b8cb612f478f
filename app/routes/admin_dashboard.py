"""The office workspace's front page (/quan-ly) and the signed-in account's password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.errors import InvalidInput
from app.services.office.dashboard import build_dashboard
from app.services.office.users import change_password
from app.services.statistics.downloads import office_workbook
from app.web.auth import start_session
from app.web.deps import AccountDep, SessionDep, TodayDep, check_csrf
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])

PasswordField = Annotated[str, Form(max_length=200)]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MISMATCH = "Hai lần nhập mật khẩu mới không khớp."


@router.get("", name="dashboard")
def dashboard(
    request: Request,
    account: AccountDep,
    session: SessionDep,
    today: TodayDep,
    tinh: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """What needs attention in the account's records: photos, contacts, expiries, imports, reports."""
    view = build_dashboard(session=session, account=account, today=today, province_slug=tinh)
    context = {"account": account, "view": view}
    return templates.TemplateResponse(request, "admin/dashboard/index.html", context)


@router.get("/thong-ke.xlsx", name="statistics_workbook")
def statistics_workbook(
    account: AccountDep,
    session: SessionDep,
    today: TodayDep,
    tinh: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The account's province's figures as XLSX for its annual report (an admin: all, or `tinh`)."""
    body, filename = office_workbook(session=session, account=account, today=today, province_slug=tinh)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, media_type=XLSX_TYPE, headers=headers)


@router.get("/mat-khau", name="password")
def password_form(request: Request, account: AccountDep, da_doi: bool = False) -> Response:
    """The password change form (with a confirmation after a change)."""
    context = {"account": account, "errors": {}, "changed": da_doi}
    return templates.TemplateResponse(request, "admin/password.html", context)


@router.post("/mat-khau")
def password_change(
    request: Request,
    account: AccountDep,
    session: SessionDep,
    current: PasswordField = "",
    new: PasswordField = "",
    repeat: PasswordField = "",
) -> Response:
    """Change the password; every other session of the account ends, this one starts afresh."""
    errors: dict[str, str] = {}
    if new != repeat:
        errors["repeat"] = MISMATCH
    else:
        try:
            change_password(session=session, user=account.user, current=current, new=new)
        except InvalidInput as error:
            errors[error.field or "current"] = error.message
    if errors:
        session.rollback()
        context = {"account": account, "errors": errors, "changed": False}
        return templates.TemplateResponse(request, "admin/password.html", context, status_code=422)
    session.commit()
    start_session(request.session, user_id=account.id, version=account.user.session_version)
    return RedirectResponse("/quan-ly/mat-khau?da_doi=1", status_code=303)
