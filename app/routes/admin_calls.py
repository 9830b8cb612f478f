"""A round's call for entries in the office workspace: open it or edit it (…/dot-binh-chon/{id}/goi-ho-so)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.calls import FULL_SCORE
from app.domain.levels import Level
from app.forms.calls import call_values, parse_call_form
from app.models import SelectionRound
from app.services.office.account import Account
from app.services.office.calls import call_form_values, call_items, managed_round, round_call, save_call
from app.services.office.rounds import round_province
from app.web.deps import AccountDep, RowId, SessionDep, check_csrf
from app.web.form_flow import submit_form
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])


def _form_page(request: Request, session: SessionDep, account: Account, selection_round: SelectionRound,
               values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    """The call's form with the values typed so far and one message per field."""
    assert selection_round.id is not None  # noqa: S101 - loaded from the database
    context: dict[str, Any] = {
        "account": account, "round": selection_round, "values": values, "errors": errors,
        "province": round_province(session=session, selection_round=selection_round),
        "is_new": round_call(session=session, round_id=selection_round.id) is None, "full_score": FULL_SCORE,
    }
    return templates.TemplateResponse(request, "admin/calls/form.html", context, status_code=status_code)


@router.get("/dot-binh-chon/{round_id}/goi-ho-so", name="admin_round_call")
def call_form(request: Request, session: SessionDep, account: AccountDep, round_id: RowId) -> Response:
    """The call as saved, or a new one prefilled with the regulation's checklist and criteria."""
    selection_round = managed_round(session=session, account=account, round_id=round_id)
    call = round_call(session=session, round_id=round_id)
    return _form_page(request, session, account, selection_round,
                      call_form_values(call, Level(selection_round.level)), {})


@router.post("/dot-binh-chon/{round_id}/goi-ho-so")
async def save(request: Request, session: SessionDep, account: AccountDep, round_id: RowId) -> Response:
    """Save the call, then back to the round; 422 with per-field (and per-line) messages when wrong."""
    selection_round = managed_round(session=session, account=account, round_id=round_id)
    values = call_values(await request.form())
    stored = round_call(session=session, round_id=round_id)
    documents, criteria = call_items(stored, Level(selection_round.level))
    return submit_form(
        request, session=session, search=None,
        parsed=parse_call_form(values, documents=documents, criteria=criteria),
        save=lambda form: save_call(session=session, account=account, selection_round=selection_round,
                                    form=form),
        rerender=lambda errors: _form_page(request, session, account, selection_round, values, dict(errors),
                                           status_code=422),
        error_field="opens_on", redirect_to=f"/quan-ly/dot-binh-chon/{round_id}")
