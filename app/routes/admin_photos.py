"""A product's photos in the office: upload (several at once), alt texts, cover, order, removal.

Plain forms that work without JavaScript (photos.js only adds drag and drop). The upload is
read within size limits as it streams, before anything is decoded, so its CSRF token is
checked after the read instead of by the `check_csrf` dependency (which would read the
whole body first); every other form uses `check_csrf`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from app.db import commit_and_index
from app.errors import CsrfRejected, NotFound
from app.files.images import MAX_ASPECT_RATIO, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from app.forms.uploads import FormRejected, RequestTooLarge, display_filename, read_form
from app.models import Product
from app.services.records.photos import (
    UploadedFile,
    add_photos,
    alt_problem,
    move_photo,
    photo_page,
    photo_product,
    process_uploads,
    remove_photo,
    save_alt_texts,
    set_cover,
)
from app.web.auth import CSRF_FIELD, csrf_valid
from app.web.confirmation import confirmation_page, confirmed
from app.web.deps import AccountDep, RowId, SearchDep, SessionDep, SettingsDep, check_csrf
from app.web.templating import templates
from search.engine import SearchEngine

router = APIRouter(prefix="/quan-ly/san-pham/{product_id}/anh", default_response_class=HTMLResponse)
PHOTOS_FIELD = "photos"
MAX_PHOTOS = 10  # per upload
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # per upload: spooled to temporary files, never held in memory
NOTICES = {
    "them": "Đã thêm ảnh. Văn bản thay thế của các ảnh mới là văn bản bạn đã nhập: "
            "hãy xem lại và mô tả riêng từng ảnh bên dưới.",
    "trung": "Các ảnh này đã có trong sản phẩm: không có ảnh mới.",
    "mo-ta": "Đã lưu văn bản thay thế.",
    "bia": "Đã đặt ảnh bìa.",
    "thu-tu": "Đã đổi thứ tự ảnh.",
    "go": "Đã gỡ ảnh khỏi sản phẩm. Có thể tải lại ảnh này bất cứ lúc nào.",
}
LIMITS = {"photo_mb": MAX_IMAGE_BYTES // 2**20, "megapixels": MAX_IMAGE_PIXELS // 1_000_000,
          "aspect": MAX_ASPECT_RATIO, "photos": MAX_PHOTOS, "upload_mb": MAX_UPLOAD_BYTES // 2**20}


def _product(session: SessionDep, account: AccountDep, product_id: RowId) -> Product:
    """The product, if the signed-in account manages its province (404 otherwise, 302 when anonymous)."""
    return photo_product(session=session, account=account, product_id=product_id)


ProductDep = Annotated[Product, Depends(_product)]


@dataclass(slots=True)
class PostedPhotos:
    """The upload form: its text fields and files, or why the whole request was refused."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)
    refused: FormRejected | None = None


def _posted_of(form: FormData) -> PostedPhotos:
    """Text fields (the first of each name) and the chosen files (an empty file input sends none)."""
    posted = PostedPhotos()
    for key, value in form.multi_items():
        if isinstance(value, str):
            posted.fields.setdefault(key, value)
        elif key == PHOTOS_FIELD and isinstance(value, UploadFile) and (value.filename or value.size):
            name = display_filename(value.filename)
            posted.files.append(UploadedFile(filename=name, size=value.size or 0, file=value.file))
    return posted


def _refusal(error: FormRejected) -> FormRejected:
    """The upload's own words for a request refused as a whole."""
    if isinstance(error, RequestTooLarge):
        return RequestTooLarge(f"Lần tải lên quá lớn (tối đa {LIMITS['upload_mb']} MB mỗi lần). "
                               "Hãy chia ảnh thành nhiều lần tải.")
    return FormRejected(f"Biểu mẫu gửi lên không hợp lệ (tối đa {MAX_PHOTOS} ảnh mỗi lần tải).")


async def _posted_photos(request: Request) -> AsyncIterator[PostedPhotos]:
    """The upload read within the limits; its temporary files are closed after the response."""
    try:
        form = await read_form(request, max_bytes=MAX_UPLOAD_BYTES, max_files=MAX_PHOTOS)
    except FormRejected as error:
        yield PostedPhotos(refused=_refusal(error))
        return
    try:
        yield _posted_of(form)
    finally:
        await form.close()


PostedPhotosDep = Annotated[PostedPhotos, Depends(_posted_photos)]


async def _alt_fields(request: Request) -> dict[int, str]:
    """The posted `alt-{photo id}` fields (the form is already parsed by check_csrf)."""
    form = await request.form()
    return {int(key[4:]): value for key, value in form.multi_items()
            if key.startswith("alt-") and key[4:].isdigit() and isinstance(value, str)}


AltFieldsDep = Annotated[dict[int, str], Depends(_alt_fields)]


