"""A round's decision in the office (/quan-ly/dot-binh-chon/{id}/quyet-dinh): number, date, signer, the PDF.

A plain multipart form that works without JavaScript. The upload is read within its size limit as it
streams, before anything is checked, so its CSRF token is checked after the read (as the photo and
dossier uploads do). The round is looked up first: another province's round answers 404 whatever was sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.errors import CsrfRejected, InvalidInput
from app.files.decision_pdf import MAX_DECISION_BYTES, DecisionPdfRejected, check_decision_pdf
from app.forms.round_decision import FIELDS, parse_round_decision_form
from app.forms.uploads import FormRejected, read_form, read_upload
from app.models import SelectionRound
from app.services.office.account import Account
from app.services.office.round_decision import save_round_decision
from app.services.office.rounds import get_round, round_province
from app.web.auth import CSRF_FIELD, csrf_valid
from app.web.deps import AccountDep, RowId, SearchDep, SessionDep, SettingsDep
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly/dot-binh-chon/{round_id}/quyet-dinh", default_response_class=HTMLResponse)
FILE_FIELD = "pdf"
MAX_UPLOAD_BYTES = MAX_DECISION_BYTES + 512 * 1024  # the PDF and the form's few text fields
TOO_LARGE = f"Tệp gửi lên quá lớn hoặc không hợp lệ (một tệp PDF, tối đa {MAX_DECISION_BYTES // 2**20} MB)."


def _round(session: SessionDep, account: AccountDep, round_id: RowId) -> SelectionRound:
    """The round, if the account may see it (404 otherwise, 302 when signed out)."""
    return get_round(session=session, account=account, round_id=round_id)


RoundDep = Annotated[SelectionRound, Depends(_round)]


@dataclass(slots=True)
class PostedDecision:
    """The form: its text fields and its one file, or why the whole request was refused."""

    fields: dict[str, str] = field(default_factory=dict)
    upload: tuple[str, bytes] | None = None
    refused: str = ""


async def _posted(request: Request, selection_round: RoundDep) -> AsyncIterator[PostedDecision]:
    """The form read within its limits, after the round was found; temporary files closed afterwards."""
    try:
        form = await read_form(request, max_bytes=MAX_UPLOAD_BYTES)
    except FormRejected:
        yield PostedDecision(refused=TOO_LARGE)
        return
    try:
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        yield PostedDecision(fields=fields, upload=await read_upload(form, FILE_FIELD))
    finally:
        await form.close()


PostedDep = Annotated[PostedDecision, Depends(_posted)]


def _values(selection_round: SelectionRound) -> dict[str, str]:
    """The form's fields as the round holds them (the date as dd/mm/yyyy)."""
    day = selection_round.decision_date
    return {"decision_number": selection_round.decision_number or "",
            "decision_date": day.strftime("%d/%m/%Y") if day else "",
            "decision_signer": selection_round.decision_signer or ""}


def _page(request: Request, session: SessionDep, account: Account, selection_round: SelectionRound, *,
          values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
          status: int = 200) -> Response:
    """The decision form, with what was typed and one message per field."""
    context = {"account": account, "round": selection_round,
               "province": round_province(session=session, selection_round=selection_round),
               "values": _values(selection_round) if values is None else values, "errors": errors or {},
               "saved": request.query_params.get("tb") == "luu",
               "max_mb": MAX_DECISION_BYTES // 2**20}
    return templates.TemplateResponse(request, "admin/rounds/decision.html", context, status_code=status)


@router.get("", name="admin_round_decision")
def decision_form(request: Request, session: SessionDep, account: AccountDep,
                  selection_round: RoundDep) -> Response:
    """The round's decision: number, date, signer and its PDF (uploaded or to upload)."""
    return _page(request, session, account, selection_round)


@router.post("")
def save_decision(request: Request, session: SessionDep, settings: SettingsDep, search: SearchDep,
                  account: AccountDep, selection_round: RoundDep, posted: PostedDep) -> Response:
    """Save the facts and the PDF (when one is chosen); 413 too large, 422 with a message per field."""
    if not posted.refused and not csrf_valid(request.session, posted.fields.get(CSRF_FIELD)):
        raise CsrfRejected("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                           "Vui lòng tải lại trang và thử lại.")
    values = {name: posted.fields.get(name, "")[:400] for name in FIELDS}
    if posted.refused:
        return _page(request, session, account, selection_round, values=values,
                     errors={FILE_FIELD: posted.refused}, status=413)
    form, errors = parse_round_decision_form(values)
    pdf, filename = None, ""
    if posted.upload is not None:
        filename, data = posted.upload
        try:
            pdf = check_decision_pdf(data, filename=filename)
        except DecisionPdfRejected as error:
            errors = {**errors, FILE_FIELD: error.message}
    if form is None or errors:
        return _page(request, session, account, selection_round, values=values, errors=errors, status=422)

    def save() -> SelectionRound:
        with save_round_decision(session=session, account=account, selection_round=selection_round, form=form,
                                 pdf=pdf, filename=filename, folder=settings.decision_path) as saved:
            session.commit()  # inside: a failed commit removes the PDF just written
        return saved

    def refused(error: InvalidInput) -> Response:
        """The form again with the refusal beside its field."""
        return _page(request, session, account, selection_round, values=values,
                     errors=field_errors(error, "decision_number"), status=422)

    return run_use_case(request, session=session, search=search, use_case=save, refused=refused,
                        redirect_to=f"/quan-ly/dot-binh-chon/{selection_round.id}/quyet-dinh?tb=luu")
