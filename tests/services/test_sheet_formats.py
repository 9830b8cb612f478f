"""Reading .xls, .ods and .docx winners lists: annex layouts as rows, and a clear refusal for a bad file.

Every file is written by a real writer (xlwt for BIFF8 .xls, odfpy for .ods, python-docx) or
built from one by changing its bytes, and read by the real readers, in the limited child
where the test is about it.
"""

from __future__ import annotations

import resource
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import xlwt

from app.files.sandbox import ProcessLimits, SandboxFailure
from app.files.sheet_errors import SpreadsheetError
from app.files.sheet_formats import (
    MAX_TABLE_ROWS,
    calamine_tables,
    docx_tables,
    read_tables_limited,
    reader_for,
)
from app.files.sheet_sandbox import sandbox_refusal
from app.files.spreadsheet import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, XLSX_LIMITS
from app.files.xlsx_guard import MAX_UNPACKED_BYTES
from tests.attack.xlsx_parts import LAUGHS
from tests.services.annex_files import DOCX_EXPECTED, EXPECTED, write_docx, write_ods, write_xls
from tests.services.sheets import row, write_xlsx

WRITERS = {".xls": write_xls, ".ods": write_ods, ".docx": write_docx}


def _refused(path: Path, *fragments: str, name: str | None = None) -> str:
    """The refusal of `path` read by its reader in the child: it names the file and says `fragments`."""
    name = name or f"danh-sach-cua-so{path.suffix}"
    reader = reader_for(path.suffix)
    assert reader is not None
    with pytest.raises(SpreadsheetError) as info:
        read_tables_limited(reader, path, name)
    message = info.value.message
    assert name in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_an_xls_annex_reads_as_openpyxl_would_give_it(tmp_path: Path) -> None:
    tables = read_tables_limited(calamine_tables, write_xls(tmp_path / "phu-luc.xls"), "phu-luc.xls")
    assert tables == [EXPECTED, [("Số liệu của Sở Công Thương",)]]
    phone = tables[0][6][5]
    assert phone == 912345678 and type(phone) is int  # stored as 912345678.0 in the file


def test_an_ods_annex_reads_the_same(tmp_path: Path) -> None:
    tables = read_tables_limited(calamine_tables, write_ods(tmp_path / "phu-luc.ods"), "phu-luc.ods")
    assert tables == [EXPECTED]
    assert [type(value) for value in tables[0][6][4:]] == [type(EXPECTED[6][4]), int, float]


def test_the_tables_of_a_word_annex_in_order_with_merged_cells_once(tmp_path: Path) -> None:
    tables = read_tables_limited(docx_tables, write_docx(tmp_path / "phu-luc.docx"), "phu-luc.docx")
    assert tables == DOCX_EXPECTED
    flat = [value for table in tables for line in table for value in line]
    assert "bảng lồng, bỏ qua" not in flat and "GIÁM ĐỐC" not in flat  # nested table and paragraphs left out


