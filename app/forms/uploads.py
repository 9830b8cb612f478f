"""Read a posted form within size limits, before anything large reaches a temporary file.

The Content-Length header is checked before a byte of the body is read; a body sent without
one (chunked) or longer than it claimed is counted as it streams and cut off at the limit.
Starlette's parser spools each file to a temporary file; those are closed by the caller.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from app.errors import DomainError
from app.files.images import MAX_IMAGE_BYTES
from app.i18n import gettext

MAX_REQUEST_BYTES = 21 * 1024 * 1024  # one 20 MB photo plus the text fields
MAX_FIELD_BYTES = 64 * 1024  # far above every text limit, so long text gets a field message
MAX_FIELDS = 16
MAX_FILENAME = 120
_READ_CHUNK = 1024 * 1024


class FormRejected(DomainError):
    """A posted form that cannot be read: too large or not a well-formed form."""


class RequestTooLarge(FormRejected):
    """A request body over MAX_REQUEST_BYTES."""

    status_code = 413


def _too_large() -> RequestTooLarge:
    """The message people see when the whole submission is too big."""
    message = gettext("Nội dung gửi lên quá lớn (tối đa %(max)s MB). Hãy chọn ảnh nhỏ hơn %(photo)s MB.")
    return RequestTooLarge(message % {"max": MAX_REQUEST_BYTES // 2**20, "photo": MAX_IMAGE_BYTES // 2**20})


class _OverLimit(MultiPartException):
    """Raised inside the parser so that it closes its temporary files on the way out."""


def _check_declared_length(request: Request, max_bytes: int) -> None:
    """Refuse on the Content-Length header alone, before reading the body."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise FormRejected(gettext("Yêu cầu không hợp lệ."))
    if int(declared) > max_bytes:
        raise _too_large()


async def _counted(stream: AsyncIterator[bytes], max_bytes: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks, stopping with _OverLimit once more than `max_bytes` arrived."""
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > max_bytes:
            raise _OverLimit("over limit")
        yield chunk


async def read_form(request: Request, *, max_bytes: int = MAX_REQUEST_BYTES, max_files: int = 1,
                    max_fields: int = MAX_FIELDS, max_field_bytes: int = MAX_FIELD_BYTES) -> FormData:
    """The posted fields and files, or FormRejected (413 when too large, 400 when malformed)."""
    _check_declared_length(request, max_bytes)
    content_type = request.headers.get("content-type", "")
    stream = _counted(request.stream(), max_bytes)
    try:
        if content_type.startswith("multipart/form-data"):
            return await MultiPartParser(request.headers, stream, max_files=max_files,
                                         max_fields=max_fields, max_part_size=max_field_bytes).parse()
        if content_type.startswith("application/x-www-form-urlencoded"):
            return await FormParser(request.headers, stream, max_fields=max_fields,
                                    max_part_size=max_field_bytes).parse()
    except _OverLimit:
        raise _too_large() from None
    except MultiPartException:
        raise FormRejected(gettext("Biểu mẫu gửi lên không hợp lệ (chỉ được gửi một ảnh).")) from None
    raise FormRejected(gettext("Biểu mẫu gửi lên không hợp lệ."))


async def read_upload(form: FormData, field: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of the one file in `field`; None when no file was chosen."""
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or (not upload.filename and not upload.size):
        return None
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_IMAGE_BYTES and (chunk := await upload.read(_READ_CHUNK)):
        chunks.append(chunk)  # stops just past the limit: process_image refuses it, naming the file
        size += len(chunk)
    return display_filename(upload.filename), b"".join(chunks)


def display_filename(filename: str | None) -> str:
    """The file's own name for messages: no folders, no control characters, not too long."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_FILENAME]
    return name or gettext("ảnh đính kèm")


@dataclass(frozen=True, slots=True)
class PostedForm:
    """A posted form read into memory: its text fields, its one file, or why it was refused."""

    fields: dict[str, str] = field(default_factory=dict)
    upload: tuple[str, bytes] | None = None  # (file name for messages, bytes)
    rejected: FormRejected | None = None


async def read_posted(request: Request, *, file_field: str,
                      max_field_bytes: int = MAX_FIELD_BYTES) -> PostedForm:
    """The whole submission, with temporary files closed before the handler runs.

    `max_field_bytes`: the longest text field (a pasted list is far longer than a report's fields).
    """
    try:
        form = await read_form(request, max_field_bytes=max_field_bytes)
    except FormRejected as exc:
        return PostedForm(rejected=exc)
    try:
        fields: dict[str, str] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, value)  # the first of repeated names, as browsers send one
        return PostedForm(fields=fields, upload=await read_upload(form, file_field))
    finally:
        await form.close()
