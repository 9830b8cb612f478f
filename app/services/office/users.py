"""Office accounts: create, authenticate (with temporary lock-out), change password."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from app.domain.permissions import Role
from app.domain.provinces import resolve_province
from app.errors import InvalidInput
from app.models import Province, User
from app.services.office.passwords import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    hash_password,
    is_locked,
    password_problem,
    verify_password,
)

LOGIN_FAILED = "Email hoặc mật khẩu không đúng."
LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút."


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively, without surrounding spaces."""
    return email.strip().lower()


def create_user(*, session: Session, email: str, name: str, password: str, role: Role,
                province: str | None) -> User:
    """A new account; an office needs a current province (name, slug or code)."""
    problem = password_problem(password)
    if problem:
        raise InvalidInput(problem, field="password")
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Email không hợp lệ.", field="email")
    if session.exec(select(User).where(User.email == email)).first():
        raise InvalidInput("Email này đã có tài khoản.", field="email")
    province_id = None
    if role is Role.office:
        info = resolve_province(province or "")
        if info is None or not info.is_current:
            raise InvalidInput("Tài khoản Sở Công Thương cần một tỉnh/thành phố hiện hành.", field="province")
        province_id = session.exec(select(Province.id).where(Province.slug == info.slug)).one()
    user = User(email=email, name=name.strip() or email, password_hash=hash_password(password),
                role=role.value, province_id=province_id)
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str, now: datetime | None = None) -> User:
    """The user for these credentials; InvalidInput otherwise. Counts failures, locks after 5."""
    moment = now or datetime.now(UTC)
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is not None and is_locked(user.locked_until, now=moment):
        raise InvalidInput(LOCKED)
    matches = verify_password(password, user.password_hash if user else None)
    if not matches or user is None or not user.is_active:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until, user.failed_logins = moment + LOCKOUT, 0
            session.add(user)
        raise InvalidInput(LOGIN_FAILED)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions stop working."""
    if not verify_password(current, user.password_hash):
        raise InvalidInput("Mật khẩu hiện tại không đúng.", field="current")
    problem = password_problem(new)
    if problem:
        raise InvalidInput(problem, field="new")
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.add(user)
