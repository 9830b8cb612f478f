"""`cnnt import FILE`: the body, kept out of app/cli.py (already long).

Options are defaults for what the file leaves out (app.services.imports.defaults); a bad
option value is exit code 2 before the database is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from app.errors import InvalidInput
from app.services.imports.defaults import ImportDefaults, defaults_from_options
from app.services.imports.importer import ImportReport, import_file

Echo = Callable[[str], object]
BAD_OPTION = 2


def parse_options(options: dict[str, str | None] | None, echo: Echo) -> ImportDefaults | None:
    """The options as defaults, or None after printing why one is wrong."""
    try:
        return defaults_from_options(**(options or {}))
    except InvalidInput as error:
        echo(f"Lỗi: {error.message}")
        return None


def import_and_report(session: Session, path: Path, *, media_dir: Path, dry_run: bool,
                      defaults: ImportDefaults, echo: Echo) -> ImportReport:
    """Import (the caller commits), printing layout notes, warnings and errors one per line."""
    report = import_file(session=session, path=path, media_dir=media_dir, dry_run=dry_run, defaults=defaults)
    for note in report.notes:
        echo(f"Ghi chú: {note}")
    for warning in report.warnings:
        echo(f"Cảnh báo – {warning}")
    for problem in report.problems:
        echo(str(problem))
    if report.problems:
        session.rollback()
        echo(f"Có {len(report.problems)} lỗi; không có thay đổi nào được ghi.")
    return report
