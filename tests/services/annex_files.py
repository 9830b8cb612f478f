"""Write a winners list laid out as a decision annex, with real writers: .xls (xlwt), .ods (odfpy), .docx.

The layout is what Departments of Industry and Trade publish: title rows merged across the
table, a blank row, the header (with STT), a group sub-header row, data rows with Vietnamese
diacritics, a date and numbers, and a footnote row below.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

TITLES = ("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG",
          "DANH SÁCH SẢN PHẨM CÔNG NGHIỆP NÔNG THÔN TIÊU BIỂU CẤP TỈNH NĂM 2023",
          "(Kèm theo Quyết định số 123/QĐ-UBND ngày 15/12/2023)")
HEADER = ("STT", "Tên sản phẩm", "Tên cơ sở / chủ cơ sở", "Nhóm sản phẩm", "Ngày cấp", "Điện thoại", "Điểm")
GROUP = "I. Nhóm thủ công mỹ nghệ"
DATA = ((1, "Nón lá làng Chuông", "Cơ sở Nguyễn Thị Hường", "Thủ công mỹ nghệ", date(2023, 12, 15),
         912345678, 85.5),
        (2, "Mây tre đan Phú Vinh", "HTX Mây tre đan Phú Vinh", "Thủ công mỹ nghệ", date(2023, 12, 15),
         2043856789, 72))
FOOTNOTE = "Danh sách gồm 02 sản phẩm./."
WIDTH = len(HEADER)


def _spread(text: str) -> tuple[object, ...]:
    """A row merged across the table: the text in its first cell, None in the others."""
    return (text,) + (None,) * (WIDTH - 1)


# What a spreadsheet reader must give for the annex: dates as dates, whole numbers as int.
EXPECTED: list[tuple[object, ...]] = [
    *(_spread(title) for title in TITLES), (None,) * WIDTH, HEADER, _spread(GROUP), *DATA, _spread(FOOTNOTE),
]


def write_xls(path: Path) -> Path:
    """The annex as a BIFF8 .xls on a sheet 'Phụ lục', then a second sheet of notes."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Phụ lục")
    day = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for number, title in enumerate(TITLES):
        sheet.write_merge(number, number, 0, WIDTH - 1, title)
    for column, text in enumerate(HEADER):
        sheet.write(4, column, text)
    sheet.write_merge(5, 5, 0, WIDTH - 1, GROUP)
    for number, values in enumerate(DATA, start=6):
        for column, value in enumerate(values):
            if isinstance(value, date):
                sheet.write(number, column, value, day)
            else:  # numbers go in as floats, as Excel stores them: 912345678.0
                sheet.write(number, column, float(value) if isinstance(value, int) else value)
    sheet.write_merge(8, 8, 0, WIDTH - 1, FOOTNOTE)
    book.add_sheet("Ghi chú").write(0, 0, "Số liệu của Sở Công Thương")
    book.save(str(path))
    return path


def _ods_cell(value: object) -> TableCell:
    """One filled .ods cell with its OpenDocument value type."""
    if isinstance(value, date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value)
        text = str(value)
    else:
        cell = TableCell(valuetype="string")
        text = str(value)
    cell.addElement(P(text=text))
    return cell


def _ods_row(table: Table, cells: list[TableCell | CoveredTableCell]) -> None:
    """Append a row of cells."""
    row = TableRow()
    for cell in cells:
        row.addElement(cell)
    table.addElement(row)


def _ods_merged(table: Table, text: str) -> None:
    """A row whose one cell spans the table, as LibreOffice writes a merge."""
    first = TableCell(valuetype="string", numbercolumnsspanned=WIDTH)
    first.addElement(P(text=text))
    _ods_row(table, [first, CoveredTableCell(numbercolumnsrepeated=WIDTH - 1)])


def write_ods(path: Path, *, extra_rows: list[list[object]] | None = None) -> Path:
    """The annex as an OpenDocument spreadsheet; `extra_rows` are appended below the footnote."""
    document = OpenDocumentSpreadsheet()
    table = Table(name="Phụ lục")
    for title in TITLES:
        _ods_merged(table, title)
    _ods_row(table, [TableCell(numbercolumnsrepeated=WIDTH)])
    _ods_row(table, [_ods_cell(text) for text in HEADER])
    _ods_merged(table, GROUP)
    for values in DATA:
        _ods_row(table, [_ods_cell(value) for value in values])
    _ods_merged(table, FOOTNOTE)
    for values in extra_rows or []:
        _ods_row(table, [_ods_cell(value) for value in values])
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def write_docx(path: Path) -> Path:
    """A decision annex in Word: paragraphs, the winners table (merged title, a producer merged
    over two rows, a nested table), a paragraph, a second table, a closing paragraph."""
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG")
    document.add_paragraph("Phụ lục kèm theo Quyết định số 123/QĐ-UBND ngày 15/12/2023")
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "DANH SÁCH SẢN PHẨM CNNT TIÊU BIỂU"
    for column, text in enumerate(("STT", "Tên sản phẩm", "Tên cơ sở", "Ngày cấp")):
        table.cell(1, column).text = text
    for number, (product, day) in enumerate((("Nón lá làng Chuông", "15/12/2023"),
                                              ("Nón quai thao", "15/12/2023")), start=2):
        table.cell(number, 0).text = str(number - 1)
        table.cell(number, 1).text = product
        table.cell(number, 3).text = day
    producer = table.cell(2, 2).merge(table.cell(3, 2))
    producer.text = "Cơ sở Nguyễn Thị Hường"
    producer.add_paragraph("thôn Chuông, xã Phương Trung")
    table.cell(3, 3).add_table(rows=1, cols=1).cell(0, 0).text = "bảng lồng, bỏ qua"
    document.add_paragraph("Ghi chú: danh sách gồm 02 sản phẩm.")
    second = document.add_table(rows=2, cols=2)
    second.cell(0, 0).text, second.cell(0, 1).text = "STT", "Tên sản phẩm"
    second.cell(1, 0).text, second.cell(1, 1).text = "1", "Mỳ Chũ"
    document.add_paragraph("GIÁM ĐỐC")
    document.save(str(path))
    return path


DOCX_EXPECTED = [
    [("DANH SÁCH SẢN PHẨM CNNT TIÊU BIỂU", None, None, None),
     ("STT", "Tên sản phẩm", "Tên cơ sở", "Ngày cấp"),
     ("1", "Nón lá làng Chuông", "Cơ sở Nguyễn Thị Hường\nthôn Chuông, xã Phương Trung", "15/12/2023"),
     ("2", "Nón quai thao", None, "15/12/2023")],
    [("STT", "Tên sản phẩm"), ("1", "Mỳ Chũ")],
]
