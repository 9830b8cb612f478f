"""Run a reader of an untrusted winners file in the limited child and turn a limit hit into a clear refusal.

Shared by every format: the .xlsx reader (app.files.spreadsheet) and the .xls, .ods and .docx
readers (app.files.sheet_formats). It imports neither, so both can use it without a cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.files.sandbox import ProcessLimits, SandboxFailure, run_limited
from app.files.sheet_errors import SpreadsheetError

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


def sandbox_refusal(failure: SandboxFailure, name: str, limits: ProcessLimits) -> SpreadsheetError:
    """The Vietnamese refusal of a reader child that hit a limit or died: which limit, and what to do."""
    if failure.reason == "memory":
        message = f"Tệp {name} cần hơn {limits.memory_bytes // (1024 * 1024)} MB bộ nhớ để đọc"
    elif failure.reason == "time":
        message = f"Đọc tệp {name} mất quá {limits.cpu_seconds} giây"
    else:  # a crash, or a native reader aborting when it cannot allocate
        message = f"Không đọc được tệp {name}"
    return SpreadsheetError(f"{message}: tệp hỏng hoặc quá lớn cho một danh sách. Hãy lưu lại dạng .xlsx "
                            "chỉ với trang danh sách, hoặc chia thành nhiều tệp.")


def read_limited(reader: Callable[[Path, str], Result], path: Path, name: str, *,
                 limits: ProcessLimits) -> Result:
    """reader(path, name) in a limited child; its SpreadsheetError as is, a limit hit as a SpreadsheetError.

    `reader` must be a module-level function (the child imports it by name).
    """
    try:
        result: Result = run_limited(reader, path, name, limits=limits, passthrough=(SpreadsheetError,))
    except SandboxFailure as failure:
        logger.warning("reading %s stopped: %s", path, failure)
        raise sandbox_refusal(failure, name, limits) from None
    return result
