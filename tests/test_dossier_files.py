"""Attached files are told by their content: real office documents pass, look-alikes do not."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image

from app.files.dossier import DocumentRejected, check_document, download_name, stored_path, write_document


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active.append(["Tên sản phẩm", "Nước mắm"])  # type: ignore[union-attr]
    book.save(out)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>"})


@pytest.mark.parametrize(("data", "media_type"), [
    (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (ODT, "application/vnd.oasis.opendocument.text"),
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"),
])
def test_accepted_documents_by_content(data: bytes, media_type: str) -> None:
    assert check_document(data, filename="ho-so.bin").media_type == media_type


@pytest.mark.parametrize("data", [
    _zip({"readme.txt": b"not an office document"}),  # a ZIP, but no document inside
    b"%PDF-1.4\n<script>cut short",  # a PDF header without its end
    b"MZ\x90\x00 an executable",
    b"<html><body>PDF</body></html>",
])
def test_look_alikes_are_refused_naming_the_file(data: bytes) -> None:
    with pytest.raises(DocumentRejected, match="gia-mao.pdf"):
        check_document(data, filename="gia-mao.pdf")


@pytest.mark.parametrize("kind", ["PNG", "HEIF"])  # HEIF: what phones take (.heic), read by pillow-heif
def test_a_photo_is_re_encoded_and_stored_once_under_its_hash(tmp_path: Path, kind: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 60)).save(out, kind)
    checked = check_document(out.getvalue(), filename="anh.png")
    assert checked.media_type == "image/jpeg" and checked.image is not None
    assert write_document(tmp_path, checked) and write_document(tmp_path, checked) == []
    path = stored_path(tmp_path, checked.content_hash, checked.media_type)
    assert path.read_bytes().startswith(b"\xff\xd8") and checked.content_hash in str(path)
    assert download_name("anh.png", checked.media_type) == "anh.jpg"
