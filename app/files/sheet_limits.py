"""How much of an uploaded winners list any reader takes: one set of limits for every format.

Its own module so that spreadsheet.py (which dispatches to the readers) and sheet_formats.py
(the .xls, .ods and .docx readers) share the numbers without importing each other.
"""

from __future__ import annotations

from pathlib import Path

from app.files.sandbox import ProcessLimits
from app.files.sheet_errors import SpreadsheetError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Rows a table may have beyond MAX_ROWS data rows: titles, sub-headers, notes and signatures.
LAYOUT_ROWS = 500
MAX_COLUMNS = 60
# Excel itself holds at most 32,767 characters in a cell; the longest column we keep (the
# description) allows 5,000. A longer cell only comes from a crafted file.
MAX_CELL_CHARS = 32_767
# The child that parses a binary list (.xlsx, .xls, .ods, .docx): a 20,000-row sheet needs about
# 300 MB of address space and a few CPU seconds; 1 GB and 30 s leave a wide margin on a busy
# two-CPU server, and the wall clock covers a child starved of CPU by other work.
XLSX_LIMITS = ProcessLimits(memory_bytes=1024 * 1024 * 1024, cpu_seconds=30, wall_seconds=90)


def check_size(path: Path, name: str) -> None:
    """SpreadsheetError, in the clerk's words, when the file cannot be opened, is empty or is too big."""
    try:
        size = path.stat().st_size
    except OSError:
        raise SpreadsheetError(f"Không mở được tệp {name}.") from None
    if size == 0:
        raise SpreadsheetError(f"Tệp {name} trống.")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(f"Tệp {name} lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
