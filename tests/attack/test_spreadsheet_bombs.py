"""Crafted spreadsheets are refused early, by name and limit, within bounded memory and time.

Every file here is built part by part (tests/attack/xlsx_parts.py): cell bombs, a cell larger
than Excel allows, archives that unpack to far more than they weigh or lie about it, DTDs
(entity expansion, external entities), broken XML, truncated zips and text in the wrong
encoding. Each must end as a SpreadsheetError whose message names the file, never another
exception (which the web layer would answer with a 500).
"""

from __future__ import annotations

import resource
import time
import zipfile
from pathlib import Path

import pytest

from app.files import xlsx_guard
from app.files.sandbox import ProcessLimits, SandboxFailure, run_limited
from app.files.spreadsheet import MAX_CELL_CHARS, SpreadsheetError, read_spreadsheet
from tests.attack.xlsx_parts import (
    LAUGHS,
    XXE,
    big_cell,
    cell_bomb,
    lie_about_size,
    sheet_xml,
    valid_rows,
    write_parts,
)


def _refused(path: Path, fragment: str) -> str:
    """The message of reading `path`, which must be refused with `fragment` and the file's name."""
    with pytest.raises(SpreadsheetError) as info:
        read_spreadsheet(path, name="danh-sach-cua-so.xlsx")
    message = info.value.message
    assert fragment in message and "danh-sach-cua-so.xlsx" in message, message
    return message


def test_a_hand_built_workbook_is_read(tmp_path: Path) -> None:
    rows = read_spreadsheet(write_parts(tmp_path / "ok.xlsx")).rows
    assert [r.values["product_name"] for r in rows] == ["Nước mắm Nam Ô"]


def test_cell_bomb_is_refused_by_cell_count_quickly(tmp_path: Path) -> None:
    path = cell_bomb(tmp_path / "bom.xlsx", xlsx_guard.MAX_CELLS + 1)
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    _refused(path, "hơn 800.000 ô")
    assert time.perf_counter() - started < 10


def test_unpacked_size_declared_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    rows = valid_rows()
    rows[1][0] = "x" * (xlsx_guard.MAX_UNPACKED_BYTES + 1)
    path = write_parts(tmp_path / "bom.xlsx", sheet=sheet_xml(rows))
    assert path.stat().st_size < 1_000_000
    _refused(path, "khi giải nén lớn hơn 100 MB")


def test_a_size_header_that_lies_is_caught_while_unpacking(tmp_path: Path) -> None:
    path = lie_about_size(big_cell(tmp_path / "noi-doi.xlsx", 2_000_000), "xl/worksheets/sheet1.xml", 4_000)
    assert sum(info.file_size for info in zipfile.ZipFile(path).infolist()) < 10_000
    _refused(path, "tệp hỏng")


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path: Path) -> None:
    _refused(big_cell(tmp_path / "o-dai.xlsx", MAX_CELL_CHARS + 1), "dài hơn 32.767 ký tự")


def test_too_many_archive_entries_are_refused(tmp_path: Path) -> None:
    extra: dict[str, str | bytes] = {f"xl/media/anh{n}.bin": b"" for n in range(xlsx_guard.MAX_XLSX_ENTRIES)}
    _refused(write_parts(tmp_path / "nhieu.xlsx", extra=extra), "thành phần nén")


@pytest.mark.parametrize(
    ("part", "content"),
    [("xl/worksheets/sheet1.xml", sheet_xml([["&lol9;"]], prolog=LAUGHS)),
     ("xl/worksheets/sheet1.xml", sheet_xml([["&xxe;"]], prolog=XXE)),
     ("xl/workbook.xml", f'<?xml version="1.0"?>{XXE}<workbook>&xxe;</workbook>'),
     ("xl/sharedStrings.xml", f'<?xml version="1.0"?>{LAUGHS}<sst><si><t>&lol9;</t></si></sst>')],
)
def test_dtds_are_refused_before_any_parser_expands_them(tmp_path: Path, part: str, content: str) -> None:
    path = write_parts(tmp_path / "dtd.xlsx", replace={part: content})
    assert "DOCTYPE" in _refused(path, part)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml",
                                  "xl/styles.xml"])
def test_broken_xml_in_any_part_is_a_clear_refusal(tmp_path: Path, part: str) -> None:
    path = write_parts(tmp_path / "hong.xlsx", replace={part: '<?xml version="1.0"?><worksheet><row>'})
    _refused(path, "không phải XML hợp lệ")


def test_xml_openpyxl_rejects_after_the_guard_is_a_clear_refusal(tmp_path: Path) -> None:
    # Well-formed XML, but a workbook part openpyxl cannot use: a refusal, never an exception.
    path = write_parts(tmp_path / "la.xlsx", replace={"xl/workbook.xml": "<workbook/>"})
    _refused(path, "Hãy mở tệp")


def test_truncated_zip_and_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    whole = write_parts(tmp_path / "day-du.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    _refused(cut, "tệp hỏng")
    other = tmp_path / "khac.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("ghi-chu.txt", "xin chào")
    _refused(other, "Excel")


@pytest.mark.parametrize(
    "data",
    ["Tên sản phẩm;Cấp\nMắm;tỉnh\n".encode("cp1258", errors="replace"),
     b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
     "Tên sản phẩm\n".encode("utf-16")],
)
def test_csv_in_a_wrong_encoding_or_binary_names_the_file_and_what_to_do(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(data)
    with pytest.raises(SpreadsheetError) as info:
        read_spreadsheet(path, name="danh-sach-cua-so.csv")
    assert "danh-sach-cua-so.csv" in info.value.message and "CSV UTF-8" in info.value.message


def test_csv_with_an_endless_cell_gives_a_vietnamese_message(tmp_path: Path) -> None:
    path = tmp_path / "o-dai.csv"
    path.write_text("product_name\n\"" + "a" * 200_000 + "\"\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError) as info:
        read_spreadsheet(path)
    assert "o-dai.csv" in info.value.message and "field" not in info.value.message


def allocate_gigabytes(count: int) -> int:
    """A child target that allocates `count` GB."""
    return len(bytearray(count * 1024 * 1024 * 1024))


def spin_forever() -> None:
    """A child target that never ends."""
    while True:
        pass


def test_the_parser_child_is_bounded_in_memory_and_time() -> None:
    limits = ProcessLimits(memory_bytes=512 * 1024 * 1024, cpu_seconds=1, wall_seconds=20)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB; whatever earlier tests reached
    with pytest.raises(SandboxFailure) as memory:
        run_limited(allocate_gigabytes, 2, limits=limits)
    assert memory.value.reason == "memory"
    started = time.perf_counter()
    with pytest.raises(SandboxFailure) as cpu:
        run_limited(spin_forever, limits=limits)
    assert cpu.value.reason == "time" and time.perf_counter() - started < 15
    with pytest.raises(SandboxFailure) as wall:
        run_limited(time.sleep, 30, limits=ProcessLimits(512 * 1024 * 1024, 1, wall_seconds=1))
    assert wall.value.reason == "time"
    # The 2 GB were the child's: this process's peak grew by far less (an absolute bound would depend on
    # what the earlier tests of the same worker allocated).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 256 * 1024
