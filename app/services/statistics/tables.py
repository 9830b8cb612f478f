"""The statistics as tables: one per chart, the same rows the page, its CSV and the office workbook show.

Words are in the language of the request (`gettext`): Vietnamese for the CSV and the workbook, whose
paths have no English twin, and the page's language on the page. Numbers stay numbers here; the page
formats them (2.934 / 2,934), the files keep them plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.domain.groups import ProductGroup
from app.domain.levels import Level
from app.domain.programme import PUBLISHED_FIRST_YEAR, PUBLISHED_LAST_YEAR, PUBLISHED_TOTALS, share_percent
from app.domain.provinces import ProvinceInfo, current_provinces, display_name, province_by_slug
from app.domain.text import vietnamese_sort_key
from app.i18n import format_number, format_percent, gettext
from app.models import Province
from app.services.statistics.figures import Counts, ProvinceMode, StatusCounts

Cell = int | str
TREND_LEVELS = (Level.huyen, Level.xa, Level.tinh, Level.khu_vuc, Level.quoc_gia)


@dataclass(frozen=True, slots=True)
class Row:
    """A row: its header cell and its values."""

    label: str
    values: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A data table: `name` is its CSV's file name, `columns` include the row headers' column."""

    name: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def records(self) -> list[list[Cell]]:
        """Header line, then each row as plain cells: what the CSV and the workbook write."""
        return [list(self.columns), *([row.label, *row.values] for row in self.rows)]


def _level(level: Level) -> str:
    return gettext(level.label)


def status_table(counts: StatusCounts, today: date) -> Table:
    """Certificates by status on `today`."""
    rows = (
        Row(gettext("Còn hiệu lực"), (counts.valid,)),
        Row(gettext("Trong đó hết hiệu lực đến 31/12/%(year)s") % {"year": today.year}, (counts.expiring,)),
        Row(gettext("Hết hiệu lực"), (counts.expired,)),
        Row(gettext("Đã thu hồi"), (counts.revoked,)),
        Row(gettext("Tổng cộng"), (counts.total,)),
    )
    caption = gettext("Giấy chứng nhận theo tình trạng ngày %(day)s") % {"day": today.strftime("%d/%m/%Y")}
    return Table("tinh-trang", caption, (gettext("Tình trạng"), gettext("Giấy chứng nhận")), rows)


def level_year_table(counts: Mapping[tuple[int, Level], Counts]) -> Table:
    """Products and certificates per year of issue and level, newest year first, highest level first."""
    order = {level: n for n, level in enumerate(reversed(TREND_LEVELS))}
    keys = sorted(counts, key=lambda k: (-k[0], order[k[1]]))
    rows = tuple(Row(str(year), (_level(level), counts[year, level].products,
                                 counts[year, level].certificates)) for year, level in keys)
    columns = (gettext("Năm cấp"), gettext("Cấp"), gettext("Sản phẩm"), gettext("Giấy chứng nhận"))
    caption = gettext("Sản phẩm và giấy chứng nhận theo năm cấp và cấp chứng nhận")
    return Table("nam-cap", caption, columns, rows)


def trend_years(counts: Mapping[tuple[int, Level], Counts]) -> list[int]:
    """Every year from the first to the last with a certificate (none missing in between)."""
    years = [year for year, _ in counts]
    return list(range(min(years), max(years) + 1)) if years else []


def trend_table(counts: Mapping[tuple[int, Level], Counts]) -> Table:
    """Certificates issued each year, one column per level, and the year's total."""
    rows = []
    for year in trend_years(counts):
        values = [counts[year, level].certificates if (year, level) in counts else 0
                  for level in TREND_LEVELS]
        rows.append(Row(str(year), (*values, sum(values))))
    columns = (gettext("Năm cấp"), *(_level(level) for level in TREND_LEVELS), gettext("Tổng cộng"))
    return Table("xu-huong", gettext("Giấy chứng nhận cấp mỗi năm, theo cấp"), columns, tuple(rows))


