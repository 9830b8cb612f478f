"""`cnnt user list` and `cnnt user deactivate`: the bodies, kept out of app/cli.py (already long).

Each takes an open session and an echo, commits what it changed, and returns the exit code.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from app.domain.permissions import Role
from app.errors import NotFound
from app.models import Province, User
from app.services.office.accounts import deactivate_by_email
from app.services.records.audit_page import vietnam_time

Echo = Callable[[str], object]


def run_user_list(session: Session, *, echo: Echo) -> int:
    """One line per account: e-mail, role, province, active or not, last sign-in (Vietnam time)."""
    provinces = {p.id: p.name for p in session.exec(select(Province)).all()}
    for user in session.exec(select(User).order_by(col(User.role), col(User.email))).all():
        province = provinces.get(user.province_id, "—") if user.province_id is not None else "—"
        state = "đang hoạt động" if user.is_active else "đã khóa"
        last = vietnam_time(user.last_login_at) if user.last_login_at else "chưa đăng nhập"
        echo(f"{user.email}\t{Role(user.role).label}\t{province}\t{state}\t{last}")
    return 0


def run_user_deactivate(session: Session, email: str, *, echo: Echo, complain: Echo) -> int:
    """Deactivate the account (audited; its sessions end); 1 when there is no such account."""
    try:
        user = deactivate_by_email(session=session, email=email)
    except NotFound as error:
        complain(f"Lỗi: {error.message}")
        return 1
    session.commit()
    echo(f"Đã khóa tài khoản {user.email}; các phiên đăng nhập của tài khoản đã kết thúc.")
    return 0
