"""Photos of many products at once (/quan-ly/anh-hang-loat): upload, preview the matches, confirm.

A plain multipart form with `multiple` (no JavaScript needed). Like a product's photo upload, the
body is read within this page's own size limit before anything is decoded, so its CSRF token is
checked after the read; the confirmation uses the `check_csrf` dependency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from app.config import Settings
from app.db import commit_and_index
from app.errors import CsrfRejected, InvalidInput
from app.files.images import MAX_IMAGE_BYTES
from app.files.photo_bundle import MAX_ENTRIES, MAX_TOTAL_BYTES, unpack
from app.forms.uploads import FormRejected, RequestTooLarge, display_filename, read_form
from app.services.records.bulk_photos import AlreadyApplied, apply_staging, finish, load_staging, stage_upload
from app.web.auth import CSRF_FIELD, csrf_valid
from app.web.deps import AccountDep, SearchDep, SessionDep, SettingsDep, check_csrf
from app.web.form_flow import see_other
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly/anh-hang-loat", default_response_class=HTMLResponse)
BASE = "/quan-ly/anh-hang-loat"
PHOTOS_FIELD = "photos"
MAX_FILES = 100  # chosen files per upload (a .zip counts as one)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # this page only: spooled to temporary files as it streams
LIMITS = {"files": MAX_FILES, "entries": MAX_ENTRIES, "upload_mb": MAX_UPLOAD_BYTES // 2**20,
          "photo_mb": MAX_IMAGE_BYTES // 2**20, "total_mb": MAX_TOTAL_BYTES // 2**20}
TokenPath = Annotated[str, PathParam(max_length=64)]


def staging_root(settings: Settings) -> Path:
    """Where uploads wait between preview and confirmation: private, never served."""
    return settings.data_dir / "private" / "bulk-photos"


def _form_page(request: Request, account: AccountDep, *, error: str = "", status: int = 200) -> Response:
    """The upload form, with why the last upload was refused."""
    context = {"account": account, "limits": LIMITS, "error": error}
    return templates.TemplateResponse(request, "admin/bulk_photos/upload.html", context, status_code=status)


@router.get("", name="admin_bulk_photos")
def upload_form(request: Request, account: AccountDep) -> Response:
    """How to name the files, and the upload form."""
    return _form_page(request, account)


def _refusal(error: FormRejected) -> str:
    """This page's words for a request refused as a whole."""
    if isinstance(error, RequestTooLarge):
        return (f"Lần tải lên quá lớn (tối đa {LIMITS['upload_mb']} MB mỗi lần). "
                "Hãy chia ảnh thành nhiều lần tải.")
    return f"Biểu mẫu gửi lên không hợp lệ (tối đa {MAX_FILES} tệp mỗi lần tải)."


@router.post("")
async def upload(request: Request, session: SessionDep, account: AccountDep,
                 settings: SettingsDep) -> Response:
    """Check and match every file, keep them for the preview, then show it (redirect after POST)."""
    try:
        form = await read_form(request, max_bytes=MAX_UPLOAD_BYTES, max_files=MAX_FILES)
    except FormRejected as error:
        return _form_page(request, account, error=_refusal(error), status=error.status_code)
    try:
        posted_token = form.get(CSRF_FIELD)
        if not csrf_valid(request.session, posted_token if isinstance(posted_token, str) else None):
            raise CsrfRejected("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                               "Vui lòng tải lại trang và thử lại.")
        chosen = [(display_filename(value.filename), value.file, value.size or 0)
                  for key, value in form.multi_items()
                  if key == PHOTOS_FIELD and isinstance(value, UploadFile) and (value.filename or value.size)]
        token = stage_upload(session=session, account=account, root=staging_root(settings),
                             files=unpack(chosen))
    except InvalidInput as error:
        return _form_page(request, account, error=error.message, status=422)
    finally:
        await form.close()
    session.rollback()  # nothing was written: the preview only read
    return see_other(request, f"{BASE}/{token}")


@router.get("/{token}", name="admin_bulk_photos_preview")
def preview(request: Request, account: AccountDep, settings: SettingsDep, token: TokenPath) -> Response:
    """Every file with its match, or what was done once confirmed; 404 for another account's upload."""
    staging = load_staging(account=account, root=staging_root(settings), token=token)
    context = {"account": account, "staging": staging, "base": BASE}
    return templates.TemplateResponse(request, "admin/bulk_photos/preview.html", context)


@router.post("/{token}/ap-dung", dependencies=[Depends(check_csrf)])
def confirm(request: Request, session: SessionDep, search: SearchDep, settings: SettingsDep,
            account: AccountDep, token: TokenPath) -> Response:
    """Attach the matched photos in one transaction, audited; a second confirmation changes nothing."""
    root = staging_root(settings)
    try:
        with apply_staging(session=session, account=account, root=root, token=token,
                           media_dir=settings.media_path) as counts:
            commit_and_index(session=session, engine=search)
    except AlreadyApplied:
        return see_other(request, f"{BASE}/{token}")
    finish(root=root, token=token, counts=counts)
    return see_other(request, f"{BASE}/{token}")
