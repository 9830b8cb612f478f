"""The statistics as files: one table as CSV, and an office's figures as an XLSX workbook.

The CSV is UTF-8 with a BOM and Vietnamese headers, like the catalog's exports. The workbook
holds the figures of the products now in the account's province (its former provinces
included): an office gets its own province whatever it asks; the ministry's administrators
the whole country, or one province they pick.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook
from sqlmodel import Session

from app.domain.text import drop_controls
from app.services.catalog.exports import BOM, safe_cell
from app.services.office.account import Account
from app.services.office.dashboard import Scope, dashboard_scope
from app.services.statistics import figures, tables
from app.services.statistics.figures import ProvinceMode
from app.services.statistics.tables import Cell, Table

XLSX_SHEETS = {"tinh-trang": "Tình trạng", "nam-cap": "Năm và cấp", "xu-huong": "Xu hướng",
               "nhom": "Nhóm sản phẩm", "tinh-luc-cap": "Tỉnh lúc chứng nhận",
               "tinh-hien-tai": "Tỉnh hiện nay"}


def _cell(value: Cell) -> Cell:
    """A number as it is; text without control characters and never a formula."""
    return value if isinstance(value, int) else safe_cell(drop_controls(value))


def table_csv(table: Table) -> bytes:
    """The table as CSV: its headers, then its rows, numbers without thousands separators."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[_cell(value) for value in record] for record in table.records()])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _scope_tables(session: Session, scope: Scope, today: date) -> dict[str, Table]:
    """Every table of the scope, by sheet key."""
    ids = scope.province_ids
    counts = figures.level_year_counts(session=session, scope=ids)
    found = {
        "tinh-trang": tables.status_table(
            figures.status_counts(session=session, today=today, scope=ids), today),
        "nam-cap": tables.level_year_table(counts),
        "xu-huong": tables.trend_table(counts),
        "nhom": tables.group_table(figures.group_counts(session=session, today=today, scope=ids)),
    }
    modes = (ProvinceMode.certified, ProvinceMode.current) if ids is None else (ProvinceMode.certified,)
    for mode in modes:
        by_province = figures.province_counts(session=session, today=today, mode=mode, scope=ids)
        found[f"tinh-{mode.value}"] = tables.province_table(session, by_province, mode)
    return found


def _about(scope: Scope, today: date) -> list[list[Cell]]:
    """The first sheet: what the workbook counts, where and when."""
    where = scope.name
    if scope.former_names:
        where += f" (gồm cả {', '.join(scope.former_names)} trước 01/07/2025)"
    return [["Số liệu sản phẩm công nghiệp nông thôn tiêu biểu"], ["Phạm vi", where],
            ["Ngày lập", today.strftime("%d/%m/%Y")],
            ["Cách tính", "Sản phẩm đã công bố có tỉnh, thành phố hiện nay trong phạm vi; tình trạng tính "
                          "theo ngày lập (giờ Việt Nam)."]]


def office_workbook(*, session: Session, account: Account, today: date,
                    province_slug: str = "") -> tuple[bytes, str]:
    """The account's figures as an .xlsx file and its download name."""
    scope = dashboard_scope(session=session, account=account, province_slug=province_slug)
    workbook = Workbook()
    about = workbook.active
    assert about is not None  # noqa: S101 - a new workbook has its first sheet
    about.title = "Thông tin"
    for record in _about(scope, today):
        about.append([_cell(value) for value in record])
    for key, table in _scope_tables(session, scope, today).items():
        sheet = workbook.create_sheet(XLSX_SHEETS[key])
        sheet.append([table.caption])
        for record in table.records():
            sheet.append([_cell(value) for value in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    where = scope.province.slug if scope.province else "toan-quoc"
    return buffer.getvalue(), f"thong-ke-{where}-{today.isoformat()}.xlsx"
