"""The administrators' account register (/quan-ly/tai-khoan): list, add, (de)activate, role, reset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.permissions import Role
from app.domain.provinces import current_provinces
from app.errors import InvalidInput
from app.models import User
from app.services.office import accounts
from app.services.office.account import Account
from app.web.confirmation import confirmation_page, confirmed, refusal_of
from app.web.deps import AccountDep, PostedDep, RowId, SessionDep, check_csrf
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
REGISTER = "/quan-ly/tai-khoan"
ROLE_OPTIONS = [(role.value, role.label) for role in Role]


def _user(session: SessionDep, account: AccountDep, user_id: RowId) -> User:
    """The account in the path, for an administrator (403 otherwise, 404 when there is none)."""
    return accounts.account_by_id(session=session, account=account, user_id=user_id)


UserDep = Annotated[User, Depends(_user)]


def _register(request: Request, session: SessionDep, account: Account, *,
              values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
              refused: str | None = None, status: int = 200) -> Response:
    """The register page: every account with its controls, and the form to add one."""
    rows = accounts.list_accounts(session=session, account=account)
    locked = request.query_params.get("khoa", "")
    notice = next((f"Đã khóa tài khoản {row.user.email}: tài khoản không đăng nhập được nữa và mọi phiên "
                   "đăng nhập của nó đã kết thúc."
                   for row in rows if str(row.user.id) == locked and not row.user.is_active), "")
    context = {"account": account, "rows": rows, "roles": ROLE_OPTIONS, "provinces": current_provinces(),
               "values": values or {}, "errors": errors or {}, "refused": refused,
               "saved": request.query_params.get("da-luu"), "notice": notice}
    return templates.TemplateResponse(request, "admin/accounts/index.html", context, status_code=status)


def _one_time_password(request: Request, account: Account, user: User, password: str) -> Response:
    """The one-time password, shown once (never cached, never put in a URL or the session)."""
    context = {"account": account, "user": user, "password": password}
    response = templates.TemplateResponse(request, "admin/accounts/one_time_password.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/tai-khoan", name="admin_accounts")
def register_page(request: Request, session: SessionDep, account: AccountDep) -> Response:
    """Every office account (administrators only)."""
    return _register(request, session, account)


@router.post("/tai-khoan")
def add(request: Request, session: SessionDep, account: AccountDep, posted: PostedDep) -> Response:
    """Add an account; the page that answers shows its one-time password."""
    try:
        user, password = accounts.add_account(
            session=session, account=account, email=posted.get("email", ""), name=posted.get("name", ""),
            role=posted.get("role", ""), province=posted.get("province", ""))
    except InvalidInput as error:
        session.rollback()
        return _register(request, session, account, values=posted, errors=field_errors(error, "email"),
                         status=422)
    session.commit()
    return _one_time_password(request, account, user, password)


@router.post("/tai-khoan/{user_id}")
def change_role(request: Request, session: SessionDep, account: AccountDep, user: UserDep,
                posted: PostedDep) -> Response:
    """Change the account's role and province."""
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: accounts.change_role(
            session=session, account=account, user=user, role=posted.get("role", ""),
            province=posted.get("province", "")),
        refused=lambda error: _register(request, session, account, refused=error.message, status=422),
        redirect_to=f"{REGISTER}?da-luu=1")


@router.post("/tai-khoan/{user_id}/trang-thai")
def active_state(request: Request, session: SessionDep, account: AccountDep, user: UserDep,
                 posted: PostedDep) -> Response:
    """Deactivate (once confirmed; its sessions end at once) or reactivate the account."""
    deactivate = posted.get("active") == "0" and user.is_active

    def use_case() -> object:
        """The change itself."""
        return accounts.set_active(session=session, account=account, user=user,
                                   active=posted.get("active", ""))

    if deactivate and not confirmed(posted):
        if refused := refusal_of(session, use_case):
            return _register(request, session, account, refused=refused.message, status=422)
        facts = [("Tài khoản", user.email), ("Tên", user.name), ("Vai trò", Role(user.role).label)]
        return confirmation_page(
            request, account, title="Xác nhận khóa tài khoản", facts=facts, fields={"active": "0"},
            lead="Tài khoản sẽ không đăng nhập được và mọi phiên đăng nhập của nó kết thúc ngay. "
                 "Có thể mở khóa lại.",
            action=f"{REGISTER}/{user.id}/trang-thai", button="Khóa tài khoản", back=REGISTER)
    return run_use_case(
        request, session=session, search=None,
        use_case=use_case,
        refused=lambda error: _register(request, session, account, refused=error.message, status=422),
        redirect_to=f"{REGISTER}?khoa={user.id}" if deactivate else f"{REGISTER}?da-luu=1")


@router.post("/tai-khoan/{user_id}/dat-lai-mat-khau")
def reset_password(request: Request, session: SessionDep, account: AccountDep, user: UserDep,
                   posted: PostedDep) -> Response:
    """Once confirmed, give the account a one-time password for its next sign-in; its sessions end."""
    if not confirmed(posted):
        facts = [("Tài khoản", user.email), ("Tên", user.name)]
        return confirmation_page(
            request, account, title="Xác nhận đặt lại mật khẩu", facts=facts, button="Đặt lại mật khẩu",
            lead="Mật khẩu hiện tại của tài khoản hết dùng được và mọi phiên đăng nhập của nó kết thúc ngay; "
                 "trang sau hiện mật khẩu dùng một lần để trao cho người dùng.",
            action=f"{REGISTER}/{user.id}/dat-lai-mat-khau", back=REGISTER)
    password = accounts.reset_password(session=session, account=account, user=user)
    session.commit()
    return _one_time_password(request, account, user, password)
