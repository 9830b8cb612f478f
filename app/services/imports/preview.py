"""Winners spreadsheets uploaded in the browser for one round: preview, then publish.

The same reader, defaults rule (defaults.py) and row validation as `cnnt import`, plus what a
round fixes: its level, region and province (a row that disagrees is an error; a blank cell or
a missing column takes the round's value, and the issue date its decision date), and for an
office only rows of its own province. Warnings inform without blocking. The
preview counts what publishing would do without writing (trial.py); publishing re-validates
and applies in one transaction.
Helpers flush; the route commits.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.domain.levels import Level
from app.domain.parsing import ParseError, cell_text, parse_date, parse_image_list
from app.domain.provinces import ProvinceInfo, successor_of
from app.domain.regions import Region
from app.domain.states import ImportBatchState
from app.errors import InvalidInput, NotFound
from app.files.spreadsheet import (
    MAX_FILE_BYTES,
    TABLE_READERS,
    Sheet,
    SheetNote,
    SheetRow,
    SpreadsheetError,
    accepted_suffixes,
    read_spreadsheet,
)
from app.models import Certificate, ImportBatch, Producer, Product, ProductImage, SelectionRound, utcnow
from app.services.imports.defaults import ImportDefaults, fill_row, missing_columns
from app.services.imports.trial import count_round_rows
from app.services.imports.upsert import ImportCounts, Upserter
from app.services.imports.validate import (
    ImportProblem,
    ValidRow,
    find_duplicates,
    labelled,
    phone_warning,
    validate_row,
)
from app.services.office.account import Account
from app.services.office.rounds import get_round, round_province
from app.services.records.audit_log import record_change
from app.services.upkeep.provinces import province_ids_by_slug

_NO_FOLDER = Path("/nonexistent-cnnt-images")  # photos never come with a browser upload


@dataclass(slots=True)
class RowPreview:
    """One spreadsheet row as the preview shows it: a few values, its errors and warnings."""

    row: int
    product: str
    producer: str
    province: str
    issued_on: str
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    warnings: list[tuple[str | None, str]] = field(default_factory=list)


@dataclass(slots=True)
class RoundCheck:
    """Every row checked against the importer's rules and the round's; valid rows to apply."""

    rows: list[RowPreview]
    valid: list[ValidRow]
    file_errors: list[str] = field(default_factory=list)
    notes: list[SheetNote] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """How many problems block publishing."""
        return len(self.file_errors) + sum(len(r.errors) for r in self.rows)

    @property
    def warnings(self) -> int:
        """How many notes inform without blocking."""
        return sum(len(r.warnings) for r in self.rows) + sum(note.warning for note in self.notes)


class RoundUpserter(Upserter):
    """The importer's upserter, with every certificate awarded in one given round."""

    def __init__(self, session: Session, selection_round: SelectionRound) -> None:
        super().__init__(session)
        self.fixed_round = selection_round

    def selection_round(self, row: ValidRow) -> SelectionRound:
        """The uploading round, whatever the row's year or decision number."""
        return self._save(self.fixed_round, "round", "unchanged")


def round_defaults(selection_round: SelectionRound, province: ProvinceInfo | None) -> ImportDefaults:
    """What the round fills where a file is silent: level, region, province, decision, issue date."""
    return ImportDefaults(level=Level(selection_round.level), province=province,
                          region=Region(selection_round.region) if selection_round.region else None,
                          decision_number=selection_round.decision_number,
                          decision_date=selection_round.decision_date, source="round")


def _filled(row: SheetRow, defaults: ImportDefaults, preview: RowPreview, problems: list[ImportProblem],
            sheet: Sheet) -> SheetRow:
    """The row with blanks taken from the round and photos set aside (they cannot be uploaded here).

    A blank province cell is worth a warning; a file without the column is the round's on purpose.
    """
    filled, columns = fill_row(row, defaults, problems)
    values = dict(filled.values)
    if "province" in columns and "province" in sheet.columns:
        preview.warnings.append(("province", f"Không ghi tỉnh: lấy tỉnh của đợt ({values['province']})."))
    names = parse_image_list(values.pop("images", None))
    if names:
        preview.warnings.append(("images", f"Ảnh {', '.join(names)} không tải kèm bảng tính được; "
                                           "hãy thêm ảnh ở trang sản phẩm sau khi xuất bản."))
    return SheetRow(number=row.number, values=values)


