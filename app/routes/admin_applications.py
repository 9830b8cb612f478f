"""Applications in the office workspace: a round's list with counts, one application, its decision, files."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.states import ApplicationState
from app.errors import InvalidInput
from app.forms.applications import decision_note
from app.forms.text import text_fields
from app.models import utcnow
from app.services.applications.common import ApplicationDetail, attached_file
from app.services.applications.office import decide_application, office_detail, round_applications
from app.services.jury.board import application_sheets
from app.services.office.account import Account
from app.web.deps import AccountDep, PostedDep, RowId, SessionDep, SettingsDep, check_csrf
from app.web.dossier_files import private_file
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
DECISIONS = {"accept": True, "return": False}
NOTICES = {"accepted": "Đã tiếp nhận hồ sơ; cơ sở được báo qua e-mail.",
           "returned": "Đã trả lại hồ sơ để bổ sung; cơ sở được báo qua e-mail kèm ghi chú."}


@router.get("/dot-binh-chon/{round_id}/ho-so", name="admin_round_applications")
def applications_list(request: Request, session: SessionDep, account: AccountDep,
                      round_id: RowId) -> Response:
    """The round's submitted applications with counts (waiting, returned, accepted); drafts stay private."""
    listing = round_applications(session=session, account=account, round_id=round_id)
    context = {"account": account, "listing": listing}
    return templates.TemplateResponse(request, "admin/applications/list.html", context)


def _page(request: Request, session: SessionDep, account: Account, detail: ApplicationDetail, *,
          values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
          status: int = 200) -> Response:
    """One application, its decision form while it waits for a check, the jurors' sheets once appointed."""
    notice = NOTICES.get(request.query_params.get("da", ""), "")
    criteria, sheets = application_sheets(session=session, detail=detail)
    context = {"account": account, "detail": detail, "values": values or {}, "errors": errors or {},
               "notice": notice, "waiting": detail.state is ApplicationState.SUBMITTED,
               "jury_criteria": criteria, "sheets": sheets}
    return templates.TemplateResponse(request, "admin/applications/detail.html", context, status_code=status)


@router.get("/ho-so/{application_id}", name="admin_application")
def application_page(request: Request, session: SessionDep, account: AccountDep,
                     application_id: RowId) -> Response:
    """The application: fields, self-assessment, files per checklist item, history; its decision form."""
    detail = office_detail(session=session, account=account, application_id=application_id, now=utcnow())
    return _page(request, session, account, detail)


@router.post("/ho-so/{application_id}")
def decide(request: Request, session: SessionDep, settings: SettingsDep, account: AccountDep,
           application_id: RowId, posted: PostedDep) -> Response:
    """Accept it, or return it with a note (required); refused → the page again (422) with the note kept."""
    detail = office_detail(session=session, account=account, application_id=application_id, now=utcnow())
    values = text_fields(posted, ("decision", "note"))
    note, problem = decision_note(values.get("note", ""))
    accept = DECISIONS.get(values.get("decision", ""))
    if problem or accept is None:
        errors = {"note": problem} if problem else {"decision": "Vui lòng chọn tiếp nhận hoặc trả lại hồ sơ."}
        return _page(request, session, account, detail, values=values, errors=errors, status=422)

    chosen: bool = accept

    def use_case() -> object:
        return decide_application(session=session, account=account, detail=detail, accept=chosen, note=note,
                                  base_url=settings.base_url)

    def refused(error: InvalidInput) -> Response:
        errors = field_errors(error, "decision")
        return _page(request, session, account, detail, values=values, errors=errors, status=422)

    done = "accepted" if chosen else "returned"
    return run_use_case(request, session=session, search=None, use_case=use_case, refused=refused,
                        redirect_to=f"/quan-ly/ho-so/{application_id}?da={done}")


@router.get("/ho-so/{application_id}/tep/{file_id}", name="admin_application_file")
def download(session: SessionDep, settings: SettingsDep, account: AccountDep, application_id: RowId,
             file_id: RowId) -> Response:
    """One of the application's files, as a download never cached nor sniffed."""
    detail = office_detail(session=session, account=account, application_id=application_id, now=utcnow())
    stored, path = attached_file(detail, file_id, settings.dossier_path)
    return private_file(path, stored)
