"""The signed-in office account, as routes and services see it."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.levels import Level
from app.domain.permissions import Role, may_manage_certificate, may_manage_level, owns_province
from app.errors import Forbidden, NotFound
from app.models import User


@dataclass(frozen=True, slots=True)
class Account:
    """A user with its role and the slug of its (current) province, if an office."""

    user: User
    role: Role
    province_slug: str | None

    @property
    def id(self) -> int:
        """The user's id."""
        assert self.user.id is not None  # noqa: S101 - loaded from the database
        return self.user.id

    @property
    def is_admin(self) -> bool:
        """True for the ministry's administrators."""
        return self.role is Role.admin

    @property
    def is_juror(self) -> bool:
        """True for a juror: it scores the rounds it is appointed to and manages no records."""
        return self.role is Role.juror

    def require_admin(self) -> None:
        """Forbidden unless an administrator."""
        if not self.is_admin:
            raise Forbidden("Chỉ quản trị viên của Bộ Công Thương được làm việc này.")

    def require_level(self, level: Level) -> None:
        """Forbidden when an office touches a regional or national level."""
        if not may_manage_level(self.role, level):
            raise Forbidden("Sở Công Thương chỉ quản lý giấy chứng nhận cấp xã, huyện và tỉnh.")

    def require_province(self, province_slug: str) -> None:
        """NotFound for records of another province: their existence is not revealed."""
        if not owns_province(self.role, self.province_slug, province_slug):
            raise NotFound("Không tìm thấy bản ghi này trong phạm vi quản lý của bạn.")

    def may_manage_certificate(self, *, certified_in: str, level: Level) -> bool:
        """True if this account may change a certificate certified in `certified_in` at `level`."""
        return may_manage_certificate(self.role, self.province_slug, certified_in=certified_in, level=level)
