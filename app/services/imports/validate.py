"""Validation half of the winners-spreadsheet import: every row is checked (and every photo
decoded) before anything is written, so a file with any error changes nothing."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from app.domain.groups import ProductGroup
from app.domain.levels import DISTRICTS_ABOLISHED, Level, level_allowed_on
from app.domain.parsing import (
    LegalForm,
    ParseError,
    clean_multiline,
    clean_text,
    is_blank,
    parse_date,
    parse_email,
    parse_group_value,
    parse_image_list,
    parse_legal_form,
    parse_level_value,
    parse_phone,
    parse_province_value,
    parse_region_value,
    parse_score,
    parse_website,
    phone_looks_vietnamese,
    preview,
)
from app.domain.provinces import ProvinceInfo, successor_of
from app.domain.regions import Region
from app.domain.text import fold
from app.domain.validity import today_in
from app.files.images import MAX_IMAGE_BYTES, ImageRejected, ProcessedImage, process_image
from app.files.sheet_columns import COLUMN_LABELS
from app.files.sheet_layout import Sheet, SheetRow

T = TypeVar("T")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with the file: its row in the sheet, column and a Vietnamese message.

    `label` is how the clerk knows the column ('C – Tên cơ sở'); without it, the column's label.
    """

    row: int | None
    column: str | None
    message: str
    label: str | None = None

    @property
    def column_name(self) -> str | None:
        """The column as messages name it: the clerk's header and letter, else its Vietnamese label."""
        if self.label:
            return self.label
        return COLUMN_LABELS.get(self.column, self.column) if self.column else None

    def __str__(self) -> str:
        """'Dòng 7, cột C – Tên cơ sở: …', as the CLI and the preview print it."""
        where = [f"Dòng {self.row}" if self.row is not None else "",
                 f"cột {self.column_name}" if self.column else ""]
        prefix = ", ".join(part for part in where if part)
        return f"{prefix}: {self.message}" if prefix else self.message


def labelled(problems: list[ImportProblem], sheet: Sheet) -> list[ImportProblem]:
    """The problems with each column named as the sheet's header says it."""
    return [ImportProblem(p.row, p.column, p.message, sheet.column_label(p.column)) for p in problems]


def phone_warning(valid: ValidRow) -> str | None:
    """A note when the phone cell does not look like a Vietnamese number (it is kept as typed)."""
    if valid.phone is None or phone_looks_vietnamese(valid.phone):
        return None
    return (f"Số điện thoại '{preview(valid.phone)}' không giống số Việt Nam (0 và 9–10 chữ số, hoặc +84); "
            "hãy kiểm tra lại.")


@dataclass(slots=True)
class ValidRow:
    """A row whose values are parsed and whose meaning is consistent."""

    row: int
    level: Level
    issued_on: date
    province: ProvinceInfo
    product_name: str
    group: ProductGroup
    producer_name: str
    certificate_number: str | None = None
    decision_number: str | None = None
    decision_date: date | None = None
    region: Region | None = None
    description: str | None = None
    legal_form: LegalForm | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    score: float | None = None
    image_paths: list[Path] = field(default_factory=list)

    @property
    def current_province(self) -> ProvinceInfo:
        """The province the product and producer belong to today."""
        return successor_of(self.province)

    @property
    def product_key(self) -> tuple[str, str, str]:
        """Identity of the product: producer name, current province, product name (folded)."""
        return (fold(self.producer_name), self.current_province.slug, fold(self.product_name))


class _RowReader:
    """Reads one row's cells through parsers, collecting problems instead of stopping."""

    def __init__(self, row: SheetRow, problems: list[ImportProblem]) -> None:
        self.row = row
        self.problems = problems

    def problem(self, column: str | None, message: str) -> None:
        """Record a problem on this row."""
        self.problems.append(ImportProblem(self.row.number, column, message))

    def get(self, column: str, parser: Callable[[object], T], *, required: bool = False) -> T | None:
        """The parsed cell, or None when blank (a problem if required) or unparseable."""
        raw = self.row.values.get(column)
        if is_blank(raw):
            if required:
                self.problem(column, "Thiếu giá trị bắt buộc.")
            return None
        try:
            return parser(raw)
        except ParseError as exc:
            self.problem(column, exc.message)
            return None


def _text(max_length: int) -> Callable[[object], str | None]:
    """A text parser with this column's length limit."""
    return lambda value: clean_text(value, max_length=max_length)


