"""Refuse a crafted .xlsx (or .ods, .docx) before a parser reads it: zip bombs, cell bombs, DTDs, broken XML.

An .xlsx is a zip of XML parts. The upload limit counts compressed bytes only, and a 1 MB
file can unpack to gigabytes, so the archive is checked first: its entry count, the sizes it
declares, then the bytes it really unpacks to, read in chunks and counted (a lying header
cannot get more out of zipfile than it declares, and a wrong CRC ends the read as a broken
file). Every XML part streams through expat to count cells and to refuse a DOCTYPE (an
.xlsx never has one; refusing it stops entity expansion and external entities before any
parser sees them). Only then does openpyxl read the sheet, in a limited child process.

OpenDocument spreadsheets and Word annexes are zips of XML parts too: `check_archive` runs
the same checks with an `ArchiveKind` that names the format in messages and says how its
cells are counted (app.files.sheet_formats defines the .ods and .docx kinds).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from app.files.sheet_errors import SpreadsheetError, thousands

# An .xlsx saved by Excel, LibreOffice or Google Sheets has 10 to 30 parts; a few sheets,
# drawings and printer settings stay well under 200. Thousands of entries only cost us time.
MAX_XLSX_ENTRIES = 200
# A real office list (a few hundred to a few thousand rows) unpacks to 1-3 MB; 20,000 rows of
# 18 columns (the row limit) to about 30 MB as openpyxl writes it (inline strings). 100 MB
# leaves room for a heavier writer without letting a bomb fill memory.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# 20,000 rows x 18 columns is 360,000 cells; 40 columns leaves room for an office's own notes.
MAX_CELLS = 20_000 * 40
_CHUNK = 256 * 1024


# How many cells one start tag of a cell-holding part adds; made fresh for each part (it may keep state).
CellCounter = Callable[[str, dict[str, str]], int]


def count_xlsx_cells() -> CellCounter:
    """A worksheet's cells: one per <c> element, any prefix."""
    def count(tag: str, _attributes: dict[str, str]) -> int:
        """1 for a cell element."""
        return 1 if tag == "c" or tag.endswith(":c") else 0
    return count


@dataclass(frozen=True, slots=True)
class ArchiveKind:
    """What differs between the zipped formats: the words of messages and where and how cells are counted."""

    label: str  # "Excel": "a file that Excel never has"
    suffix: str  # ".xlsx": "not a .xlsx file"
    hint: str  # what to do with a file we cannot read; "{name}" is the file
    cell_parts: tuple[str, ...]  # parts whose name starts with one of these hold the cells
    counter: Callable[[], CellCounter]

    def resave_hint(self, name: str) -> str:
        """What to do with a file of this kind that we cannot read."""
        return self.hint.format(name=name)


def _mb(size: int) -> str:
    """Bytes as whole megabytes for a message."""
    return f"{size // (1024 * 1024)} MB"


XLSX = ArchiveKind(label="Excel", suffix=".xlsx",
                   hint="Hãy mở tệp {name} bằng Excel (hoặc LibreOffice) và lưu lại dạng .xlsx "
                        "rồi tải lên lại.",
                   cell_parts=("xl/worksheets/",), counter=count_xlsx_cells)


def too_big(name: str) -> SpreadsheetError:
    """The unpacked-size refusal, shared by the declared and the actual check."""
    return SpreadsheetError(f"Tệp {name} khi giải nén lớn hơn {_mb(MAX_UNPACKED_BYTES)} (giới hạn của một "
                            "danh sách). Hãy xoá các trang tính, ảnh không cần, hoặc chia thành nhiều tệp.")


class _Scan:
    """Running totals over the whole archive: bytes unpacked and worksheet cells."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.unpacked = 0
        self.cells = 0

    def count_bytes(self, size: int) -> None:
        """Add unpacked bytes; refuse past the limit."""
        self.unpacked += size
        if self.unpacked > MAX_UNPACKED_BYTES:
            raise too_big(self.name)

    def count_cells(self, count: int) -> None:
        """Add cells; refuse past the limit."""
        if count:
            self.cells += count
            if self.cells > MAX_CELLS:
                raise SpreadsheetError(f"Tệp {self.name} có hơn {thousands(MAX_CELLS)} ô (giới hạn của một "
                                       "danh sách). Hãy chỉ giữ các cột của mẫu danh sách, hoặc chia thành "
                                       "nhiều tệp.")


def _scan_xml(stream: IO[bytes], part: str, scan: _Scan, kind: ArchiveKind) -> None:
    """Stream one XML part through expat: count bytes (and cells in cell parts), refuse any DOCTYPE."""
    shown = part[:80]

    def refuse_doctype(*_args: object) -> None:
        """A DTD has no place in these formats: it is how entity bombs and external entities get in."""
        raise SpreadsheetError(f"Tệp {scan.name} chứa khai báo DOCTYPE trong phần {shown}, điều mà tệp "
                               f"{kind.label} không bao giờ có. {kind.resave_hint(scan.name)}")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse_doctype
    if part.startswith(kind.cell_parts):
        counter = kind.counter()

        def count_cells(tag: str, attributes: dict[str, str]) -> None:
            """expat start-element handler of cell parts."""
            scan.count_cells(counter(tag, attributes))

        parser.StartElementHandler = count_cells
    try:
        while chunk := stream.read(_CHUNK):
            scan.count_bytes(len(chunk))
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise SpreadsheetError(f"Tệp {scan.name} bị hỏng: phần {shown} không phải XML hợp lệ "
                               f"({expat.ErrorString(error.code)}). {kind.resave_hint(scan.name)}") from None


def _drain(stream: IO[bytes], scan: _Scan) -> None:
    """Unpack a non-XML part (an image, a binary part) only to count its bytes."""
    while chunk := stream.read(_CHUNK):
        scan.count_bytes(len(chunk))


def _check_listing(infos: list[zipfile.ZipInfo], name: str, kind: ArchiveKind) -> None:
    """Refuse on what the archive declares: too many entries, too many bytes once unpacked."""
    if len(infos) > MAX_XLSX_ENTRIES:
        raise SpreadsheetError(f"Tệp {name} có {thousands(len(infos))} thành phần nén, quá giới hạn "
                               f"{MAX_XLSX_ENTRIES} của một bảng tính. {kind.resave_hint(name)}")
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise too_big(name)


def check_xlsx_archive(path: Path, name: str) -> None:
    """SpreadsheetError naming `name` and the limit when the .xlsx archive is a bomb or is broken."""
    check_archive(path, name, XLSX)


def check_archive(path: Path, name: str, kind: ArchiveKind) -> None:
    """SpreadsheetError naming `name` and the limit when an archive of `kind` is a bomb or is broken."""
    scan = _Scan(name)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_listing(infos, name, kind)
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as stream:
                    if info.filename.endswith((".xml", ".rels")):
                        _scan_xml(stream, info.filename, scan, kind)
                    else:
                        _drain(stream, scan)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            RuntimeError, NotImplementedError) as error:  # broken, truncated, encrypted or exotic zips
        raise SpreadsheetError(f"Không đọc được tệp {kind.label} {name}: tệp hỏng hoặc không phải định dạng "
                               f"{kind.suffix}. {kind.resave_hint(name)}") from error
