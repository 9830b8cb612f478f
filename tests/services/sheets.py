"""Helpers that write real winners spreadsheets and photos into a test folder."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from PIL import Image

HEADERS = (
    "certificate_number", "level", "issued_on", "decision_number", "decision_date", "region",
    "province", "product_name", "product_group", "description", "producer_name", "legal_form",
    "address", "phone", "email", "website", "score", "images",
)


def row(**values: object) -> dict[str, object]:
    """A valid provincial row; keyword overrides replace cells."""
    base: dict[str, object] = {
        "certificate_number": "12/GCN-SCT", "level": "tinh", "issued_on": "15/12/2023",
        "province": "Bắc Giang", "product_name": "Mỳ Chũ", "product_group": "2",
        "producer_name": "HTX Mỳ Chũ", "legal_form": "HTX", "phone": "0900 000 123",
        "email": "lienhe@vi-du.example", "website": "vi-du.example", "score": "85,5",
    }
    base.update(values)
    return base


def write_csv(path: Path, rows: Sequence[dict[str, object]], *, delimiter: str = ",", bom: bool = False,
              headers: Sequence[str] = HEADERS) -> Path:
    """A CSV file with these rows under `headers`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for values in rows:
        writer.writerow(["" if values.get(h) is None else values.get(h) for h in headers])
    path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8"))
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, object]], *, headers: Sequence[str] = HEADERS) -> Path:
    """An .xlsx file with these rows (cells keep their Python types: dates, numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    workbook.save(path)
    return path


def jpeg_bytes(size: tuple[int, int] = (400, 300), color: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A small JPEG photo."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def media_files(media_dir: Path) -> list[Path]:
    """Every file written under the media folder."""
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


def write_table_xlsx(path: Path, rows: Sequence[Sequence[object]], *, merges: Sequence[str] = (),
                     sheets_before: int = 0) -> Path:
    """An .xlsx laid out as an annex: `rows` as given from A1 (None = empty cell), `merges` like 'A1:F1'.

    `sheets_before` adds that many sheets in front that hold text but no table (a cover, a note).
    """
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    for n in range(sheets_before):
        cover = first if n == 0 else workbook.create_sheet()
        cover.title = f"Bia {n + 1}"
        cover.append(["Quyết định công nhận sản phẩm công nghiệp nông thôn tiêu biểu"])
    sheet = workbook.create_sheet("Phu luc") if sheets_before else first
    for values in rows:
        sheet.append(list(values))
    for cell_range in merges:
        sheet.merge_cells(cell_range)
    workbook.save(path)
    return path


def write_table_csv(path: Path, rows: Sequence[Sequence[object]], *, delimiter: str = ",") -> Path:
    """A CSV laid out as an annex: `rows` as given (None = empty cell)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path
