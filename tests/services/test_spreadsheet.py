"""Reading winners spreadsheets: formats, headers, and one clear message for a bad file."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.files import sheet_limits, spreadsheet
from app.files.openpyxl_tuning import PlainText, size_until_data
from app.files.spreadsheet import SpreadsheetError, column_for_header, read_spreadsheet
from tests.services.sheets import HEADERS, row, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("header", "column"),
    [("Số giấy chứng nhận", "certificate_number"), ("Số GCN", "certificate_number"), ("Cấp", "level"),
     ("Ngày cấp", "issued_on"), ("Số quyết định", "decision_number"), ("Ngày quyết định", "decision_date"),
     ("Khu vực", "region"), ("Tỉnh", "province"), ("Tỉnh/Thành phố", "province"),
     ("Tên sản phẩm", "product_name"), ("Nhóm sản phẩm", "product_group"), ("Mô tả", "description"),
     ("Tên cơ sở", "producer_name"), ("Cơ sở sản xuất", "producer_name"), ("Loại hình", "legal_form"),
     ("Địa chỉ", "address"), ("Điện thoại", "phone"), ("Email", "email"), ("Website", "website"),
     ("Điểm", "score"), ("Hình ảnh", "images"), ("PRODUCT_NAME", "product_name"), ("issued on", "issued_on")],
)
def test_header_aliases(header: str, column: str) -> None:
    assert column_for_header(header) == column


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True), (",", True)])
def test_csv_variants(tmp_path: Path, delimiter: str, bom: bool) -> None:
    data = [row(description="dòng 1, còn tiếp\ndòng 2"), row()]
    rows = read_spreadsheet(write_csv(tmp_path / "w.csv", data, delimiter=delimiter, bom=bom)).rows
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].values["product_name"] == "Mỳ Chũ" and rows[0].values["description"].endswith("dòng 2")


def test_xlsx_keeps_cell_types_and_skips_blank_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", [row(issued_on=datetime(2023, 12, 15), score=90), {}, row()])
    rows = read_spreadsheet(path).rows
    assert [r.number for r in rows] == [2, 4]
    assert rows[0].values["issued_on"] == datetime(2023, 12, 15) and rows[0].values["score"] == 90


def test_xlsx_with_or_without_a_dimension_reads_the_same(tmp_path: Path) -> None:
    """The dimension is found before the rows (not by parsing the sheet twice), or not at all."""
    from openpyxl import Workbook, load_workbook

    data = [row(product_name=f"Mỳ Chũ {n}") for n in range(5)]
    with_dimension = write_xlsx(tmp_path / "w.xlsx", data)
    workbook = Workbook(write_only=True)  # writes no <dimension>
    sheet = workbook.create_sheet()
    sheet.append(list(HEADERS))
    for values in data:
        sheet.append([values.get(h) for h in HEADERS])
    workbook.save(tmp_path / "streamed.xlsx")
    assert read_spreadsheet(with_dimension) == read_spreadsheet(tmp_path / "streamed.xlsx")
    for path, size in ((with_dimension, (1, 1, 18, 6)), (tmp_path / "streamed.xlsx", (1, 1, None, None))):
        opened = load_workbook(path, read_only=True)
        sheet = opened.worksheets[0]
        sheet._min_column = sheet._min_row = 1
        sheet._max_column = sheet._max_row = None
        size_until_data(sheet)
        assert (sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row) == size
        opened.close()


@pytest.mark.parametrize("xml", [
    "<t>Mỳ Chũ</t>", "<t/>", '<t xml:space="preserve"> Mỳ  Chũ </t>', "<t>a</t><t>b</t>",
    "<r><t>Mỳ </t></r><r><rPr><b/></rPr><t>Chũ</t></r>", "<t>Mỳ</t><rPh sb=\"0\" eb=\"1\"><t>m</t></rPh>",
    "", "<r><t/></r>",
])
def test_plain_text_shortcut_gives_openpyxl_s_text(xml: str) -> None:
    from openpyxl.cell.text import Text
    from openpyxl.xml.functions import fromstring

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    for attributes in ("", ' count="1"'):
        node = fromstring(f'<si xmlns="{main}"{attributes}>{xml}</si>')
        try:
            expected: object = Text.from_tree(node).content
        except TypeError as refused:  # an attribute openpyxl does not know: the file is refused
            expected = type(refused)
        try:
            got: object = PlainText.from_tree(node).content
        except TypeError as refused:
            got = type(refused)
        assert got == expected


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "xin chào")


@pytest.mark.parametrize(
    ("name", "make", "fragment"),
    [
        ("w.xlsx", lambda p: p.write_bytes(b"\x00\x01garbage" * 50), "Excel"),
        ("w.xlsx", lambda p: p.write_bytes(b"PK\x03\x04broken zip"), "Excel"),
        ("w.xlsx", _zip_without_workbook, "Excel"),
        ("w.xlsx", lambda p: p.write_text("a,b\n1,2\n"), "Excel"),
        ("w.csv", lambda p: p.write_bytes(b""), "trống"),
        ("w.csv", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"), "không phải tệp CSV"),
        ("w.csv", lambda p: p.write_bytes("Tên sản phẩm\n".encode("utf-16")), "không phải tệp CSV"),
        ("w.csv", lambda p: p.write_bytes(b"T\xean;C\xe2p\n"), "UTF-8"),
        ("w.csv", lambda p: p.write_text(",".join(spreadsheet.REQUIRED_COLUMNS) + "\n"), "không có dòng"),
        ("w.txt", lambda p: p.write_text("x"), ".xlsx, .csv, .xls, .ods hoặc .docx"),
        ("w.csv", lambda p: p.write_text("Màu sắc,Cân nặng\nđỏ,3\n"), "Không tìm thấy dòng tên cột"),
    ],
)
def test_bad_files_give_one_clear_message(tmp_path: Path, name: str, make: object, fragment: str) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    with pytest.raises(SpreadsheetError) as info:
        read_spreadsheet(path)
    assert fragment in info.value.message


def test_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    with pytest.raises(SpreadsheetError, match="quá 3 dòng"):
        read_spreadsheet(write_csv(tmp_path / "w.csv", [row()] * 4))
    monkeypatch.setattr(sheet_limits, "MAX_FILE_BYTES", 10)  # one size check for every format
    with pytest.raises(SpreadsheetError, match="lớn hơn"):
        read_spreadsheet(write_csv(tmp_path / "w2.csv", [row()]))


def test_cell_limit_counts_cells_not_the_readers_padding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_CELLS", 30)
    header = (*spreadsheet.REQUIRED_COLUMNS, *([None] * 54))  # openpyxl pads rows to MAX_COLUMNS
    data = tuple(f"x{n}" for n in range(len(spreadsheet.REQUIRED_COLUMNS))) + (None,) * 54
    table, counted = spreadsheet.bounded_table([header, data, data])
    assert len(table) == 3 and counted == 18 and len(table[1]) == len(spreadsheet.REQUIRED_COLUMNS)
    with pytest.raises(SpreadsheetError, match="hơn 30 ô"):
        spreadsheet.bounded_table([header, *([data] * 5)])


def test_unknown_and_repeated_headers_are_warnings_naming_the_column(tmp_path: Path) -> None:
    headers = ("STT", "Tên sản phẩm", "Màu sắc", "Cấp", "Cấp", "Tên cơ sở")
    cells = {"STT": "1", "Tên sản phẩm": "Mỳ Chũ", "Màu sắc": "vàng", "Cấp": "tỉnh",
             "Tên cơ sở": "HTX Mỳ Chũ"}
    path = write_csv(tmp_path / "w.csv", [cells], headers=headers)
    sheet = read_spreadsheet(path)
    assert [r.values for r in sheet.rows] == [{"product_name": "Mỳ Chũ", "level": "tỉnh",
                                               "producer_name": "HTX Mỳ Chũ"}]
    warnings = [note.message for note in sheet.notes if note.warning]
    assert warnings == ["Cột C – 'Màu sắc' không dùng, bỏ qua.",
                        "Cột E – 'Cấp' trùng nội dung với cột D – Cấp, bỏ qua."]
    assert not any("STT" in note.message for note in sheet.notes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), prefix=st.sampled_from([b"", b"PK\x03\x04", "cấp;".encode()]),
       suffix=st.sampled_from([".xlsx", ".csv"]))
def test_garbage_never_gives_a_traceback(tmp_path: Path, data: bytes, prefix: bytes, suffix: str) -> None:
    path = tmp_path / f"rac{suffix}"
    path.write_bytes(prefix + data)
    try:
        read_spreadsheet(path)
    except SpreadsheetError as exc:
        assert exc.message