def _date_text(value: object) -> str:
    """A date cell as dd/mm/yyyy when it is one, else as typed."""
    try:
        return f"{parse_date(value):%d/%m/%Y}"
    except ParseError:
        return cell_text(value)


def _preview_of(row: SheetRow) -> RowPreview:
    """The values the preview table shows, dates as dd/mm/yyyy."""
    get = row.values.get
    return RowPreview(row=row.number, product=cell_text(get("product_name")),
                      producer=cell_text(get("producer_name")), province=cell_text(get("province")),
                      issued_on=_date_text(get("issued_on")))


def _against_round(valid: ValidRow, selection_round: SelectionRound, province: ProvinceInfo | None,
                   account: Account, preview: RowPreview) -> None:
    """Errors where the row contradicts the round or the account's reach; notes where it surprises."""
    level = Level(selection_round.level)
    if valid.level != level:
        preview.errors.append(("level", f"{valid.level.label} khác cấp của đợt ({level.label.lower()})."))
    if selection_round.region and valid.region and valid.region.value != selection_round.region:
        preview.errors.append(("region", f"Khu vực {valid.region.label} khác khu vực của đợt."))
    if province is not None and valid.current_province.slug != successor_of(province).slug:
        preview.errors.append(("province", f"{valid.province.name} khác tỉnh của đợt ({province.name})."))
    elif province is not None and valid.province.slug != province.slug:
        preview.warnings.append(("province", f"Ghi {valid.province.name}, đợt thuộc {province.name}; "
                                             "giấy chứng nhận giữ tỉnh ghi trong bảng."))
    elif not account.may_manage_certificate(certified_in=valid.province.slug, level=valid.level):
        preview.errors.append(("province", f"Tài khoản của bạn không được nhập sản phẩm của "
                                           f"{valid.province.name}."))
    if valid.issued_on.year != selection_round.year:
        preview.warnings.append(("issued_on", f"Ngày cấp {valid.issued_on:%d/%m/%Y} ngoài năm của đợt "
                                              f"({selection_round.year})."))
    if not (valid.phone or valid.email or valid.website or valid.address):
        preview.warnings.append(("producer_name", "Cơ sở chưa có địa chỉ, điện thoại, email hay website."))


def _existing(session: Session, rows: list[ValidRow], level: str) -> tuple[dict[tuple[str, int, str], int],
                                                                           set[int], dict[int, list[str]]]:
    """Products the rows name that already exist, which have photos, and their dates at `level`."""
    ids = province_ids_by_slug(session=session)
    wanted = {(r.product_key[0], ids[r.current_province.slug], r.product_key[2]) for r in rows}
    found: dict[tuple[str, int, str], int] = {}
    if wanted:
        query = (select(Producer.name_key, Product.province_id, Product.name_key, Product.id)
                 .join(Producer, col(Producer.id) == Product.producer_id)
                 .where(col(Product.province_id).in_({w[1] for w in wanted})))
        for producer_key, province_id, name_key, product_id in session.exec(query).all():
            if (producer_key, province_id, name_key) in wanted and product_id is not None:
                found[(producer_key, province_id, name_key)] = product_id
    with_photo = set(session.exec(select(ProductImage.product_id).distinct()).all())
    dates: dict[int, list[str]] = {}
    query_dates = select(col(Certificate.product_id), col(Certificate.issued_on)).where(
        Certificate.level == level)
    for product_id, issued_on in session.exec(query_dates).all():
        dates.setdefault(product_id, []).append(f"{issued_on:%d/%m/%Y}")
    return found, with_photo, dates


