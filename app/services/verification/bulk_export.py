"""A checked list as a download: the buyer's own columns kept, the answer's columns appended, Excel-safe."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from app.domain.levels import Level
from app.domain.messages import N_
from app.i18n import gettext
from app.services.catalog.exports import safe_cell
from app.services.verification.bulk_check import BulkResult
from app.services.verification.bulk_input import InputTable

ANSWER_COLUMNS = (N_("Trạng thái"), N_("Sản phẩm"), N_("Cơ sở"), N_("Số GCN"), N_("Mã"), N_("Cấp"),
                  N_("Hiệu lực đến"), N_("Còn (ngày)"), N_("Thu hồi ngày"), N_("Lý do"))
PLAIN_LIST_HEADER = N_("Mã, số giấy chứng nhận hoặc tên sản phẩm")  # a pasted list has no header of its own
_CHUNK_ROWS = 1000


def _day(day: date | None) -> str:
    """dd/mm/yyyy, as Vietnamese spreadsheets write dates; '' for none."""
    return day.strftime("%d/%m/%Y") if day else ""


def download_columns(table: InputTable) -> list[str]:
    """Their header (padded to the table's width), then ours, in the page's language."""
    theirs = list(table.header) + [""] * (table.width - len(table.header))
    if not table.header:
        theirs = [gettext(PLAIN_LIST_HEADER)] if table.width == 1 else [""] * table.width
    return [safe_cell(c) for c in theirs] + [gettext(c) for c in ANSWER_COLUMNS]


def answer_cells(result: BulkResult) -> list[str]:
    """The appended cells of one row (candidates' names, ' | '-separated, for an ambiguous one)."""
    found = result.found
    if found is None:
        names = " | ".join(f"{c.product_name} ({c.producer_name}, {c.code})" for c in result.candidates)
        return [gettext(result.status.label), names, "", "", "", "", "", "", "", ""]
    cert = found.view.certificate
    return [gettext(result.status.label), found.view.product.name, found.producer.name, cert.number or "",
            found.view.display_code, gettext(Level(cert.level).label), _day(cert.valid_until),
            str(found.days_left), _day(cert.revoked_on), cert.revoked_reason or ""]


def download_rows(table: InputTable, results: Sequence[BulkResult]) -> Iterator[list[list[str]]]:
    """The rows in pages (as exports.csv_chunks and xlsx_chunks take them), every cell made inert."""
    width = table.width
    page: list[list[str]] = []
    for row, result in zip(table.rows, results, strict=True):
        theirs = list(row.cells) + [""] * (width - len(row.cells))
        page.append([safe_cell(c) for c in theirs + answer_cells(result)])
        if len(page) == _CHUNK_ROWS:
            yield page
            page = []
    if page:
        yield page
