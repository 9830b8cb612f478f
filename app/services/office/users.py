"""Office accounts: create, authenticate (throttled by the caller, never locked), change password."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from app.domain.messages import N_
from app.domain.permissions import Role
from app.domain.provinces import resolve_province
from app.errors import InvalidInput
from app.models import Province, User
from app.services.office.passwords import hash_password, password_problem, verify_password

LOGIN_FAILED = N_("Email hoặc mật khẩu không đúng.")  # a msgid: the producer area's sign-in translates it


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


def authenticate(*, session: Session, email: str, password: str, refuse: bool = False) -> User:
    """The user for these credentials; InvalidInput otherwise, the same for every refusal.

    An unknown e-mail, an inactive account, a wrong password and an attempt the caller
    refuses (`refuse`: throttled, app/web/login_throttle.py) all spend one Argon2
    verification and raise the same message, so neither the answer nor its timing tells
    whether an account exists or is being throttled. Nothing is locked: a lock-out per
    account would let anyone shut its owner out.
    """
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    matches = verify_password(password, user.password_hash if user and not refuse else None)
    if refuse or not matches or user is None or not user.is_active:
        raise InvalidInput(LOGIN_FAILED)
    user.last_login_at = datetime.now(UTC)
    session.add(user)
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions stop working."""
    if not verify_password(current, user.password_hash):
        raise InvalidInput("Mật khẩu hiện tại không đúng.", field="current")
    problem = password_problem(new)
    if problem:
        raise InvalidInput(problem, field="new")
    user.password_hash, user.must_change_password = hash_password(new), False
    end_sessions(session=session, user=user)


def end_sessions(*, session: Session, user: User) -> None:
    """Make every session cookie of `user` stop working (sign-out, deactivation, a reset password)."""
    user.session_version += 1
    session.add(user)


def sign_out(*, session: Session, user_id: object, version: object) -> None:
    """End the sessions of the account a cookie names, if that cookie is still current."""
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is not None and user.session_version == version:
        end_sessions(session=session, user=user)
