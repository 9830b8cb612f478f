"""Office pages for misuse reports: the list, one report with its history, its moves and its private photo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.domain.states import ReportState, parse_state
from app.forms.records import parse_form
from app.forms.report_handling import REPORT_STATE_FIELDS, ReportStateForm
from app.forms.text import text_fields
from app.services.office.account import Account
from app.services.office.report_handling import change_report_state, report_detail, report_photo_path
from app.services.office.report_listing import ReportFilters, list_reports
from app.web.deps import AccountDep, PostedDep, RowId, SessionDep, SettingsDep, check_csrf
from app.web.form_flow import submit_form
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
PRIVATE_PHOTO_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
FilterText = Annotated[str, Query(max_length=200)]


@router.get("/bao-cao", name="admin_reports")
def report_list(request: Request, session: SessionDep, account: AccountDep, state: FilterText = "",
                tinh: FilterText = "", tu: FilterText = "", den: FilterText = "", q: FilterText = "",
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    """The reports the account handles, newest first, with filters as plain links and a GET form."""
    filters = ReportFilters(state=state, province=tinh, date_from=tu, date_to=den, q=q)
    listing = list_reports(session=session, account=account, filters=filters, page=page)
    context = {"account": account, "listing": listing}
    status = 422 if listing.errors else 200
    return templates.TemplateResponse(request, "admin/reports/list.html", context, status_code=status)


def _report_page(request: Request, session: SessionDep, account: Account, report_id: int, *,
                 values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                 status: int = 200) -> Response:
    """The report page, with what was typed and the refusal after a refused move."""
    detail = report_detail(session=session, account=account, report_id=report_id)
    moved = parse_state(ReportState, request.query_params.get("da-chuyen", ""))
    context = {"account": account, "detail": detail, "values": values or {}, "errors": errors or {},
               "moved": moved}
    return templates.TemplateResponse(request, "admin/reports/detail.html", context, status_code=status)


@router.get("/bao-cao/{report_id}", name="admin_report")
def report_page(request: Request, session: SessionDep, account: AccountDep, report_id: RowId) -> Response:
    """One report: what was typed, the product it concerns, the photo, the history and the next moves."""
    return _report_page(request, session, account, report_id)


@router.post("/bao-cao/{report_id}/trang-thai")
def report_state(request: Request, session: SessionDep, account: AccountDep, report_id: RowId,
                 posted: PostedDep) -> Response:
    """Move the report with a note; refused → the page again (422) with the note kept; another's → 404."""
    values = text_fields(posted, REPORT_STATE_FIELDS)
    return submit_form(
        request, session=session, search=None, parsed=parse_form(ReportStateForm, values),
        save=lambda form: change_report_state(session=session, account=account, report_id=report_id,
                                              to_state=form.state, note=form.note),
        rerender=lambda errors: _report_page(request, session, account, report_id, values=values,
                                             errors=errors, status=422),
        error_field="state",
        redirect_to=lambda report: f"/quan-ly/bao-cao/{report.id}?da-chuyen={report.state}")


@router.get("/bao-cao/{report_id}/anh", name="admin_report_photo")
def report_photo(session: SessionDep, account: AccountDep, settings: SettingsDep,
                 report_id: RowId) -> Response:
    """The report's photo from the private store, never cached by a browser or a proxy."""
    path = report_photo_path(session=session, account=account, report_id=report_id,
                             private_dir=settings.private_media_path)
    return FileResponse(path, media_type="image/jpeg", headers=PRIVATE_PHOTO_HEADERS)