def _page(request: Request, session: SessionDep, account: AccountDep, product: Product, *,
          status: int = 200, **context: object) -> Response:
    """The management page, with whatever the outcome adds (errors, typed values, a notice)."""
    page = photo_page(session=session, product=product)
    values = {"account": account, "page": page, "limits": LIMITS, "upload_errors": [],
              "alt_errors": {}, "alt_values": {}, "upload_alt": product.name, "notice": "", **context}
    return templates.TemplateResponse(request, "admin/photos/manage.html", values, status_code=status)


def _back(product: Product, notice: str) -> RedirectResponse:
    """Redirect after POST to the page, with a notice."""
    return RedirectResponse(f"/quan-ly/san-pham/{product.id}/anh?tb={notice}", status_code=303)


def _saved(session: Session, search: SearchEngine, product: Product, notice: str) -> RedirectResponse:
    """The use-case boundary: commit, re-index the product (its photos are in its document), redirect."""
    commit_and_index(session=session, engine=search)
    return _back(product, notice)


@router.get("", name="product_photos")
def photos_page(request: Request, session: SessionDep, account: AccountDep, product: ProductDep,
                tb: str = "") -> Response:
    """The product's photos with every control."""
    return _page(request, session, account, product, notice=NOTICES.get(tb, ""))


@router.post("")
def upload_photos(request: Request, session: SessionDep, search: SearchDep, settings: SettingsDep,
                  account: AccountDep, product: ProductDep, posted: PostedPhotosDep) -> Response:
    """Verify every file first; store them all only if none was refused."""
    show = partial(_page, request, session, account, product)
    if posted.refused is not None:
        return show(status=posted.refused.status_code, upload_errors=[posted.refused.message])
    if not csrf_valid(request.session, posted.fields.get(CSRF_FIELD)):
        raise CsrfRejected("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                           "Vui lòng tải lại trang và thử lại.")
    alt = posted.fields.get("alt", "")
    photos, problems = process_uploads(posted.files)
    if not posted.files:
        problems.append("Chưa chọn ảnh nào để tải lên.")
    if problem := alt_problem(alt):
        problems.append(problem)
    if problems:
        return show(status=422, upload_errors=problems, upload_alt=alt)
    with add_photos(session=session, account=account, product=product, photos=photos, alt=alt,
                    media_dir=settings.media_path) as added:
        commit_and_index(session=session, engine=search)  # inside: a failed commit removes the files
    return _back(product, "them" if added else "trung")


@router.post("/mo-ta", dependencies=[Depends(check_csrf)])
def save_alts(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
              product: ProductDep, alts: AltFieldsDep) -> Response:
    """Save every photo's alt text; an empty one re-shows the form (422) and nothing is saved."""
    errors: Mapping[int, str] = {pid: p for pid, text in alts.items() if (p := alt_problem(text))}
    if errors:
        return _page(request, session, account, product, status=422, alt_errors=errors, alt_values=alts)
    save_alt_texts(session=session, account=account, product=product, alts=alts)
    return _saved(session, search, product, "mo-ta")


Action = Literal["bia", "len", "xuong", "go"]


async def _confirmed(request: Request) -> bool:
    """Whether the form came from its confirmation page (the form is already parsed by check_csrf)."""
    form = await request.form()
    return confirmed({key: value for key, value in form.items() if isinstance(value, str)})


def _confirm_removal(request: Request, session: Session, account: AccountDep, product: Product,
                     image_id: int) -> Response:
    """The confirmation step before a photo is taken off the product; 404 for a photo it does not have."""
    rows = photo_page(session=session, product=product).photos
    row = next((r for r in rows if r.view.image.id == image_id), None)
    if row is None:
        raise NotFound("Không tìm thấy ảnh này của sản phẩm.")
    which = f"Ảnh số {row.number}{' (ảnh bìa)' if row.number == 1 else ''}"
    facts = [("Sản phẩm", product.name), ("Ảnh", which), ("Văn bản thay thế", row.view.image.alt)]
    base = f"/quan-ly/san-pham/{product.id}/anh"
    return confirmation_page(
        request, account, title="Xác nhận gỡ ảnh khỏi sản phẩm", facts=facts, button="Gỡ ảnh khỏi sản phẩm",
        lead="Ảnh không còn hiện trên trang sản phẩm. Có thể tải lại ảnh này bất cứ lúc nào.",
        action=f"{base}/{image_id}/go", back=base)


@router.post("/{image_id}/{action}", dependencies=[Depends(check_csrf)])
def photo_action(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
                 product: ProductDep, image_id: RowId, action: Action,
                 is_confirmed: Annotated[bool, Depends(_confirmed)]) -> Response:
    """Make a photo the cover, move it up or down, or (once confirmed) take it off the product."""
    if action == "go" and not is_confirmed:
        return _confirm_removal(request, session, account, product, image_id)
    if action == "bia":
        set_cover(session=session, account=account, product=product, image_id=image_id)
        return _saved(session, search, product, "bia")
    if action == "go":
        remove_photo(session=session, account=account, product=product, image_id=image_id)
        return _saved(session, search, product, "go")
    move_photo(session=session, account=account, product=product, image_id=image_id,
               step=-1 if action == "len" else 1)
    return _saved(session, search, product, "thu-tu")
