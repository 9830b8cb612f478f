"""A file of an application as a response: a download, never cached, never sniffed (producer and office)."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

from app.files.dossier import download_name
from app.models import ApplicationFile

PRIVATE_FILE_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def private_file(path: Path, stored: ApplicationFile) -> FileResponse:
    """The stored bytes as an attachment under the uploaded name (with the extension of what is stored)."""
    return FileResponse(path, media_type=stored.media_type, headers=PRIVATE_FILE_HEADERS,
                        filename=download_name(stored.filename, stored.media_type),
                        content_disposition_type="attachment")
