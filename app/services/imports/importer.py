"""Import a winners spreadsheet: validate everything first, then upsert in one transaction.

Forgiving about layout (app.files.sheet_layout) and values (app.domain.parsing), strict
about meaning (validate.py); blanks and missing columns take the defaults (defaults.py). A
file with any problem changes nothing in the database and writes no media file; warnings
and notes inform without blocking. Re-importing the same file changes nothing. The caller
commits (`cnnt import`: app.cli.run_import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from app.files.images import ProcessedImage
from app.files.spreadsheet import Sheet, SpreadsheetError, read_spreadsheet
from app.services.imports.defaults import ImportDefaults, fill_row, missing_columns
from app.services.imports.upsert import ImportCounts, Tally, Upserter
from app.services.imports.validate import (
    ImportProblem,
    ValidRow,
    find_duplicates,
    labelled,
    phone_warning,
    process_images,
    validate_row,
)
from app.services.records.photos import store_image

__all__ = [
    "ImportCounts", "ImportDefaults", "ImportProblem", "ImportReport", "Tally", "import_file", "import_sheet",
]


@dataclass(slots=True)
class ImportReport:
    """The outcome of an import: problems (none means it was applied) and what changed."""

    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
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


def _validate(sheet: Sheet, defaults: ImportDefaults,
              base_dir: Path) -> tuple[list[ValidRow], dict[Path, ProcessedImage], list[ImportProblem]]:
    """Every row filled from the defaults, parsed and checked, and every photo decoded; nothing written."""
    problems: list[ImportProblem] = missing_columns(sheet.columns, defaults)
    if problems:
        return [], {}, problems
    valid = []
    for row in sheet.rows:
        filled, _columns = fill_row(row, defaults, problems)
        checked = validate_row(filled, base_dir=base_dir, problems=problems)
        if checked is not None:
            valid.append(checked)
    problems.extend(find_duplicates(valid))
    processed = process_images(valid, problems)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return valid, processed, labelled(problems, sheet)


def _apply(session: Session, rows: list[ValidRow], processed: dict[Path, ProcessedImage],
           dry_run: bool) -> ImportCounts:
    """Upsert every validated row (outbox rows unless a dry run); flushes, never commits."""
    return Upserter(session).apply(rows, lambda row: [processed[path] for path in row.image_paths],
                                   outbox=not dry_run)


def import_sheet(*, session: Session, sheet: Sheet, base_dir: Path, media_dir: Path,
                 defaults: ImportDefaults | None = None, dry_run: bool = False) -> ImportReport:
    """Validate then apply a sheet's rows; with any problem (or a dry run) nothing is kept.

    A dry run applies the rows to compute the counts, then rolls the session back.
    """
    report = ImportReport(rows=len(sheet.rows), dry_run=dry_run, notes=[n.message for n in sheet.notes])
    valid, processed, report.problems = _validate(sheet, defaults or ImportDefaults(), base_dir)
    warnings = [ImportProblem(v.row, "phone", w) for v in valid if (w := phone_warning(v)) is not None]
    report.warnings = labelled(warnings, sheet)
    if report.problems:
        return report
    report.counts = _apply(session, valid, processed, dry_run)
    if dry_run:
        session.rollback()
        return report
    for image in processed.values():
        store_image(media_dir=media_dir, processed=image)
    return report


def import_file(*, session: Session, path: Path, media_dir: Path, dry_run: bool = False,
                defaults: ImportDefaults | None = None) -> ImportReport:
    """Import a winners file; blanks take `defaults`; photos are looked up beside it. The caller commits."""
    try:
        sheet = read_spreadsheet(path)
    except SpreadsheetError as exc:
        problems = [ImportProblem(row, column, message) for row, column, message in exc.problems]
        return ImportReport(problems=problems, dry_run=dry_run)
    return import_sheet(session=session, sheet=sheet, base_dir=path.parent, media_dir=media_dir,
                        defaults=defaults, dry_run=dry_run)