def resolve_image_path(name: str, base_dir: Path) -> Path:
    """A photo named in the sheet, inside the sheet's folder; ParseError otherwise."""
    cleaned = name.replace("\\", "/")
    if "://" in cleaned:
        raise ParseError(f"Ảnh '{preview(name)}': chỉ nhận tệp nằm cạnh bảng tính, không nhận đường link.")
    if cleaned.startswith("/") or _DRIVE.match(cleaned):
        raise ParseError(f"Ảnh '{preview(name)}': cần đường dẫn tương đối với thư mục của bảng tính.")
    root = base_dir.resolve()
    unreadable = ParseError(f"Không đọc được tệp ảnh '{preview(name)}'.")
    try:  # a name the file system cannot hold (too long, a NUL byte) is the row's problem, not a crash
        target = (root / cleaned).resolve()
    except (OSError, ValueError):
        raise unreadable from None
    if not target.is_relative_to(root):
        raise ParseError(f"Ảnh '{preview(name)}' nằm ngoài thư mục của bảng tính.")
    try:
        size = target.stat().st_size if target.is_file() else None
    except (OSError, ValueError):
        raise unreadable from None
    if size is None:
        raise ParseError(f"Không tìm thấy tệp ảnh '{preview(name)}'.")
    if size > MAX_IMAGE_BYTES:
        raise ParseError(f"Ảnh '{preview(name)}' lớn hơn {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    return target


def _image_paths(reader: _RowReader, base_dir: Path) -> list[Path]:
    """The row's photo files, each checked to exist inside the sheet's folder."""
    paths: list[Path] = []
    for name in parse_image_list(reader.row.values.get("images")):
        try:
            paths.append(resolve_image_path(name, base_dir))
        except ParseError as exc:
            reader.problem("images", exc.message)
    return paths


def _check_meaning(reader: _RowReader, valid: ValidRow) -> None:
    """Rules across cells: level vs date, region for regional rounds, merged provinces."""
    if not level_allowed_on(valid.level, valid.issued_on):
        when = "từ 01/07/2025 không còn cấp huyện (dùng cấp xã)" if valid.level == Level.huyen else (
            "cấp xã chỉ có từ 01/07/2025 (trước đó là cấp huyện)")
        reader.problem("level", f"{valid.level.label} ngày {valid.issued_on:%d/%m/%Y}: {when}.")
    today = today_in()
    if valid.issued_on > today:
        reader.problem("issued_on", f"Ngày cấp {valid.issued_on:%d/%m/%Y} ở sau hôm nay ({today:%d/%m/%Y}): "
                                    "giấy chứng nhận chỉ có từ ngày cấp. Hãy kiểm tra lại ngày.")
    if valid.level == Level.khu_vuc and valid.region is None:
        reader.problem("region", "Cấp khu vực cần ghi khu vực (phía Bắc, miền Trung – Tây Nguyên, phía Nam).")
    if valid.level != Level.khu_vuc:
        valid.region = None
    if not valid.province.is_current and valid.issued_on >= DISTRICTS_ABOLISHED:
        reader.problem("province", f"Tỉnh {valid.province.name} đã sáp nhập vào "
                                   f"{successor_of(valid.province).name} từ 01/07/2025.")


def validate_row(row: SheetRow, *, base_dir: Path, problems: list[ImportProblem]) -> ValidRow | None:
    """The row parsed and checked, or None (its problems appended to `problems`)."""
    before = len(problems)
    r = _RowReader(row, problems)
    level = r.get("level", parse_level_value, required=True)
    issued_on = r.get("issued_on", parse_date, required=True)
    province = r.get("province", parse_province_value, required=True)
    product_name = r.get("product_name", _text(300), required=True)
    group = r.get("product_group", parse_group_value, required=True)
    producer_name = r.get("producer_name", _text(300), required=True)
    optional = {
        "certificate_number": r.get("certificate_number", _text(100)),
        "decision_number": r.get("decision_number", _text(100)),
        "decision_date": r.get("decision_date", parse_date),
        "region": r.get("region", parse_region_value),
        "description": r.get("description", lambda v: clean_multiline(v, max_length=5000)),
        "legal_form": r.get("legal_form", parse_legal_form),
        "address": r.get("address", _text(500)),
        "phone": r.get("phone", parse_phone),
        "email": r.get("email", parse_email),
        "website": r.get("website", parse_website),
        "score": r.get("score", parse_score),
    }
    image_paths = _image_paths(r, base_dir)
    if None in (level, issued_on, province, product_name, group, producer_name):
        return None
    assert level and issued_on and province and product_name and group and producer_name  # noqa: S101
    valid = ValidRow(row=row.number, level=level, issued_on=issued_on, province=province,
                     product_name=product_name, group=group, producer_name=producer_name,
                     image_paths=image_paths, **optional)  # type: ignore[arg-type]
    _check_meaning(r, valid)
    return valid if len(problems) == before else None


def find_duplicates(rows: list[ValidRow]) -> list[ImportProblem]:
    """Rows repeating an earlier row's product, level and issue date, or giving it another group."""
    first_seen: dict[tuple[object, ...], int] = {}
    groups: dict[tuple[str, str, str], ValidRow] = {}
    problems: list[ImportProblem] = []
    for valid in rows:
        earlier = groups.setdefault(valid.product_key, valid)
        if earlier.group != valid.group:
            message = f"Nhóm sản phẩm khác với dòng {earlier.row} của cùng sản phẩm ({earlier.group.label})."
            problems.append(ImportProblem(valid.row, "product_group", message))
        key = (*valid.product_key, valid.level, valid.issued_on)
        if key in first_seen:
            message = f"Trùng với dòng {first_seen[key]} (cùng sản phẩm, cấp và ngày cấp)."
            problems.append(ImportProblem(valid.row, "product_name", message))
        else:
            first_seen[key] = valid.row
    return problems


def _process_file(path: Path) -> ProcessedImage | ImageRejected:
    """Decode one photo file; a rejection is returned, not raised, so every file is checked."""
    try:
        return process_image(path.read_bytes(), filename=path.name)
    except ImageRejected as exc:
        return exc


def process_images(rows: list[ValidRow], problems: list[ImportProblem]) -> dict[Path, ProcessedImage]:
    """Every distinct photo of the file decoded once (in parallel threads: Pillow releases the GIL)."""
    first_row: dict[Path, int] = {}
    for valid in rows:
        for path in valid.image_paths:
            first_row.setdefault(path, valid.row)
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(first_row, pool.map(_process_file, first_row), strict=True))
    processed: dict[Path, ProcessedImage] = {}
    for path, result in results.items():
        if isinstance(result, ImageRejected):
            problems.append(ImportProblem(first_row[path], "images", result.message))
        else:
            processed[path] = result
    return processed
