"""Certificate validity and status (Thông tư 26/2014/TT-BCT as amended by 14/2018/TT-BCT).

A certificate is valid from its issue date to the end of 31 December of the 4th year, the
issue year being year 1. Status depends on the day it is asked about, and that day is a
calendar date in Vietnam, never the server's UTC date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.domain.messages import N_

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
EXPIRING_SOON_DAYS = 90


class CertificateStatus(StrEnum):
    """What a certificate is on a given day."""

    valid = "valid"
    expired = "expired"
    revoked = "revoked"

    @property
    def label(self) -> str:
        """Vietnamese words for the status (status is never shown by colour alone)."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[CertificateStatus, str] = {
    CertificateStatus.valid: N_("Còn hiệu lực"),
    CertificateStatus.expired: N_("Hết hiệu lực"),
    CertificateStatus.revoked: N_("Đã thu hồi"),
}


def default_valid_until(issued_on: date) -> date:
    """31 December of the issue year + 3: issued 15/12/2023 → valid until 31/12/2026."""
    return date(issued_on.year + 3, 12, 31)


def certificate_status(valid_until: date, revoked_on: date | None, *, on: date) -> CertificateStatus:
    """Revoked if revoked on or before `on`; else expired after valid_until; else valid."""
    if revoked_on is not None and revoked_on <= on:
        return CertificateStatus.revoked
    if on > valid_until:
        return CertificateStatus.expired
    return CertificateStatus.valid


def effective_end(valid_until: date, revoked_on: date | None) -> date:
    """The last day a certificate is valid: the day before revocation, or valid_until."""
    if revoked_on is not None:
        return min(valid_until, revoked_on - timedelta(days=1))
    return valid_until


def expiring_soon(valid_until: date, *, on: date) -> bool:
    """A hint (not a status): valid now and ending within 90 days."""
    return on <= valid_until and (valid_until - on).days <= EXPIRING_SOON_DAYS


def today_in(tz: ZoneInfo = VIETNAM, *, now: datetime | None = None) -> date:
    """The calendar date in `tz` (Vietnam by default) at `now` (default: the current instant)."""
    instant = now if now is not None else datetime.now(tz)
    if instant.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return instant.astimezone(tz).date()


def in_vietnam(moment: datetime, tz: ZoneInfo = VIETNAM) -> datetime:
    """A stored instant as Vietnam's clock shows it (a naive one, as SQLite returns it, is UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz)
