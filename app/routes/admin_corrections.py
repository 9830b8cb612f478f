"""Office pages for reports of wrong information: the list, one report with its history and its moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.states import ReportState, parse_state
from app.forms.records import parse_form
from app.forms.report_handling import REPORT_STATE_FIELDS, ReportStateForm
from app.forms.text import text_fields
from app.services.office.account import Account
from app.services.office.correction_handling import (
    change_correction_state,
    correction_detail,
    correction_label,
    list_corrections,
)
from app.web.deps import AccountDep, PostedDep, RowId, SessionDep, check_csrf
from app.web.form_flow import submit_form
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])


@router.get("/bao-sai", name="admin_corrections")
def correction_list(request: Request, session: SessionDep, account: AccountDep,
                    state: Annotated[str, Query(max_length=16)] = "",
                    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    """The correction reports the account handles, newest first, filtered by state with plain links."""
    listing = list_corrections(session=session, account=account, state=state, page=page)
    context = {"account": account, "listing": listing, "states": list(ReportState),
               "label": correction_label}
    return templates.TemplateResponse(request, "admin/corrections/list.html", context)


def _correction_page(request: Request, session: SessionDep, account: Account, report_id: int, *,
                     values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                     status: int = 200) -> Response:
    """The report page, with what was typed and the refusal after a refused move."""
    detail = correction_detail(session=session, account=account, report_id=report_id)
    moved = parse_state(ReportState, request.query_params.get("da-chuyen", ""))
    context = {"account": account, "detail": detail, "values": values or {}, "errors": errors or {},
               "moved": correction_label(moved) if moved else "", "label": correction_label}
    return templates.TemplateResponse(request, "admin/corrections/detail.html", context, status_code=status)


@router.get("/bao-sai/{correction_id}", name="admin_correction")
def correction_page(request: Request, session: SessionDep, account: AccountDep,
                    correction_id: RowId) -> Response:
    """One correction report: what was sent, the record it concerns, the history and the next moves."""
    return _correction_page(request, session, account, correction_id)


@router.post("/bao-sai/{correction_id}/trang-thai")
def correction_state(request: Request, session: SessionDep, account: AccountDep, correction_id: RowId,
                     posted: PostedDep) -> Response:
    """Move the report with a note; refused → the page again (422) with the note kept; another's → 404."""
    values = text_fields(posted, REPORT_STATE_FIELDS)
    return submit_form(
        request, session=session, search=None, parsed=parse_form(ReportStateForm, values),
        save=lambda form: change_correction_state(session=session, account=account, report_id=correction_id,
                                                  to_state=form.state, note=form.note),
        rerender=lambda errors: _correction_page(request, session, account, correction_id, values=values,
                                                 errors=errors, status=422),
        error_field="state",
        redirect_to=lambda report: f"/quan-ly/bao-sai/{report.id}?da-chuyen={report.state}")