def _note_existing(session: Session, valid: list[ValidRow], previews: dict[int, RowPreview],
                   level: str) -> None:
    """Warnings that need the database: no photo yet, already certified at this level."""
    found, with_photo, dates = _existing(session, valid, level)
    ids = province_ids_by_slug(session=session)
    for row in valid:
        product_id = found.get((row.product_key[0], ids[row.current_province.slug], row.product_key[2]))
        preview = previews[row.row]
        if product_id is None or product_id not in with_photo:
            preview.warnings.append(("images", "Sản phẩm chưa có ảnh; hãy thêm ảnh sau khi xuất bản."))
        if product_id is not None and product_id in dates:
            preview.warnings.append(("level", f"Sản phẩm đã có giấy chứng nhận {Level(level).label.lower()} "
                                              f"(ngày cấp {', '.join(sorted(dates[product_id]))})."))


def _name_columns(previews: dict[int, RowPreview], sheet: Sheet) -> None:
    """Every row's messages with the column as the clerk's header names it ('C – Tên cơ sở')."""
    for preview in previews.values():
        preview.errors = [(sheet.column_label(column), message) for column, message in preview.errors]
        preview.warnings = [(sheet.column_label(column), message) for column, message in preview.warnings]


def check_rows(*, session: Session, account: Account, selection_round: SelectionRound,
               sheet: Sheet) -> RoundCheck:
    """Every row through the importer's defaults and validation and the round's rules; nothing written."""
    province = round_province(session=session, selection_round=selection_round)
    defaults = round_defaults(selection_round, province)
    previews = {row.number: _preview_of(row) for row in sheet.rows}
    problems = missing_columns(sheet.columns, defaults)
    valid: list[ValidRow] = []
    for row in sheet.rows if not problems else []:
        preview = previews[row.number]
        filled = _filled(row, defaults, preview, problems, sheet)
        checked = validate_row(filled, base_dir=_NO_FOLDER, problems=problems)
        if checked is not None:
            preview.issued_on, preview.province = f"{checked.issued_on:%d/%m/%Y}", checked.province.name
            _against_round(checked, selection_round, province, account, preview)
            if (warning := phone_warning(checked)) is not None:
                preview.warnings.append(("phone", warning))
            valid.append(checked)
    problems.extend(find_duplicates(valid))
    file_errors = [str(p) for p in labelled(problems, sheet) if p.row not in previews]
    for problem in problems:
        if problem.row in previews:
            previews[problem.row].errors.append((problem.column, problem.message))
    _note_existing(session, valid, previews, selection_round.level)
    _name_columns(previews, sheet)
    good = [v for v in valid if not previews[v.row].errors]
    return RoundCheck(rows=list(previews.values()), valid=good, file_errors=file_errors, notes=sheet.notes)


def apply_rows(*, session: Session, selection_round: SelectionRound, rows: list[ValidRow]) -> ImportCounts:
    """Upsert checked rows into the round, with their outbox rows; flushes, never commits."""
    return RoundUpserter(session, selection_round).apply(rows)


def counts_dict(counts: ImportCounts) -> dict[str, Any]:
    """The counts as plain JSON-ready values."""
    return asdict(counts)


def _row_dict(preview: RowPreview) -> dict[str, Any]:
    """asdict(preview) without its deep copy (a tenth of a 20,000-row preview): the same JSON."""
    return {name: getattr(preview, name) for name in _ROW_FIELDS}


_ROW_FIELDS = tuple(f.name for f in fields(RowPreview))


def _summary(check: RoundCheck, counts: ImportCounts | None) -> str:
    """What the preview page shows, stored on the batch as JSON."""
    notes = [{"row": note.row, "message": note.message, "warning": note.warning} for note in check.notes]
    return json.dumps({"counts": counts_dict(counts) if counts else None, "file_errors": check.file_errors,
                       "notes": notes, "rows": [_row_dict(r) for r in check.rows]}, ensure_ascii=False)


def read_summary(batch: ImportBatch) -> dict[str, Any]:
    """The stored preview of a batch."""
    data: dict[str, Any] = json.loads(batch.summary or "{}")
    data.setdefault("rows", [])
    data.setdefault("file_errors", [])
    data.setdefault("notes", [])
    return data


