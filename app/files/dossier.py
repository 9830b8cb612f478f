"""Check a file attached to an application by its content, never by its name or the type the browser posted.

Accepted: PDF (a `%PDF-` header and an `%%EOF` trailer), office documents (DOCX, XLSX, ODT, ODS: a
readable ZIP archive holding the parts that make each one, within the spreadsheet guard's archive
limits) and photos (JPEG, PNG, HEIC and the other formats of the photo pipeline: decoded, turned
upright and re-encoded by `process_image`, so no metadata is kept). Anything else, an HTML page named
`.pdf` included, is refused with a message naming the file and the accepted formats.
Files are stored content-addressed in a private folder (`dossier_path`), never served under /media.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import DomainError
from app.files.images import MAX_IMAGE_BYTES, ImageRejected, ProcessedImage, process_image
from app.files.media import variant_dir, write_atomically
from app.files.xlsx_guard import MAX_UNPACKED_BYTES, MAX_XLSX_ENTRIES
from app.i18n import gettext

MAX_FILE_BYTES = MAX_IMAGE_BYTES  # per file: 20 MB
MAX_DOSSIER_BYTES = 60 * 1024 * 1024  # every file of one application together
ACCEPTED_WORDS = "PDF, JPEG, PNG, HEIC, DOCX, XLSX, ODT, ODS"
IMAGE_WIDTH = 1280  # the variant kept of a photo: the largest the pipeline makes
STORED_NAME = "tep"  # a non-image file's name in its content-addressed folder
_PDF_TRAILER_WINDOW = 2048
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": ("application/vnd.oasis.opendocument.text", "odt"),
    b"application/vnd.oasis.opendocument.spreadsheet": (
        "application/vnd.oasis.opendocument.spreadsheet", "ods"),
}
_OOXML_PARTS = (
    ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
)

_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", **dict(_ODF_TYPES.values()),
               **{media_type: extension for _, media_type, extension in _OOXML_PARTS}}


class DocumentRejected(DomainError):
    """A file that may not be attached; the message names it (in the request's language)."""


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A file that passed: its hash, what it is, and either its bytes or the photo's variants."""

    content_hash: str
    media_type: str
    extension: str
    size: int
    data: bytes = b""
    image: ProcessedImage | None = None


def _refused(filename: str) -> DocumentRejected:
    """The refusal of a file of a kind not accepted."""
    message = gettext("Tệp %(name)s không phải loại được nhận (chỉ nhận %(formats)s).")
    return DocumentRejected(message % {"name": filename, "formats": ACCEPTED_WORDS})


def _office_kind(data: bytes, filename: str) -> tuple[str, str]:
    """(media type, extension) of a DOCX, XLSX, ODT or ODS archive; DocumentRejected for any other ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_XLSX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise _refused(filename)
            names = {info.filename for info in infos}
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                kind = _ODF_TYPES.get(archive.read("mimetype").strip())
                if kind is not None and "content.xml" in names:
                    return kind
            for part, media_type, extension in _OOXML_PARTS:
                if part in names and "[Content_Types].xml" in names:
                    archive.read(part)  # a damaged part fails its CRC here
                    return media_type, extension
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        pass
    raise _refused(filename)


def check_document(data: bytes, *, filename: str) -> CheckedDocument:
    """The checked file, or DocumentRejected: empty, over MAX_FILE_BYTES, or not an accepted kind."""
    if not data:
        raise DocumentRejected(gettext("Tệp %(name)s trống.") % {"name": filename})
    if len(data) > MAX_FILE_BYTES:
        message = gettext("Tệp %(name)s lớn hơn %(max)s MB.")
        raise DocumentRejected(message % {"name": filename, "max": MAX_FILE_BYTES // 2**20})
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-_PDF_TRAILER_WINDOW:]:
            message = gettext("Tệp %(name)s bị hỏng hoặc không đầy đủ (không có phần kết của tệp PDF).")
            raise DocumentRejected(message % {"name": filename})
        return CheckedDocument(digest, "application/pdf", "pdf", len(data), data=data)
    if data.startswith(b"PK\x03\x04"):
        media_type, extension = _office_kind(data, filename)
        return CheckedDocument(digest, media_type, extension, len(data), data=data)
    try:
        image = process_image(data, filename=filename)
    except ImageRejected:
        raise _refused(filename) from None
    return CheckedDocument(image.content_hash, "image/jpeg", "jpg", len(data), image=image)


def stored_path(folder: Path, content_hash: str, media_type: str) -> Path:
    """Where a checked file lives: a photo's largest JPEG variant, else the file's own bytes."""
    name = f"{IMAGE_WIDTH}.jpg" if media_type == "image/jpeg" else STORED_NAME
    return variant_dir(folder, content_hash) / name


def write_document(folder: Path, checked: CheckedDocument) -> list[Path]:
    """Write the file (a photo: its JPEG variant) unless it is there already; the paths written."""
    path = stored_path(folder, checked.content_hash, checked.media_type)
    if path.exists():
        return []
    data = checked.image.variants[(IMAGE_WIDTH, "jpg")] if checked.image is not None else checked.data
    write_atomically(path, data)
    return [path]


def download_name(filename: str, media_type: str) -> str:
    """The name a download is saved under: the uploaded name with the extension of what is stored."""
    extension = _EXTENSIONS.get(media_type, "bin")
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem or 'tep'}.{extension}"
