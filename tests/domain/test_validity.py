"""Validity and status rules, including the 31 December boundary in Vietnam's time zone."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.domain.validity import (
    CertificateStatus,
    certificate_status,
    default_valid_until,
    effective_end,
    expiring_soon,
    today_in,
)


def test_valid_until_is_31_december_of_the_fourth_year() -> None:
    assert default_valid_until(date(2023, 12, 15)) == date(2026, 12, 31)
    assert default_valid_until(date(2023, 1, 1)) == date(2026, 12, 31)
    assert default_valid_until(date(2024, 2, 29)) == date(2027, 12, 31)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2023, 12, 15), CertificateStatus.valid),
        (date(2026, 12, 31), CertificateStatus.valid),
        (date(2027, 1, 1), CertificateStatus.expired),
    ],
)
def test_status_around_the_end_of_validity(on: date, expected: CertificateStatus) -> None:
    assert certificate_status(date(2026, 12, 31), None, on=on) is expected


def test_revoked_wins_over_valid_from_the_revocation_day() -> None:
    valid_until = date(2026, 12, 31)
    assert certificate_status(valid_until, date(2025, 3, 1), on=date(2025, 2, 28)) is CertificateStatus.valid
    assert certificate_status(valid_until, date(2025, 3, 1), on=date(2025, 3, 1)) is CertificateStatus.revoked
    assert certificate_status(valid_until, date(2025, 3, 1), on=date(2030, 1, 1)) is CertificateStatus.revoked
    assert effective_end(valid_until, date(2025, 3, 1)) == date(2025, 2, 28)


def test_expiring_soon_is_a_hint_within_90_days() -> None:
    assert expiring_soon(date(2026, 12, 31), on=date(2026, 10, 2))
    assert not expiring_soon(date(2026, 12, 31), on=date(2026, 10, 1))
    assert not expiring_soon(date(2026, 12, 31), on=date(2027, 1, 1))


def test_today_is_the_date_in_hanoi_when_utc_is_still_the_day_before() -> None:
    # 31/12/2026 23:30 in Hà Nội is 31/12/2026 16:30 UTC; 01/01/2027 00:30 in Hà Nội is 31/12 17:30 UTC.
    late_on_new_years_eve = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    just_after_midnight = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    issued = default_valid_until(date(2023, 12, 15))
    assert today_in(now=late_on_new_years_eve) == date(2026, 12, 31)
    assert certificate_status(issued, None, on=today_in(now=late_on_new_years_eve)) is CertificateStatus.valid
    assert today_in(now=just_after_midnight) == date(2027, 1, 1)
    assert certificate_status(issued, None, on=today_in(now=just_after_midnight)) is CertificateStatus.expired


def test_today_ignores_the_server_clock_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        utc_now = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
        assert datetime.fromtimestamp(utc_now.timestamp()).date() == date(2026, 12, 31)  # noqa: DTZ006
        hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
        assert today_in(hanoi, now=datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == date(2027, 1, 1)
        assert os.environ["TZ"] == "UTC"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        today_in(now=datetime(2026, 12, 31, 23, 30))  # noqa: DTZ001