def _store(folder: Path, filename: str, data: bytes) -> Path:
    """Keep the upload under a random name (the user's file name is never a path)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in TABLE_READERS:
        raise InvalidInput(f"Chỉ nhận tệp {accepted_suffixes()}.", field="file")
    if not data:
        raise InvalidInput("Chưa chọn tệp hoặc tệp trống.", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"Tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB.", field="file")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{suffix}"
    path.write_bytes(data)
    return path


def _read(path: Path, filename: str) -> Sheet:
    """The file's table; InvalidInput with the reader's messages when it cannot be read."""
    try:
        return read_spreadsheet(path, name=Path(filename).name)
    except SpreadsheetError as error:
        messages = [str(ImportProblem(row, column, message)) for row, column, message in error.problems]
        message = " ".join(messages)
        if Path(filename).name[:100] not in message:
            message = f"Không đọc được tệp {filename[:100]}: {message}"
        raise InvalidInput(message, field="file") from None


def upload_batch(*, session: Session, account: Account, selection_round: SelectionRound, folder: Path,
                 filename: str, data: bytes) -> ImportBatch:
    """Store the file, preview it with a count-only trial run, and replace the round's older previews."""
    path = _store(folder, filename, data)
    try:
        check = check_rows(session=session, account=account, selection_round=selection_round,
                           sheet=_read(path, filename))
    except InvalidInput:
        path.unlink(missing_ok=True)
        raise
    counts = None
    if not check.errors:
        counts = count_round_rows(session=session, selection_round=selection_round, rows=check.valid)
    for old in session.exec(select(ImportBatch).where(ImportBatch.round_id == selection_round.id,
                                                      ImportBatch.state == ImportBatchState.PREVIEW)).all():
        old.state = ImportBatchState.DISCARDED
        session.add(old)
    batch = ImportBatch(user_id=account.id, round_id=selection_round.id,
                        province_id=selection_round.province_id, filename=Path(filename).name[:300],
                        stored_path=str(path), rows=len(check.rows), errors=check.errors,
                        warnings=check.warnings, summary=_summary(check, counts))
    session.add(batch)
    session.flush()
    return batch


class AlreadyPublished(InvalidInput):
    """The batch was published by an earlier request (a double click): its result page is the answer."""


def _claim(*, session: Session, batch: ImportBatch) -> None:
    """Move the batch out of preview with one conditional UPDATE, so one transaction alone publishes it.

    The UPDATE takes the row's write lock (PostgreSQL) or the database's (SQLite): a concurrent
    publish waits for this transaction, then finds the state changed and matches no row.
    """
    claimed = session.execute(
        update(ImportBatch)
        .where(col(ImportBatch.id) == batch.id, col(ImportBatch.state) == ImportBatchState.PREVIEW)
        .values(state=ImportBatchState.PUBLISHED, published_at=utcnow())
        .execution_options(synchronize_session=False))
    session.refresh(batch)
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return
    if batch.state == ImportBatchState.PUBLISHED:
        raise AlreadyPublished("Bảng tính này đã được xuất bản.")
    raise InvalidInput("Bảng tính này đã được thay bằng tệp mới.")


def publish_batch(*, session: Session, account: Account, batch: ImportBatch,
                  selection_round: SelectionRound) -> ImportCounts:
    """Claim the batch, re-validate the stored file and apply it in this transaction, with its audit entry."""
    if batch.errors:
        raise InvalidInput("Bảng tính còn lỗi; hãy sửa tệp và tải lên lại trước khi xuất bản.")
    _claim(session=session, batch=batch)
    check = check_rows(session=session, account=account, selection_round=selection_round,
                       sheet=_read(Path(batch.stored_path), batch.filename))
    if check.errors:
        raise InvalidInput(f"Dữ liệu đã thay đổi, bảng tính nay có {check.errors} lỗi; hãy tải lên lại.")
    counts = apply_rows(session=session, selection_round=selection_round, rows=check.valid)
    record_change(session=session, account=account, action="import.publish", entity="import_batch",
                  entity_id=batch.id, province_id=batch.province_id, before=None,
                  after={"rows": len(check.rows), **counts_dict(counts)})
    session.flush()
    return counts


def get_batch(*, session: Session, account: Account, batch_id: int) -> tuple[ImportBatch, SelectionRound]:
    """The batch and its round if the account may see the round; NotFound otherwise."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.round_id is None:
        raise NotFound("Không tìm thấy bảng tính này.")
    return batch, get_round(session=session, account=account, round_id=batch.round_id)

