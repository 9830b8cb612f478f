"""Who may manage which records. Pure rules; routes and services ask, never decide themselves.

The ministry's administrators manage everything. A province office manages records of its
current province and of the former provinces merged into it, at commune/district and
provincial level only (regional and national rounds belong to the ministry). A juror is an
outside expert appointed to score the rounds it is named to: it manages no records at all and
never enters the office workspace (/quan-ly), only its own area (/giam-khao).
"""

from __future__ import annotations

from enum import StrEnum

from app.domain.levels import Level
from app.domain.provinces import province_by_slug, successor_of


class Role(StrEnum):
    """An account's role."""

    admin = "admin"
    office = "office"
    juror = "juror"

    @property
    def label(self) -> str:
        """Vietnamese label."""
        return ROLE_LABELS[self]

    @property
    def is_office_staff(self) -> bool:
        """True for the roles that work in the office workspace (/quan-ly): not jurors."""
        return self is not Role.juror


ROLE_LABELS = {Role.admin: "Quản trị (Bộ Công Thương)", Role.office: "Sở Công Thương",
               Role.juror: "Giám khảo"}


OFFICE_LEVELS = frozenset({Level.huyen, Level.xa, Level.tinh})


def owns_province(role: Role, office_province: str | None, record_province: str) -> bool:
    """True if the account may manage records located in `record_province` (a current or former slug)."""
    if role is Role.admin:
        return True
    if role is Role.juror:
        return False
    info = province_by_slug(record_province)
    return office_province is not None and info is not None and successor_of(info).slug == office_province


def may_manage_level(role: Role, level: Level) -> bool:
    """Offices manage commune/district and provincial certificates; the ministry all levels."""
    return role is Role.admin or (role is Role.office and level in OFFICE_LEVELS)


def may_manage_certificate(
    role: Role, office_province: str | None, *, certified_in: str, level: Level
) -> bool:
    """A certificate: the province it was certified in must be the office's, and the level an office level."""
    return may_manage_level(role, level) and owns_province(role, office_province, certified_in)
