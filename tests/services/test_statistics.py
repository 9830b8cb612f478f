"""The statistics' counts against a hand-built register, on SQLite and PostgreSQL (the `session` fixture).

On 15/06/2026 the register holds, among published products only:
- A  Đà Nẵng, certified in former Quảng Nam, tỉnh 15/12/2023: valid, ends 31/12/2026 (this year);
- B  Bắc Ninh, certified in former Bắc Giang, huyện 01/05/2022: expired 31/12/2025;
- C  Huế, tỉnh 01/03/2024, revoked 10/01/2025;
- D  Huế, quốc gia 01/11/2025 (valid to 2028) and tỉnh 01/06/2019 (expired);
- G  a product still filed under former Bắc Giang, khu vực 01/10/2020: expired; counts in Bắc Ninh today;
- W  a withdrawn product (Hà Nội, tỉnh 2024) and R a draft one: never counted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from app.domain.levels import Level
from app.domain.programme import PUBLISHED_TOTALS
from app.domain.states import ProductState
from app.domain.text import vietnamese_sort_key
from app.domain.validity import CertificateStatus, certificate_status, today_in
from app.models import Certificate, Product, Province
from app.services.statistics import figures, tables
from app.services.statistics.charts import (
    BAR_ROOM,
    PLOT_BOTTOM,
    PLOT_TOP,
    ROW,
    BarItem,
    bar_chart,
    line_chart,
)
from app.services.statistics.figures import Counts, ProvinceMode
from tests.factories import add_certificate, make_product

DAY = date(2026, 6, 15)


def _register(session: Session) -> None:
    make_product(session, province_slug="da-nang", certified_in="quang-nam", level="tinh",
                 issued_on=date(2023, 12, 15), group="che_bien")
    make_product(session, province_slug="bac-ninh", certified_in="bac-giang", level="huyen",
                 issued_on=date(2022, 5, 1), group="thu_cong_my_nghe")
    make_product(session, province_slug="hue", level="tinh", issued_on=date(2024, 3, 1),
                 revoked_on=date(2025, 1, 10), group="co_khi")
    d = make_product(session, province_slug="hue", level="quoc_gia", issued_on=date(2025, 11, 1),
                     group="khac")
    add_certificate(session, d, level="tinh", issued_on=date(2019, 6, 1), certified_in="hue")
    make_product(session, province_slug="bac-giang", level="khu_vuc", issued_on=date(2020, 10, 1),
                 group="che_bien")
    for state in (ProductState.WITHDRAWN, ProductState.DRAFT):
        hidden = make_product(session, province_slug="ha-noi", level="tinh", issued_on=date(2024, 4, 1))
        hidden.state = state
    session.commit()


def _ids(session: Session) -> dict[str, int]:
    return {slug: pid for pid, slug in session.exec(select(Province.id, Province.slug)) if pid is not None}


def test_status_counts_follow_the_domain_rule(session: Session) -> None:
    _register(session)
    counts = figures.status_counts(session=session, today=DAY)
    assert (counts.valid, counts.expiring, counts.expired, counts.revoked) == (2, 1, 3, 1)
    assert counts.valid_products == 2 and counts.total == 6
    published = session.exec(select(Certificate).join(Product, col(Product.id) == col(Certificate.product_id))
                             .where(Product.state == ProductState.PUBLISHED)).all()
    by_rule = [certificate_status(c.valid_until, c.revoked_on, on=DAY) for c in published]
    assert by_rule.count(CertificateStatus.valid) == counts.valid
    assert by_rule.count(CertificateStatus.revoked) == counts.revoked


def test_the_last_evening_of_the_year_in_vietnam(session: Session) -> None:
    """17:30 UTC on 31/12/2026 is already 01/01/2027 in Hà Nội: A has ended, nothing ends 'this year'."""
    _register(session)
    last_day = today_in(now=datetime(2026, 12, 31, 16, 59, tzinfo=UTC))
    next_day = today_in(now=datetime(2026, 12, 31, 17, 30, tzinfo=UTC))
    assert (last_day, next_day) == (date(2026, 12, 31), date(2027, 1, 1))
    on_31 = figures.status_counts(session=session, today=last_day)
    after = figures.status_counts(session=session, today=next_day)
    assert (on_31.valid, on_31.expiring) == (2, 1)
    assert (after.valid, after.expiring, after.expired) == (1, 0, 4)


def test_level_year_counts(session: Session) -> None:
    _register(session)
    counts = figures.level_year_counts(session=session)
    assert counts == {(2023, Level.tinh): Counts(1, 1), (2022, Level.huyen): Counts(1, 1),
                      (2024, Level.tinh): Counts(1, 1), (2025, Level.quoc_gia): Counts(1, 1),
                      (2019, Level.tinh): Counts(1, 1), (2020, Level.khu_vuc): Counts(1, 1)}
    trend = tables.trend_table(counts)
    assert [row.label for row in trend.rows] == [str(y) for y in range(2019, 2026)]
    assert trend.rows[1].values == (0, 0, 0, 1, 0, 1)  # 2020: one regional


def test_province_counts_current_and_at_certification(session: Session) -> None:
    _register(session)
    ids = _ids(session)
    current = figures.province_counts(session=session, today=DAY, mode=ProvinceMode.current)
    assert current == {ids["da-nang"]: Counts(1, 1, 1), ids["bac-ninh"]: Counts(2, 2, 0),
                       ids["hue"]: Counts(2, 3, 1)}
    certified = figures.province_counts(session=session, today=DAY, mode=ProvinceMode.certified)
    assert certified == {ids["quang-nam"]: Counts(1, 1, 1), ids["bac-giang"]: Counts(2, 2, 0),
                         ids["hue"]: Counts(2, 3, 1)}
    table = tables.province_table(session, certified, ProvinceMode.certified)
    assert [row.label for row in table.rows] == ["Bắc Giang (nay thuộc Bắc Ninh)", "Huế",
                                                 "Quảng Nam (nay thuộc Đà Nẵng)"]
    full = tables.province_table(session, current, ProvinceMode.current)
    assert len(full.rows) == 34 and sum(int(r.values[0]) for r in full.rows) == 5
    names = [row.label for row in full.rows]
    assert names == sorted(names, key=vietnamese_sort_key) and names.index("Đà Nẵng") < names.index("Đắk Lắk")


def test_group_counts_in_the_fixed_order(session: Session) -> None:
    _register(session)
    table = tables.group_table(figures.group_counts(session=session, today=DAY))
    assert [(row.label[:2], row.values) for row in table.rows] == [
        ("1.", (1, 1, 0)), ("2.", (2, 2, 1)), ("3.", (1, 1, 0)), ("4.", (1, 2, 1))]


def test_published_years_beside_the_programme_totals(session: Session) -> None:
    _register(session)
    held = figures.published_years_counts(session=session)
    assert held == {Level.huyen: 1, Level.tinh: 1, Level.khu_vuc: 1}
    table = tables.coverage_table(held)
    assert [row.values[:2] for row in table.rows] == [(2934, 1), (5486, 1), (1632, 1), (512, 0), (10564, 3)]
    assert sum(PUBLISHED_TOTALS.values()) == 10564
    assert table.rows[0].values[2] == "0,0%" and table.rows[3].values[2] == "0,0%"
    assert tables.coverage_sentences({Level.quoc_gia: 256})[3] == (
        "Cấp quốc gia: sổ đăng ký có 256 trong số 512 sản phẩm chương trình đã công bố, tức 50%.")


def test_a_scope_keeps_only_its_provinces_products(session: Session) -> None:
    _register(session)
    ids = _ids(session)
    scope = (ids["bac-ninh"], ids["bac-giang"])
    counts = figures.status_counts(session=session, today=DAY, scope=scope)
    assert (counts.valid, counts.expired, counts.revoked) == (0, 2, 0)
    assert set(figures.level_year_counts(session=session, scope=scope)) == {(2022, Level.huyen),
                                                                           (2020, Level.khu_vuc)}


def test_chart_geometry() -> None:
    """Bars scale to the largest value; the y axis ends at a round number above the largest count."""
    bars = bar_chart("Thử", [BarItem("a", 10, "10"), BarItem("b", 0, "0")])
    assert bars.height == 2 * ROW and bars.bars[0].length == BAR_ROOM and bars.bars[1].length == 0
    assert bar_chart("Trống", []).bars == ()
    lines = line_chart("Thử", [2020, 2021, 2022], [("Cấp tỉnh", "tinh", [0, 22, 11])])
    assert [text for _, text in lines.y_ticks] == ["0", "15", "30"]
    ys = [y for _, y in lines.series[0].points]
    assert ys[0] == PLOT_BOTTOM and PLOT_TOP < min(ys) < PLOT_BOTTOM
    assert lines.series[0].path.count(",") == 3
