"""Import a winners spreadsheet: validate everything first, then upsert in one transaction.

Forgiving about values (app.domain.parsing), strict about meaning (validate.py); a file
with any problem changes nothing in the database and writes no media file. Re-importing
the same file changes nothing. The caller commits (`cnnt import`: app.cli.run_import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from app.files.images import ProcessedImage
from app.files.spreadsheet import SheetRow, SpreadsheetError, read_spreadsheet
from app.services.imports.upsert import ImportCounts, Tally, Upserter
from app.services.imports.validate import (
    ImportProblem,
    ValidRow,
    find_duplicates,
    process_images,
    validate_row,
)
from app.services.records.photos import store_image

__all__ = [
    "ImportCounts", "ImportProblem", "ImportReport", "Tally", "import_file", "import_rows",
]


@dataclass(slots=True)
class ImportReport:
    """The outcome of an import: problems (none means it was applied) and what changed."""

    problems: list[ImportProblem] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    rows: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when the file had no problem."""
        return not self.problems

    def summary(self) -> str:
        """One Vietnamese paragraph saying what the import did (or would do)."""
        c = self.counts

        def part(label: str, tally: Tally) -> str:
            """One kind of row's tally in words."""
            return f"{label}: {tally.created} mới, {tally.updated} cập nhật, {tally.unchanged} không đổi"

        head = "Kiểm tra xong (chưa ghi gì)" if self.dry_run else "Đã nhập"
        parts = [part("sản phẩm", c.products), part("giấy chứng nhận", c.certificates),
                 part("cơ sở", c.producers), part("đợt bình chọn", c.rounds), f"ảnh mới: {c.images_added}"]
        return f"{head} {self.rows} dòng. " + "; ".join(parts) + "."


def _validate(rows: list[SheetRow], base_dir: Path) -> tuple[list[ValidRow], dict[Path, ProcessedImage],
                                                             list[ImportProblem]]:
    """Every row parsed and checked, and every photo decoded; nothing written."""
    problems: list[ImportProblem] = []
    valid = [v for row in rows if (v := validate_row(row, base_dir=base_dir, problems=problems)) is not None]
    problems.extend(find_duplicates(valid))
    processed = process_images(valid, problems)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return valid, processed, problems


def _apply(session: Session, rows: list[ValidRow], processed: dict[Path, ProcessedImage],
           dry_run: bool) -> ImportCounts:
    """Upsert every validated row (outbox rows unless a dry run); flushes, never commits."""
    return Upserter(session).apply(rows, lambda row: [processed[path] for path in row.image_paths],
                                   outbox=not dry_run)


def import_rows(
    *, session: Session, rows: list[SheetRow], base_dir: Path, media_dir: Path, dry_run: bool = False
) -> ImportReport:
    """Validate then apply spreadsheet rows; with any problem (or a dry run) nothing is kept.

    A dry run applies the rows to compute the counts, then rolls the session back.
    """
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    valid, processed, report.problems = _validate(rows, base_dir)
    if report.problems:
        return report
    report.counts = _apply(session, valid, processed, dry_run)
    if dry_run:
        session.rollback()
        return report
    for image in processed.values():
        store_image(media_dir=media_dir, processed=image)
    return report


def import_file(*, session: Session, path: Path, media_dir: Path, dry_run: bool = False) -> ImportReport:
    """Import a .xlsx or .csv file; photos are looked up beside it. The caller commits."""
    try:
        rows = read_spreadsheet(path)
    except SpreadsheetError as exc:
        problems = [ImportProblem(row, column, message) for row, column, message in exc.problems]
        return ImportReport(problems=problems, dry_run=dry_run)
    return import_rows(session=session, rows=rows, base_dir=path.parent, media_dir=media_dir, dry_run=dry_run)
