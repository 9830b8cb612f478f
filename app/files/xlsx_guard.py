"""Refuse a crafted .xlsx before openpyxl parses it: zip bombs, cell bombs, DTDs and broken XML.

An .xlsx is a zip of XML parts. The upload limit counts compressed bytes only, and a 1 MB
file can unpack to gigabytes, so the archive is checked first: its entry count, the sizes it
declares, then the bytes it really unpacks to, read in chunks and counted (a lying header
cannot get more out of zipfile than it declares, and a wrong CRC ends the read as a broken
file). Every XML part streams through expat to count cells and to refuse a DOCTYPE (an
.xlsx never has one; refusing it stops entity expansion and external entities before any
parser sees them). Only then does openpyxl read the sheet, in a limited child process.
"""

from __future__ import annotations

import zipfile
import zlib
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


def _mb(size: int) -> str:
    """Bytes as whole megabytes for a message."""
    return f"{size // (1024 * 1024)} MB"


def _resave_hint(name: str) -> str:
    """What to do with an .xlsx we cannot read."""
    return f"Hãy mở tệp {name} bằng Excel (hoặc LibreOffice) và lưu lại dạng .xlsx rồi tải lên lại."


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

    def count_cell(self, tag: str, _attributes: object) -> None:
        """expat start-element handler of worksheets: count <c> (cell) elements, any prefix."""
        if tag == "c" or tag.endswith(":c"):
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise SpreadsheetError(f"Tệp {self.name} có hơn {thousands(MAX_CELLS)} ô (giới hạn của một "
                                       "danh sách). Hãy chỉ giữ các cột của mẫu danh sách, hoặc chia thành "
                                       "nhiều tệp.")


def _scan_xml(stream: IO[bytes], part: str, scan: _Scan) -> None:
    """Stream one XML part through expat: count bytes (and cells in worksheets), refuse any DOCTYPE."""
    shown = part[:80]

    def refuse_doctype(*_args: object) -> None:
        """A DTD has no place in an .xlsx: it is how entity bombs and external entities get in."""
        raise SpreadsheetError(f"Tệp {scan.name} chứa khai báo DOCTYPE trong phần {shown}, điều mà tệp "
                               f"Excel không bao giờ có. {_resave_hint(scan.name)}")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse_doctype
    if part.startswith("xl/worksheets/"):
        parser.StartElementHandler = scan.count_cell
    try:
        while chunk := stream.read(_CHUNK):
            scan.count_bytes(len(chunk))
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise SpreadsheetError(f"Tệp {scan.name} bị hỏng: phần {shown} không phải XML hợp lệ "
                               f"({expat.ErrorString(error.code)}). {_resave_hint(scan.name)}") from None


def _drain(stream: IO[bytes], scan: _Scan) -> None:
    """Unpack a non-XML part (an image, a binary part) only to count its bytes."""
    while chunk := stream.read(_CHUNK):
        scan.count_bytes(len(chunk))


def _check_listing(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse on what the archive declares: too many entries, too many bytes once unpacked."""
    if len(infos) > MAX_XLSX_ENTRIES:
        raise SpreadsheetError(f"Tệp {name} có {thousands(len(infos))} thành phần nén, quá giới hạn "
                               f"{MAX_XLSX_ENTRIES} của một bảng tính. {_resave_hint(name)}")
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise too_big(name)


def check_xlsx_archive(path: Path, name: str) -> None:
    """SpreadsheetError naming `name` and the limit when the archive is a bomb or is broken."""
    scan = _Scan(name)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_listing(infos, name)
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as stream:
                    if info.filename.endswith((".xml", ".rels")):
                        _scan_xml(stream, info.filename, scan)
                    else:
                        _drain(stream, scan)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            RuntimeError, NotImplementedError) as error:  # broken, truncated, encrypted or exotic zips
        raise SpreadsheetError(f"Không đọc được tệp Excel {name}: tệp hỏng hoặc không phải định dạng "
                               f".xlsx. {_resave_hint(name)}") from error