def test_values_hidden_under_an_xls_merge_are_not_read(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Trang 1", cell_overwrite_ok=True)
    sheet.merge(0, 1, 0, 2)
    for column, text in enumerate(("Tên sản phẩm", "cũ", "cũ nữa")):  # a writer may keep cells under a merge
        sheet.write(0, column, text)
    sheet.write(1, 0, "Chè Tân Cương")
    book.save(str(tmp_path / "gop.xls"))
    assert calamine_tables(tmp_path / "gop.xls", "gop.xls") == [[("Tên sản phẩm", None, None)]]


def test_a_word_row_is_cut_at_the_column_limit_and_padded_to_a_rectangle(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(1, 0).text = "STT", "Tên sản phẩm", "1"
    table.cell(1, 1)._tc.grid_span = 1_000_000  # a crafted span must not become a million None
    table.rows[0]._tr.get_or_add_trPr()._add_gridBefore(val=2)
    document.save(str(tmp_path / "rong.docx"))
    rows = docx_tables(tmp_path / "rong.docx", "rong.docx")[0]
    assert [len(line) for line in rows] == [MAX_COLUMNS, MAX_COLUMNS]
    assert rows[0][:4] == (None, None, "STT", "Tên sản phẩm") and rows[1][:2] == ("1", None)


def test_columns_past_the_limit_are_left_out_as_the_xlsx_reader_does(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("Trang 1").write(0, MAX_COLUMNS + 5, "ghi chú ngoài bảng")
    book.get_sheet(0).write(0, 0, "Tên sản phẩm")
    book.save(str(tmp_path / "rong.xls"))
    tables = calamine_tables(tmp_path / "rong.xls", "rong.xls")
    assert tables == [[("Tên sản phẩm",) + (None,) * (MAX_COLUMNS - 1)]]


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".docx"])
def test_an_empty_file_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"trong{suffix}"
    path.write_bytes(b"")
    _refused(path, "trống")


def test_a_workbook_or_document_without_data_is_refused(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    book.add_sheet("Trang 1")
    book.save(str(tmp_path / "trong.xls"))
    _refused(tmp_path / "trong.xls", "không có dữ liệu", "trống")
    document = docx.Document()
    document.add_paragraph("Danh sách sẽ bổ sung sau.")
    document.save(str(tmp_path / "khong-bang.docx"))
    _refused(tmp_path / "khong-bang.docx", "không có bảng")


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".docx"])
def test_a_truncated_file_is_refused_with_what_to_do(tmp_path: Path, suffix: str) -> None:
    whole = WRITERS[suffix](tmp_path / f"du{suffix}").read_bytes()
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(whole[: len(whole) // 2])
    _refused(path, "hỏng", "lưu lại dạng")


@pytest.mark.parametrize("suffix", [".ods", ".docx"])
def test_a_zip_bomb_is_refused_before_parsing(tmp_path: Path, suffix: str) -> None:
    path = WRITERS[suffix](tmp_path / f"bom{suffix}")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("Pictures/bom.bin", "w", force_zip64=True) as stream:
        zeros = bytes(1024 * 1024)
        for _ in range(MAX_UNPACKED_BYTES // len(zeros) + 1):
            stream.write(zeros)
    assert path.stat().st_size < 1_000_000
    _refused(path, "khi giải nén lớn hơn 100 MB")


def test_an_ods_cell_bomb_made_of_repeats_is_refused(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "lap.ods")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    repeated = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
                b'table:number-columns-repeated="1000" office:value-type="float" office:value="1">'
                b"<text:p>1</text:p></table:table-cell></table:table-row></table:table>")
    parts["content.xml"] = parts["content.xml"].replace(b"</table:table>", repeated, 1)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    _refused(path, "hơn 800.000 ô")


def test_an_entity_bomb_in_a_word_document_is_refused(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "bom.docx")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    body = parts["word/document.xml"].decode()
    declaration, rest = body.split("?>", 1)
    parts["word/document.xml"] = (declaration + "?>" + LAUGHS + rest.replace("Mỳ Chũ", "&lol9;")).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    _refused(path, "DOCTYPE", "word/document.xml")


@pytest.mark.parametrize(
    ("content", "said"),
    [(b"<html><head><meta charset='utf-8'></head><body><table><tr><td>STT</td></tr></table></body></html>",
      "trang web"),
     ("\ufeffSTT;Tên sản phẩm\n1;Chè Tân Cương\n".encode(), "văn bản thuần"),
     (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "chương trình")],
)
def test_an_xls_that_is_really_something_else_says_what_to_do(tmp_path: Path, content: bytes,
                                                               said: str) -> None:
    path = tmp_path / "xuat-tu-web.xls"
    path.write_bytes(content)
    _refused(path, said, "Hãy mở tệp danh-sach-cua-so.xls bằng Excel", "lưu lại dạng .xlsx")


def test_an_xlsx_or_an_old_doc_under_another_suffix_is_refused(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "that.xlsx", [row()])
    for suffix in (".ods", ".docx"):
        shutil.copy(xlsx, tmp_path / f"doi-ten{suffix}")
        _refused(tmp_path / f"doi-ten{suffix}", "không phải")
    shutil.copy(write_xls(tmp_path / "cu.xls"), tmp_path / "cu.docx")  # an OLE2 file, as a .doc is
    _refused(tmp_path / "cu.docx", "tệp Office cũ", "lưu lại dạng .docx")


def test_a_file_over_the_upload_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "lon.xls"
    with path.open("wb") as stream:
        stream.write(bytes.fromhex("D0CF11E0A1B11AE1"))
        stream.truncate(MAX_FILE_BYTES + 1)
    _refused(path, "lớn hơn 10 MB")


def test_a_sheet_longer_than_the_row_limit_is_refused(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Trang 1")
    sheet.write(0, 0, "STT")
    sheet.write(MAX_TABLE_ROWS, 0, "dòng thừa")
    book.save(str(tmp_path / "dai.xls"))
    _refused(tmp_path / "dai.xls", "trang tính 'Trang 1' có quá 20.200 dòng")


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path: Path) -> None:
    _refused(write_ods(tmp_path / "o-dai.ods", extra_rows=[["x" * (MAX_CELL_CHARS + 1)]]),
             "dòng 10 của trang tính 'Phụ lục'", "dài hơn 32.767 ký tự")
    document = docx.Document()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "x" * (MAX_CELL_CHARS + 1)
    document.save(str(tmp_path / "o-dai.docx"))
    _refused(tmp_path / "o-dai.docx", "dòng 1 của bảng thứ 1", "dài hơn 32.767 ký tự")


def test_a_reader_that_runs_out_of_memory_gives_a_clear_refusal(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    for number in range(3):  # 65,536 x 256 cells each once calamine fills the range: gigabytes
        sheet = book.add_sheet(f"Trang {number + 1}")
        sheet.write(0, 0, "STT")
        sheet.write(65_535, 255, "góc cuối")
    book.save(str(tmp_path / "day.xls"))
    assert (tmp_path / "day.xls").stat().st_size < 100_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB; whatever earlier tests reached
    _refused(tmp_path / "day.xls", "quá lớn cho một danh sách", "chia thành nhiều tệp")
    # The gigabytes were the child's: this process's peak grew by far less than the file expands to.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 256 * 1024


def test_a_reader_past_its_deadline_gives_a_clear_refusal(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "cham.ods")
    with pytest.raises(SpreadsheetError) as info:
        read_tables_limited(calamine_tables, path, "cham.ods",
                            limits=ProcessLimits(XLSX_LIMITS.memory_bytes, cpu_seconds=30, wall_seconds=0))
    assert info.value.message.startswith("Đọc tệp cham.ods mất quá 30 giây")


@pytest.mark.parametrize(("reason", "said"), [("memory", "cần hơn 1024 MB bộ nhớ"),
                                              ("time", "mất quá 30 giây"), ("crash", "Không đọc được tệp")])
def test_each_limit_is_named_in_the_refusal(reason: str, said: str) -> None:
    message = sandbox_refusal(SandboxFailure(reason), "phu-luc.xls", XLSX_LIMITS).message  # type: ignore[arg-type]
    assert said in message and "phu-luc.xls" in message and "chia thành nhiều tệp" in message


def test_only_the_three_formats_have_a_reader() -> None:
    assert reader_for(".XLS") is calamine_tables and reader_for(".ods") is calamine_tables
    assert reader_for(".docx") is docx_tables
    assert reader_for(".xlsx") is None and reader_for(".doc") is None
