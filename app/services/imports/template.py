"""The downloadable winners-spreadsheet template: headers the importer reads, drop-down lists, a guide.

Headers are Vietnamese labels with the column codes in brackets ("Tên sản phẩm (product_name)"),
which app.files.spreadsheet reads by the code. Lists with commas or longer than Excel's 255-character
limit for an inline list live in a hidden sheet and are referenced by range.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.groups import GROUP_LABELS, ProductGroup
from app.domain.levels import LEVEL_LABELS
from app.domain.parsing import LEGAL_FORM_LABELS
from app.domain.provinces import all_provinces
from app.domain.regions import REGION_LABELS
from app.files.spreadsheet import COLUMN_LABELS, COLUMNS

TEMPLATE_FILENAME = "mau-danh-sach-cnnt.xlsx"
LISTS_SHEET = "Danh mục"
VALIDATED_ROWS = 2000
LABELS = COLUMN_LABELS
EXAMPLE = {
    "certificate_number": "12/GCN-SCT", "level": "Cấp tỉnh", "issued_on": date(2025, 12, 15),
    "decision_number": "1234/QĐ-UBND", "decision_date": date(2025, 12, 10), "province": "Đà Nẵng",
    "product_name": "Nước mắm Nam Ô (ví dụ – xóa dòng này)",
    "product_group": GROUP_LABELS[ProductGroup.che_bien],
    "description": "Mô tả ngắn về sản phẩm.", "producer_name": "Cơ sở minh họa Nam Ô",
    "legal_form": "Hộ kinh doanh",
    "address": "Địa chỉ minh họa, Đà Nẵng", "phone": "0900 000 000", "email": "lienhe@vi-du.example",
    "score": 85,
}
GUIDE = (
    "Hướng dẫn điền danh sách sản phẩm CNNT tiêu biểu",
    "Mỗi dòng là một giấy chứng nhận. Dòng 2 là ví dụ: hãy xóa trước khi tải lên.",
    "Bắt buộc: Cấp, Ngày cấp, Tỉnh/thành phố, Tên sản phẩm, Nhóm sản phẩm, Tên cơ sở.",
    "Khi tải lên cho một đợt bình chọn, cột hoặc ô Cấp, Khu vực, Tỉnh, Số và ngày quyết định, Ngày cấp "
    "để trống sẽ lấy theo đợt (ngày cấp = ngày quyết định).",
    "Ngày ghi dạng dd/mm/yyyy (ví dụ 15/12/2025) hoặc dùng ô kiểu ngày.",
    "Cấp, Nhóm, Tỉnh, Khu vực, Loại hình: chọn trong danh sách thả xuống.",
    "Tỉnh ghi tỉnh tại thời điểm chứng nhận; tên tỉnh cũ (trước 01/07/2025) vẫn được nhận.",
    "Ảnh sản phẩm thêm ở trang sản phẩm sau khi xuất bản.",
    "Hệ thống kiểm tra từng dòng và báo lỗi theo dòng và cột trước khi xuất bản; có lỗi thì không ghi gì.",
)


def _lists() -> dict[str, list[str]]:
    """The drop-down lists by column."""
    return {
        "level": list(LEVEL_LABELS.values()),
        "product_group": list(GROUP_LABELS.values()),
        "province": [p.name for p in all_provinces()],
        "region": list(REGION_LABELS.values()),
        "legal_form": list(LEGAL_FORM_LABELS.values()),
    }


def _add_validation(sheet: Worksheet, column: str, formula: str) -> DataValidation:
    """A list validation on the data rows of `column`."""
    letter = get_column_letter(COLUMNS.index(column) + 1)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorTitle="Giá trị không có trong danh sách",
                                error="Hãy chọn một giá trị trong danh sách thả xuống.")
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
    sheet.add_data_validation(validation)
    return validation


def _write_lists(workbook: Workbook, sheet: Worksheet) -> None:
    """Hidden list sheet and the validations that use it (short lists without commas inline)."""
    hidden = workbook.create_sheet(LISTS_SHEET)
    hidden.sheet_state = "hidden"
    for index, (column, values) in enumerate(_lists().items(), start=1):
        letter = get_column_letter(index)
        hidden.cell(row=1, column=index, value=column)
        for row, value in enumerate(values, start=2):
            hidden.cell(row=row, column=index, value=value)
        inline = ",".join(values)
        if len(inline) <= 255 and not any("," in v for v in values):
            _add_validation(sheet, column, f'"{inline}"')
        else:
            ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
            _add_validation(sheet, column, ref)


def template_workbook() -> bytes:
    """The template as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "Danh sách"
    sheet.append([f"{LABELS[column]} ({column})" for column in COLUMNS])
    sheet.append([EXAMPLE.get(column) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        width = max(14, len(LABELS[column]) + len(column) + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width
        if column in ("issued_on", "decision_date"):
            sheet.cell(row=2, column=index).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    _write_lists(workbook, sheet)
    guide = workbook.create_sheet("Hướng dẫn")
    for line in GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
