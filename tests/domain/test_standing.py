"""The one rule of "valid at level L on day D" and "highest level", as a table.

Each row: certificates (level, issued, valid until, revoked), the day asked, and what the
product shows (level, status), which levels match `level=L&status=valid`, and the status
filter without a level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.levels import Level
from app.domain.standing import ANY, MAX_RUNS, matches, standing, summarise
from app.domain.validity import CertificateStatus, today_in


@dataclass(frozen=True)
class Cert:
    """A certificate's dates (the rule reads nothing else)."""

    level: str
    issued_on: date
    valid_until: date
    revoked_on: date | None = None


def cert(level: str, issued: str, until: str, revoked: str | None = None) -> Cert:
    """A certificate from dd/mm/yyyy strings."""
    def parse(text: str) -> date:
        return datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date
    return Cert(level, parse(issued), parse(until), parse(revoked) if revoked else None)


V, E, R = CertificateStatus.valid, CertificateStatus.expired, CertificateStatus.revoked
QG, KV, T, H, X = Level.quoc_gia, Level.khu_vuc, Level.tinh, Level.huyen, Level.xa
ALL_LEVELS = (QG, KV, T, H, X)

# (case, certificates, day, shown level, shown status, levels valid that day)
TABLE: list[tuple[str, list[Cert], date, Level | None, CertificateStatus, set[Level]]] = [
    ("one valid provincial", [cert("tinh", "15/12/2023", "31/12/2026")], date(2026, 12, 6), T, V, {T}),
    ("expired the day after valid_until", [cert("tinh", "15/12/2022", "31/12/2025")],
     date(2026, 1, 1), T, E, set()),
    ("valid on its last day", [cert("tinh", "15/12/2022", "31/12/2025")], date(2025, 12, 31), T, V, {T}),
    ("revoked national, revoked regional, valid provincial (Chè búp Phong Điền)",
     [cert("tinh", "01/06/2023", "31/12/2026"), cert("khu_vuc", "01/09/2023", "31/12/2026", "01/03/2025"),
      cert("quoc_gia", "01/11/2023", "31/12/2026", "01/04/2025")], date(2026, 12, 6), T, V, {T}),
    ("none valid: highest ever shown with its own status",
     [cert("tinh", "01/06/2020", "31/12/2023"), cert("quoc_gia", "01/11/2021", "31/12/2024", "01/04/2022")],
     date(2026, 12, 6), QG, R, set()),
    ("none valid, highest expired although a lower one was revoked",
     [cert("tinh", "01/06/2021", "31/12/2024", "02/02/2022"), cert("khu_vuc", "01/11/2020", "31/12/2023")],
     date(2026, 12, 6), KV, E, set()),
    ("revocation takes effect on its day", [cert("tinh", "15/12/2023", "31/12/2026", "06/12/2026")],
     date(2026, 12, 6), T, R, set()),
    ("revocation dated later: still valid today", [cert("tinh", "15/12/2023", "31/12/2026", "07/12/2026")],
     date(2026, 12, 6), T, V, {T}),
    ("future-dated certificate is not in force yet", [cert("quoc_gia", "20/12/2026", "31/12/2029")],
     date(2026, 12, 6), QG, E, set()),
    ("future national beside a valid provincial: provincial shown",
     [cert("tinh", "15/12/2023", "31/12/2026"), cert("quoc_gia", "20/12/2026", "31/12/2029")],
     date(2026, 12, 6), T, V, {T}),
    ("the future national is in force from its issue day",
     [cert("tinh", "15/12/2023", "31/12/2026"), cert("quoc_gia", "20/12/2026", "31/12/2029")],
     date(2026, 12, 20), QG, V, {QG, T}),
    ("two certificates at one level, the old expired, the new valid",
     [cert("tinh", "01/05/2016", "31/12/2019"), cert("tinh", "01/08/2022", "31/12/2025")],
     date(2024, 3, 1), T, V, {T}),
    ("two at one level: in the gap between them, expired",
     [cert("tinh", "01/05/2016", "31/12/2019"), cert("tinh", "01/08/2022", "31/12/2025")],
     date(2021, 3, 1), T, E, set()),
    ("two at one level: the old one's days still count",
     [cert("tinh", "01/05/2016", "31/12/2019"), cert("tinh", "01/08/2022", "31/12/2025")],
     date(2018, 3, 1), T, V, {T}),
    ("two at one level, the newer revoked, the older still valid",
     [cert("tinh", "01/05/2023", "31/12/2026"), cert("tinh", "01/08/2024", "31/12/2027", "01/10/2025")],
     date(2026, 12, 6), T, V, {T}),
    ("two at one level, newest revoked, older expired: revoked",
     [cert("tinh", "01/05/2019", "31/12/2022"), cert("tinh", "01/08/2022", "31/12/2025", "01/10/2024")],
     date(2026, 12, 6), T, R, set()),
    ("revoked on its issue day was never in force",
     [cert("khu_vuc", "01/08/2024", "31/12/2027", "01/08/2024")],
     date(2026, 12, 6), KV, R, set()),
    ("district before the reform and commune after, both valid: one shown, both match",
     [cert("huyen", "01/03/2024", "31/12/2027"), cert("xa", "01/09/2025", "31/12/2028")],
     date(2026, 12, 6), X, V, {H, X}),
    ("no certificate at all", [], date(2026, 12, 6), None, E, set()),
]


