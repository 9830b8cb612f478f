"""The public statistics page (/thong-ke): each section a chart and the table it draws."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.domain.programme import PUBLISHED_FIRST_YEAR, PUBLISHED_LAST_YEAR, share_percent
from app.errors import NotFound
from app.i18n import format_number, gettext
from app.services.statistics import figures, tables
from app.services.statistics.charts import BarChart, BarItem, LineChart, bar_chart, line_chart
from app.services.statistics.figures import ProvinceMode, StatusCounts
from app.services.statistics.tables import Table

TABLE_NAMES = ("tinh-trang", "nam-cap", "xu-huong", "tinh", "nhom", "so-lieu-cong-bo")


@dataclass(frozen=True, slots=True)
class Section:
    """A chart and its data table."""

    chart: BarChart | LineChart
    table: Table


@dataclass(frozen=True, slots=True)
class StatisticsPage:
    """Everything /thong-ke shows, for one day and one province mode."""

    today: date
    mode: ProvinceMode
    status: StatusCounts
    sections: dict[str, Section]
    coverage_sentences: list[str]

    @property
    def published_years(self) -> str:
        """The years of the programme's published totals, '2012–2022'."""
        return f"{PUBLISHED_FIRST_YEAR}–{PUBLISHED_LAST_YEAR}"


def _count_bars(table: Table, column: int, kinds: tuple[str, ...] = ()) -> list[BarItem]:
    """One bar per row of `table`, the value of its `column` (0 = first value), labelled with it."""
    items = []
    for n, row in enumerate(table.rows):
        value = row.values[column]
        number = value if isinstance(value, int) else 0
        items.append(BarItem(row.label, number, format_number(number), kinds[n] if kinds else "main"))
    return items


def _status_section(status: StatusCounts, today: date) -> Section:
    table = tables.status_table(status, today)
    kinds = ("valid", "expiring", "expired", "revoked")
    items = _count_bars(Table(table.name, table.caption, table.columns, table.rows[:4]), 0, kinds)
    return Section(bar_chart(gettext("Giấy chứng nhận theo tình trạng"), items), table)


def _year_sections(session: Session) -> tuple[Section, Section]:
    counts = figures.level_year_counts(session=session)
    trend = tables.trend_table(counts)
    totals = bar_chart(gettext("Giấy chứng nhận cấp mỗi năm"), _count_bars(trend, len(tables.TREND_LEVELS)))
    held = [level for level in tables.TREND_LEVELS if any(level == lv for _, lv in counts)]
    lines = [(gettext(level.label), level.value,
              [int(row.values[tables.TREND_LEVELS.index(level)]) for row in trend.rows]) for level in held]
    chart = line_chart(gettext("Giấy chứng nhận cấp mỗi năm, theo cấp"), tables.trend_years(counts), lines,
                       fmt=format_number)
    return Section(totals, tables.level_year_table(counts)), Section(chart, trend)


def _coverage_section(session: Session) -> tuple[Section, list[str]]:
    held = figures.published_years_counts(session=session)
    table = tables.coverage_table(held)
    items = [BarItem(row.label, _percent(row.values), str(row.values[2])) for row in table.rows]
    chart = bar_chart(gettext("Tỷ lệ có trong sổ đăng ký"), items)
    return Section(chart, table), tables.coverage_sentences(held)


def _percent(values: tuple[tables.Cell, ...]) -> float:
    """The share of a coverage row: (published, held, …) → held as a percentage of published."""
    published, held = values[0], values[1]
    return share_percent(held, published) if isinstance(held, int) and isinstance(published, int) else 0.0


def statistics_page(*, session: Session, today: date, mode: ProvinceMode) -> StatisticsPage:
    """Every section of the page, counted on `today` (a Vietnam date)."""
    status = figures.status_counts(session=session, today=today)
    years, trend = _year_sections(session)
    provinces = tables.province_table(
        session, figures.province_counts(session=session, today=today, mode=mode), mode)
    groups = tables.group_table(figures.group_counts(session=session, today=today))
    coverage, sentences = _coverage_section(session)
    sections = {
        "tinh-trang": _status_section(status, today),
        "nam-cap": years,
        "xu-huong": trend,
        "tinh": Section(bar_chart(gettext("Sản phẩm theo tỉnh, thành phố"), _count_bars(provinces, 0)),
                        provinces),
        "nhom": Section(bar_chart(gettext("Sản phẩm theo nhóm"), _count_bars(groups, 0)), groups),
        "so-lieu-cong-bo": coverage,
    }
    return StatisticsPage(today=today, mode=mode, status=status, sections=sections,
                          coverage_sentences=sentences)


def statistics_table(*, session: Session, today: date, name: str, mode: ProvinceMode) -> Table:
    """One table of the page by its CSV name, counted alone; NotFound for any other name."""
    builders: dict[str, Callable[[], Table]] = {
        "tinh-trang": lambda: tables.status_table(figures.status_counts(session=session, today=today), today),
        "nam-cap": lambda: tables.level_year_table(figures.level_year_counts(session=session)),
        "xu-huong": lambda: tables.trend_table(figures.level_year_counts(session=session)),
        "tinh": lambda: tables.province_table(
            session, figures.province_counts(session=session, today=today, mode=mode), mode),
        "nhom": lambda: tables.group_table(figures.group_counts(session=session, today=today)),
        "so-lieu-cong-bo": lambda: tables.coverage_table(figures.published_years_counts(session=session)),
    }
    build = builders.get(name)
    if build is None:
        raise NotFound(gettext("Không có bảng số liệu này."))
    return build()
