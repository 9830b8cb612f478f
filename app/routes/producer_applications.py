"""A producer's applications (/tai-khoan/ho-so): start one from a call, edit, attach files, submit, download.

Plain forms that work without JavaScript. The file upload is read within its size limits as it
streams, before anything is checked, so its CSRF token is checked after the read (as the office's
photo upload does); every other form uses `check_csrf`. Another account's application or file is 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.calls import points_text
from app.domain.groups import ProductGroup
from app.domain.messages import N_
from app.errors import CsrfRejected
from app.files.dossier import (
    ACCEPTED_WORDS,
    MAX_DOSSIER_BYTES,
    MAX_FILE_BYTES,
    DocumentRejected,
    check_document,
)
from app.forms.applications import application_fields, parse_application_form, score_field
from app.forms.text import one_line, text_fields
from app.forms.uploads import FormRejected, read_form, read_upload
from app.i18n import gettext, lang_url
from app.models import ProducerAccount, utcnow
from app.services.applications.common import ApplicationDetail, attached_file, missing_items
from app.services.applications.producer import (
    add_file,
    earlier_applications,
    open_call,
    own_detail,
    remove_file,
    save_draft,
    start_application,
    submit_application,
)
from app.services.catalog.calls import get_call_page
from app.web.auth import CSRF_FIELD, csrf_valid
from app.web.deps import PostedDep, ProducerAccountDep, RowId, SessionDep, SettingsDep, TodayDep, check_csrf
from app.web.dossier_files import private_file
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/tai-khoan/ho-so", default_response_class=HTMLResponse)
CSRF = [Depends(check_csrf)]
FILE_FIELD = "file"
MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 512 * 1024  # one file and the form's few text fields
LIMITS = {"file_mb": MAX_FILE_BYTES // 2**20, "dossier_mb": MAX_DOSSIER_BYTES // 2**20,
          "formats": ACCEPTED_WORDS}
NOTICES = {  # Vietnamese msgids, translated when shown
    "luu": N_("Đã lưu bản nháp."),
    "tep": N_("Đã thêm tệp vào hồ sơ."),
    "go": N_("Đã gỡ tệp khỏi hồ sơ."),
    "nop": N_("Đã nộp hồ sơ. Sở Công Thương sẽ kiểm tra và báo kết quả qua e-mail."),
}


def _area(application_id: int, notice: str = "") -> str:
    """The application's page in the page's language, with a notice key."""
    return lang_url(f"/tai-khoan/ho-so/{application_id}") + (f"?tb={notice}" if notice else "")


def _values(detail: ApplicationDetail) -> dict[str, str]:
    """The form's fields as the application holds them."""
    application = detail.application
    values = {"product_name": application.product_name, "group": application.group,
              "description": application.description}
    values |= {score_field(line.criterion): points_text(line.points) for line in detail.scores
               if line.points is not None}
    return values


def _page(request: Request, account: ProducerAccount, detail: ApplicationDetail, *,
          values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
          notice: str = "", status: int = 200) -> Response:
    """The application: its form while the producer may change it, else what was sent, read-only."""
    context = {"account": account, "detail": detail, "values": _values(detail) if values is None else values,
               "errors": errors or {}, "notice_text": notice, "groups": list(ProductGroup), "limits": LIMITS,
               "missing": missing_items(detail), "score_field": score_field}
    return templates.TemplateResponse(request, "producer_area/application.html", context, status_code=status)


@router.get("/moi", name="application_start_form")
def start_form(request: Request, session: SessionDep, account: ProducerAccountDep, today: TodayDep,
               dot: Annotated[int, Query(ge=1, le=2**63 - 1)]) -> Response:
    """The call and a button that starts the application (or opens the one the producer has)."""
    return _start_page(request, session, account, today, dot)


def _start_page(request: Request, session: SessionDep, account: ProducerAccount, today: TodayDep,
                round_id: int, errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    """The call, the account's earlier dossiers to start from, and the start button."""
    context = {"account": account, "page": get_call_page(session=session, round_id=round_id, today=today),
               "earlier": earlier_applications(session=session, account=account, round_id=round_id),
               "errors": errors or {}}
    return templates.TemplateResponse(request, "producer_area/application_start.html", context,
                                      status_code=status)


@router.post("", name="application_start", dependencies=CSRF)
def start(request: Request, session: SessionDep, account: ProducerAccountDep, today: TodayDep,
          posted: PostedDep) -> Response:
    """Start the application, empty or from an earlier dossier (`tu`), or open the existing one;
    refused → the start page again (422)."""
    round_id, from_id = _row_id(posted.get("round", "")), _row_id(posted.get("tu", ""))
    open_call(session, round_id)  # 404 for a round without a call
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: start_application(session=session, account=account, round_id=round_id, now=utcnow(),
                                           from_id=from_id or None),
        refused=lambda error: _start_page(request, session, account, today, round_id,
                                          field_errors(error, "round"), 422),
        redirect_to=lambda application: _area(application.id or 0))