def _province_infos(session: Session) -> dict[int, ProvinceInfo]:
    """Province row id → its reference data."""
    rows = session.exec(select(Province.id, Province.slug)).all()
    found = {pid: province_by_slug(slug) for pid, slug in rows if pid is not None}
    return {pid: info for pid, info in found.items() if info is not None}


def province_table(session: Session, counts: Mapping[int, Counts], mode: ProvinceMode) -> Table:
    """Counts per province in Vietnamese alphabetical order: all 34 current ones, or those that certified."""
    infos = _province_infos(session)
    by_slug = {infos[pid].slug: value for pid, value in counts.items() if pid in infos}
    if mode is ProvinceMode.current:
        shown = list(current_provinces())
    else:
        shown = [info for info in infos.values() if info.slug in by_slug]
    names = {info.slug: display_name(info, translate=gettext) for info in shown}
    shown.sort(key=lambda info: vietnamese_sort_key(names[info.slug]))
    empty = Counts(0, 0, 0)
    rows = tuple(Row(names[info.slug], (by_slug.get(info.slug, empty).products,
                                        by_slug.get(info.slug, empty).certificates,
                                        by_slug.get(info.slug, empty).valid_products)) for info in shown)
    caption = (gettext("Sản phẩm theo tỉnh, thành phố hiện nay (34 tỉnh, thành phố từ 01/07/2025)")
               if mode is ProvinceMode.current else
               gettext("Sản phẩm theo tỉnh, thành phố lúc chứng nhận (tỉnh cũ trước 01/07/2025)"))
    columns = (gettext("Tỉnh, thành phố"), gettext("Sản phẩm"), gettext("Giấy chứng nhận"),
               gettext("Sản phẩm còn hiệu lực"))
    return Table("tinh", caption, columns, rows)


def group_table(counts: Mapping[str, Counts]) -> Table:
    """Counts per product group, in the groups' fixed order (1 to 4)."""
    empty = Counts(0, 0, 0)
    rows = tuple(Row(f"{group.number}. {gettext(group.label)}",
                     (counts.get(group, empty).products, counts.get(group, empty).certificates,
                      counts.get(group, empty).valid_products)) for group in ProductGroup)
    columns = (gettext("Nhóm sản phẩm"), gettext("Sản phẩm"), gettext("Giấy chứng nhận"),
               gettext("Sản phẩm còn hiệu lực"))
    return Table("nhom", gettext("Sản phẩm theo nhóm sản phẩm"), columns, rows)


def coverage_table(held: Mapping[Level, int]) -> Table:
    """The programme's published totals 2012–2022 beside the register's certificates of those years."""
    rows = [Row(_level(level), (published, held.get(level, 0),
                                format_percent(share_percent(held.get(level, 0), published))))
            for level, published in PUBLISHED_TOTALS.items()]
    published_all = sum(PUBLISHED_TOTALS.values())
    held_all = sum(held.get(level, 0) for level in PUBLISHED_TOTALS)
    rows.append(Row(gettext("Tổng cộng"), (published_all, held_all,
                                           format_percent(share_percent(held_all, published_all)))))
    years = f"{PUBLISHED_FIRST_YEAR}–{PUBLISHED_LAST_YEAR}"
    columns = (gettext("Cấp"), gettext("Chương trình công bố %(years)s") % {"years": years},
               gettext("Có trong sổ đăng ký"), gettext("Tỷ lệ"))
    caption = gettext("Số sản phẩm chương trình công bố và số có trong sổ đăng ký, %(years)s") % {
        "years": years}
    return Table("so-lieu-cong-bo", caption, columns, tuple(rows))


def coverage_sentences(held: Mapping[Level, int]) -> list[str]:
    """How complete the register is, level by level, in words."""
    sentences = []
    for level, published in PUBLISHED_TOTALS.items():
        count = held.get(level, 0)
        sentences.append(gettext("%(level)s: sổ đăng ký có %(held)s trong số %(published)s sản phẩm chương "
                                 "trình đã công bố, tức %(percent)s.") % {
            "level": _level(level), "held": format_number(count), "published": format_number(published),
            "percent": format_percent(share_percent(count, published))})
    return sentences