@pytest.mark.parametrize(("certs", "day", "level", "status", "valid_levels"),
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_standing_table(certs: list[Cert], day: date, level: Level | None, status: CertificateStatus,
                        valid_levels: set[Level]) -> None:
    summary = summarise(certs)
    shown = standing(summary, on=day)
    assert (shown.level, shown.status) == (level, status)
    # level=L&status=valid holds exactly at the levels with a certificate valid that day
    assert {lv for lv in ALL_LEVELS if matches(summary, [lv], "valid", on=day)} == valid_levels
    # the status filter without a level agrees with what the product shows
    assert {s for s in CertificateStatus if matches(summary, [], s.value, on=day)} == {status}
    # level=L alone: every level the product was ever certified at
    certified = {Level(c.level) for c in certs}
    assert {lv for lv in ALL_LEVELS if matches(summary, [lv], "all", on=day)} == certified
    # the product-wide record says the same as the shown standing
    if certs:
        assert matches(summary, [ANY], status.value, on=day)


def test_several_levels_match_when_any_of_them_does() -> None:
    certs = [cert("tinh", "01/06/2023", "31/12/2026"),
             cert("quoc_gia", "01/11/2023", "31/12/2026", "01/04/2025")]
    summary = summarise(certs)
    day = date(2026, 12, 6)
    assert matches(summary, [QG, T], "valid", on=day)
    assert matches(summary, [QG, T], "revoked", on=day)
    assert not matches(summary, [QG], "valid", on=day)
    assert not matches(summary, [QG, KV], "expired", on=day)


@pytest.mark.parametrize(("instant", "status"), [
    # 31/12/2026 23:30 in Vietnam is 16:30 UTC: still the certificate's last day
    (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), V),
    # 01/01/2027 00:30 in Vietnam is still 31/12 17:30 UTC: expired, whatever the server's date
    (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), E),
])
def test_the_day_is_vietnams(instant: datetime, status: CertificateStatus) -> None:
    summary = summarise([cert("quoc_gia", "15/12/2023", "31/12/2026")])
    assert standing(summary, on=today_in(now=instant)).status == status


def test_runs_are_merged_and_the_newest_kept() -> None:
    # back-to-back certificates make one run; separate ones beyond MAX_RUNS keep the newest
    touching = summarise([cert("tinh", "01/01/2020", "31/12/2022"), cert("tinh", "01/01/2023", "31/12/2025")])
    assert touching["tinh"]["runs"] == [[20200101, 20251231]]
    start = date(2012, 1, 1)
    spans = [Cert("tinh", start + timedelta(days=400 * i), start + timedelta(days=400 * i + 100))
             for i in range(MAX_RUNS + 2)]
    runs = summarise(spans)["tinh"]["runs"]
    assert len(runs) == MAX_RUNS
    assert runs[-1][1] == int((start + timedelta(days=400 * (MAX_RUNS + 1) + 100)).strftime("%Y%m%d"))
