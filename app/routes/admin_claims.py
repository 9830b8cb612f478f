"""Office pages for producer accounts' claims to producer records: the list, one claim and its decision."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.domain.states import ClaimState, parse_state
from app.forms.producer_accounts import DECISION_FIELDS, ClaimDecisionForm, parse_fields
from app.forms.text import text_fields
from app.services.office.account import Account
from app.services.producers.claims import claim_in_reach, claims_in_reach, decide_claim
from app.web.deps import AccountDep, PostedDep, RowId, SessionDep, SettingsDep, check_csrf
from app.web.form_flow import submit_form
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
CLAIMS_PATH = "/yeu-cau-nhan-co-so"


@router.get(CLAIMS_PATH, name="admin_claims")
def claim_list(request: Request, session: SessionDep, account: AccountDep,
               state: Annotated[str, Query(max_length=20)] = "") -> Response:
    """The claims the account decides, newest first; `?state=pending` keeps the waiting ones."""
    chosen = parse_state(ClaimState, state)
    rows = claims_in_reach(session=session, account=account, state=chosen)
    context = {"account": account, "rows": rows, "state": chosen, "states": list(ClaimState)}
    return templates.TemplateResponse(request, "admin/claims/list.html", context)


def _claim_page(request: Request, session: Session, account: Account, claim_id: int, *,
                values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                status: int = 200) -> Response:
    """One claim: the producer, the account, its message, and the decision form while pending."""
    row = claim_in_reach(session=session, account=account, claim_id=claim_id)
    context = {"account": account, "row": row, "values": values or {}, "errors": errors or {},
               "decided": request.query_params.get("da-xu-ly") == "1"}
    return templates.TemplateResponse(request, "admin/claims/detail.html", context, status_code=status)


@router.get(f"{CLAIMS_PATH}/{{claim_id}}", name="admin_claim")
def claim_page(request: Request, session: SessionDep, account: AccountDep, claim_id: RowId) -> Response:
    """One claim in the account's reach (another province's: 404)."""
    return _claim_page(request, session, account, claim_id)


@router.post(f"{CLAIMS_PATH}/{{claim_id}}")
def claim_decide(request: Request, session: SessionDep, settings: SettingsDep, account: AccountDep,
                 claim_id: RowId, posted: PostedDep) -> Response:
    """Approve or refuse (with a note); refused → the page again (422) with the note kept."""
    values = text_fields(posted, DECISION_FIELDS)
    claim_in_reach(session=session, account=account, claim_id=claim_id)  # another's → 404 before any check
    return submit_form(
        request, session=session, search=None, parsed=parse_fields(ClaimDecisionForm, values, "decision"),
        save=lambda form: decide_claim(session=session, account=account, claim_id=claim_id,
                                       approve=form.decision == "approve", note=form.note,
                                       base_url=settings.public_base_url),
        rerender=lambda errors: _claim_page(request, session, account, claim_id, values=values, errors=errors,
                                            status=422),
        error_field="decision",
        redirect_to=lambda claim: f"/quan-ly{CLAIMS_PATH}/{claim.id}?da-xu-ly=1")
