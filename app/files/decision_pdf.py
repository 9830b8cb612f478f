"""A selection round's decision document: a PDF checked by its content, stored once under its hash.

Only a real PDF is taken (a `%PDF-` header and an `%%EOF` trailer, at most MAX_DECISION_BYTES): an HTML
page or a program renamed `.pdf`, or an empty file, is refused with a message naming the file. The file
is public (it is what a certificate rests on), so it lives under the media folder:
`{MEDIA_DIR}/decisions/{h[:2]}/{h}/quyet-dinh.pdf`, written once and never changed in place.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from app.errors import DomainError
from app.files.media import variant_dir, write_atomically

MAX_DECISION_BYTES = 20 * 1024 * 1024
STORED_NAME = "quyet-dinh.pdf"
PDF_MAGIC = b"%PDF-"
_TRAILER_WINDOW = 2048
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DecisionPdfRejected(DomainError):
    """A file that is not a decision PDF the site will publish; the message says why, in Vietnamese."""


@dataclass(frozen=True, slots=True)
class CheckedPdf:
    """A PDF that passed: its SHA-256, size and bytes."""

    content_hash: str
    size: int
    data: bytes


def check_decision_pdf(data: bytes, *, filename: str) -> CheckedPdf:
    """The checked PDF, or DecisionPdfRejected: empty, too large, not a PDF, or cut short."""
    if not data:
        raise DecisionPdfRejected(f"Tệp {filename} trống (0 byte): hãy chọn tệp PDF của quyết định.")
    if len(data) > MAX_DECISION_BYTES:
        raise DecisionPdfRejected(f"Tệp {filename} lớn hơn {MAX_DECISION_BYTES // 2**20} MB.")
    if not data.startswith(PDF_MAGIC):
        raise DecisionPdfRejected(f"Tệp {filename} không phải tệp PDF: chỉ nhận bản PDF của quyết định.")
    if b"%%EOF" not in data[-_TRAILER_WINDOW:]:
        raise DecisionPdfRejected(f"Tệp {filename} bị hỏng hoặc không đầy đủ "
                                  "(không có phần kết của tệp PDF).")
    return CheckedPdf(hashlib.sha256(data).hexdigest(), len(data), data)


def decision_pdf_path(folder: Path, content_hash: str) -> Path:
    """Where the PDF with this hash is stored under `folder` (the media folder's `decisions/`)."""
    return variant_dir(folder, content_hash) / STORED_NAME


def write_decision_pdf(folder: Path, checked: CheckedPdf) -> list[Path]:
    """Write the PDF unless the same bytes are stored already; the paths written (to undo a failure)."""
    path = decision_pdf_path(folder, checked.content_hash)
    if path.exists():
        return []
    write_atomically(path, checked.data)
    return [path]


def safe_pdf_filename(uploaded: str | None) -> str:
    """An ASCII file name for Content-Disposition: the uploaded stem without diacritics, ending in .pdf."""
    stem = (uploaded or "").rsplit(".", 1)[0] if "." in (uploaded or "") else (uploaded or "")
    ascii_stem = unicodedata.normalize("NFD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = ascii_stem.encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("-", ascii_stem).strip("-.")[:80]
    return f"{cleaned or 'quyet-dinh'}.pdf"