def _row_id(posted: str) -> int:
    """A posted row id, 0 for anything else (empty, forged, too long)."""
    text = one_line(posted)
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _detail(session: SessionDep, account: ProducerAccountDep, application_id: RowId) -> ApplicationDetail:
    """The account's own application (404 for another's, the sign-in page when signed out)."""
    return own_detail(session=session, account=account, application_id=application_id, now=utcnow())


DetailDep = Annotated[ApplicationDetail, Depends(_detail)]


@router.get("/{application_id}", name="application")
def application_page(request: Request, account: ProducerAccountDep, detail: DetailDep,
                     tb: str = "") -> Response:
    """The application: editable while a draft or returned and the call is open, else read-only."""
    return _page(request, account, detail, notice=gettext(NOTICES[tb]) if tb in NOTICES else "")


@router.post("/{application_id}", dependencies=CSRF)
def save(request: Request, session: SessionDep, account: ProducerAccountDep, detail: DetailDep,
         posted: PostedDep) -> Response:
    """Save the draft; refused → the form again (422) with one message per field."""
    criteria = [line.criterion for line in detail.scores]
    values = text_fields(posted, application_fields(criteria))
    form, errors = parse_application_form(values, criteria)
    if form is None:
        return _page(request, account, detail, values=values, errors=errors, status=422)
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: save_draft(session=session, account=account, detail=detail, form=form),
        refused=lambda error: _page(request, account, detail, values=values,
                                    errors=field_errors(error, "state"), status=422),
        redirect_to=_area(detail.application.id or 0, "luu"))


@router.post("/{application_id}/nop", dependencies=CSRF)
def submit(request: Request, session: SessionDep, account: ProducerAccountDep, detail: DetailDep) -> Response:
    """Submit: refused (422) naming what is missing, or after the call's closing day."""
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: submit_application(session=session, account=account, detail=detail),
        refused=lambda error: _page(request, account, detail, errors=field_errors(error, "submit"),
                                    status=422),
        redirect_to=_area(detail.application.id or 0, "nop"))


@dataclass(slots=True)
class PostedFile:
    """The upload form: its text fields and its one file, or why the whole request was refused."""

    fields: dict[str, str] = field(default_factory=dict)
    upload: tuple[str, bytes] | None = None
    refused: str = ""


async def _posted_file(request: Request) -> AsyncIterator[PostedFile]:
    """The upload read within its limits; its temporary file is closed after the response."""
    try:
        form = await read_form(request, max_bytes=MAX_UPLOAD_BYTES)
    except FormRejected:
        yield PostedFile(refused=gettext("Tệp gửi lên quá lớn hoặc không hợp lệ (mỗi lần một tệp, "
                                         "tối đa %(max)s MB).") % {"max": LIMITS["file_mb"]})
        return
    try:
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        yield PostedFile(fields=fields, upload=await read_upload(form, FILE_FIELD))
    finally:
        await form.close()


PostedFileDep = Annotated[PostedFile, Depends(_posted_file)]


@router.post("/{application_id}/tep")
def upload(request: Request, session: SessionDep, settings: SettingsDep, account: ProducerAccountDep,
           detail: DetailDep, posted: PostedFileDep) -> Response:
    """Check the file by its content and attach it to the chosen checklist item; refused → 413/422."""
    if not posted.refused and not csrf_valid(request.session, posted.fields.get(CSRF_FIELD)):
        raise CsrfRejected(gettext("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                   "Vui lòng tải lại trang và thử lại."))
    if posted.refused:
        return _page(request, account, detail, errors={"file": posted.refused}, status=413)
    if posted.upload is None:
        return _page(request, account, detail, errors={"file": gettext("Vui lòng chọn tệp để tải lên.")},
                     status=422)
    filename, data = posted.upload
    try:
        checked = check_document(data, filename=filename)
    except DocumentRejected as error:
        return _page(request, account, detail, errors={"file": error.message}, status=422)
    key = one_line(posted.fields.get("document", ""))

    def attach() -> object:
        with add_file(session=session, account=account, detail=detail, document_key=key, filename=filename,
                      checked=checked, folder=settings.dossier_path) as stored:
            session.commit()  # inside: a failed commit removes the file just written
        return stored

    return run_use_case(request, session=session, search=None, use_case=attach,
                        refused=lambda error: _page(request, account, detail,
                                                    errors=field_errors(error, "file"), status=422),
                        redirect_to=_area(detail.application.id or 0, "tep"))


@router.post("/{application_id}/tep/{file_id}/xoa", dependencies=CSRF)
def remove(request: Request, session: SessionDep, account: ProducerAccountDep, detail: DetailDep,
           file_id: RowId) -> Response:
    """Take a file off a draft or returned application."""
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: remove_file(session=session, account=account, detail=detail, file_id=file_id),
        refused=lambda error: _page(request, account, detail, errors=field_errors(error, "file"), status=422),
        redirect_to=_area(detail.application.id or 0, "go"))


@router.get("/{application_id}/tep/{file_id}", name="application_file")
def download(settings: SettingsDep, detail: DetailDep, file_id: RowId) -> Response:
    """One of the application's files, as a download never cached nor sniffed."""
    stored, path = attached_file(detail, file_id, settings.dossier_path)
    return private_file(path, stored)
