"""The administrators' account register: list, add, deactivate and reactivate, role and province, reset.

Every change is audited in the same transaction (app/services/records/audit_log.py) and
only administrators may make one. A new account and a reset get a random one-time password,
shown once to the administrator to pass on, which its owner must replace at the next
sign-in (`must_change_password`; OWASP ASVS 4.0 V2.3.1): nothing secret is mailed or stored in
clear. Deactivating or resetting also ends every session of the account (users.end_sessions).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.permissions import Role
from app.domain.provinces import resolve_province
from app.errors import InvalidInput, NotFound
from app.models import Province, User
from app.services.office.account import Account
from app.services.office.passwords import hash_password
from app.services.office.users import create_user, end_sessions
from app.services.records.audit_log import record_change, snapshot
from app.services.records.audit_page import vietnam_time

_AUDITED = ("email", "name", "role", "province_id", "is_active", "must_change_password")


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One account as the register lists it."""

    user: User
    role: Role
    province_name: str | None
    province_slug: str | None
    last_login: str | None  # dd/mm/yyyy HH:MM in Vietnam


def _audit_view(user: User) -> dict[str, object]:
    """The audited fields of an account (never its hash or session version)."""
    values = snapshot(user)
    return {name: values[name] for name in _AUDITED}


def temporary_password() -> str:
    """A random one-time password (about 96 bits), easy to read out over the phone."""
    return "-".join(secrets.token_hex(3) for _ in range(4))


def list_accounts(*, session: Session, account: Account) -> list[AccountRow]:
    """Every account, administrators first, then by e-mail."""
    account.require_admin()
    provinces = {p.id: p for p in session.exec(select(Province)).all()}
    users = session.exec(select(User).order_by(col(User.role), col(User.email))).all()
    rows = []
    for user in users:
        province = provinces.get(user.province_id) if user.province_id is not None else None
        rows.append(AccountRow(user=user, role=Role(user.role),
                               last_login=vietnam_time(user.last_login_at) if user.last_login_at else None,
                               province_name=province.name if province else None,
                               province_slug=province.slug if province else None))
    return rows


def account_by_id(*, session: Session, account: Account, user_id: int) -> User:
    """The account `user_id`, for an administrator; NotFound otherwise."""
    account.require_admin()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy tài khoản này.")
    return user


def add_account(*, session: Session, account: Account, email: str, name: str, role: str,
                province: str) -> tuple[User, str]:
    """A new account with a one-time password its owner must change; returns both."""
    account.require_admin()
    password = temporary_password()
    user = create_user(session=session, email=email, name=name, password=password,
                       role=_role(role), province=province)
    user.must_change_password = True
    session.add(user)
    session.flush()
    record_change(session=session, account=account, action="user.create", entity="user", entity_id=user.id,
                  province_id=user.province_id, before=None, after=_audit_view(user))
    return user, password


def _role(value: str) -> Role:
    """A role from a form value."""
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("Vai trò không hợp lệ.", field="role") from None


def _province_id(session: Session, role: Role, province: str) -> int | None:
    """The office's current province id (None for an administrator or a juror)."""
    if role is not Role.office:
        return None
    info = resolve_province(province)
    if info is None or not info.is_current:
        raise InvalidInput("Tài khoản Sở Công Thương cần một tỉnh/thành phố hiện hành.", field="province")
    return session.exec(select(Province.id).where(Province.slug == info.slug)).one()


def change_role(*, session: Session, account: Account, user: User, role: str, province: str) -> User:
    """Set the account's role and province (an administrator may not demote itself)."""
    account.require_admin()
    new_role = _role(role)
    if user.id == account.id and new_role is not Role.admin:
        raise InvalidInput("Bạn không thể tự bỏ quyền quản trị của mình.", field="role")
    before = _audit_view(user)
    user.role, user.province_id = new_role.value, _province_id(session, new_role, province)
    session.add(user)
    record_change(session=session, account=account, action="user.update", entity="user", entity_id=user.id,
                  province_id=user.province_id, before=before, after=_audit_view(user))
    return user


def set_active(*, session: Session, account: Account, user: User, active: str) -> User:
    """Deactivate (its sessions end) or reactivate the account; never one's own."""
    account.require_admin()
    if active not in {"0", "1"}:
        raise InvalidInput("Trạng thái không hợp lệ.", field="active")
    if user.id == account.id:
        raise InvalidInput("Bạn không thể tự khóa tài khoản của mình.", field="active")
    before = _audit_view(user)
    user.is_active = active == "1"
    if not user.is_active:
        end_sessions(session=session, user=user)
    session.add(user)
    action = "user.reactivate" if user.is_active else "user.deactivate"
    record_change(session=session, account=account, action=action, entity="user", entity_id=user.id,
                  province_id=user.province_id, before=before, after=_audit_view(user))
    return user


def reset_password(*, session: Session, account: Account | None, user: User) -> str:
    """A new one-time password to change at the next sign-in; every session of the account ends."""
    if account is not None:
        account.require_admin()
    password = temporary_password()
    before = _audit_view(user)
    user.password_hash, user.must_change_password = hash_password(password), True
    end_sessions(session=session, user=user)
    record_change(session=session, account=account, action="user.reset_password", entity="user",
                  entity_id=user.id, province_id=user.province_id, before=before, after=_audit_view(user))
    return password


def deactivate_by_email(*, session: Session, email: str) -> User:
    """The command line's deactivation (no signed-in account: audited without a user)."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("Không có tài khoản với email này.")
    before = _audit_view(user)
    user.is_active = False
    end_sessions(session=session, user=user)
    record_change(session=session, account=None, action="user.deactivate", entity="user", entity_id=user.id,
                  province_id=user.province_id, before=before, after=_audit_view(user))
    return user
