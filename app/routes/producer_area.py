"""The producer area (/tai-khoan) once signed in: its records and claims, claiming or entering a producer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.domain.parsing import LEGAL_FORM_LABELS
from app.domain.provinces import current_provinces
from app.forms.producer_accounts import (
    CLAIM_FIELDS,
    NEW_PRODUCER_FIELDS,
    ClaimForm,
    NewProducerForm,
    parse_fields,
)
from app.forms.text import one_line, text_fields
from app.i18n import gettext, lang_url
from app.models import ProducerAccount
from app.services.applications.producer import applications_of
from app.services.producers.claims import find_producers, make_claim, province_id_of
from app.services.producers.dashboard import create_producer, dashboard
from app.web.deps import PostedDep, ProducerAccountDep, SessionDep, TodayDep, check_csrf
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/tai-khoan", default_response_class=HTMLResponse,
                   dependencies=[Depends(check_csrf)])
SearchText = Annotated[str, Query(max_length=300)]


@router.get("", name="producer_dashboard")
def home(request: Request, session: SessionDep, account: ProducerAccountDep, today: TodayDep) -> Response:
    """The account's producer with its products and certificates today, its applications and its claims."""
    context = {"account": account, "page": dashboard(session=session, account=account, today=today),
               "applications": applications_of(session=session, account=account)}
    return templates.TemplateResponse(request, "producer_area/dashboard.html", context)


def _claim_page(request: Request, session: Session, account: ProducerAccount, *, name: str, province: str,
                values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                status: int = 200) -> Response:
    """The search form, the producers found (at most 20) and the claim form."""
    name, province = one_line(name), one_line(province)
    province_id = province_id_of(session, province) if province else None
    hits = find_producers(session=session, name=name, province_id=province_id) if name else []
    context = {"account": account, "name": name, "province": province, "hits": hits, "searched": bool(name),
               "provinces": current_provinces(), "values": values or {}, "errors": errors or {}}
    return templates.TemplateResponse(request, "producer_area/claim.html", context, status_code=status)


@router.get("/nhan-co-so", name="producer_claim_form")
def claim_form(request: Request, session: SessionDep, account: ProducerAccountDep, ten: SearchText = "",
               tinh: SearchText = "") -> Response:
    """Find a producer by name (with or without diacritics) and optionally province."""
    return _claim_page(request, session, account, name=ten, province=tinh)


@router.post("/nhan-co-so", name="producer_claim")
def claim(request: Request, session: SessionDep, account: ProducerAccountDep, posted: PostedDep) -> Response:
    """Send a claim to the office of the producer's province; refused → the form again (422)."""
    values = text_fields(posted, (*CLAIM_FIELDS, "ten", "tinh"))
    search = {"name": values.get("ten", "")[:300], "province": values.get("tinh", "")[:300]}
    form, errors = parse_fields(ClaimForm, values, "producer")
    if form is None:
        return _claim_page(request, session, account, **search, values=values, errors=errors, status=422)
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: make_claim(session=session, account=account, producer_id=int(form.producer),
                                    message=form.message),
        refused=lambda error: _claim_page(request, session, account, **search, values=values,
                                          errors=field_errors(error, "producer"), status=422),
        redirect_to=lang_url("/tai-khoan"))


def _new_page(request: Request, account: ProducerAccount, *, values: Mapping[str, str] | None = None,
              errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    """The new producer form with what was typed and its errors."""
    context = {"account": account, "values": values or {}, "errors": errors or {},
               "provinces": current_provinces(), "legal_forms": LEGAL_FORM_LABELS}
    return templates.TemplateResponse(request, "producer_area/new_producer.html", context, status_code=status)


@router.get("/co-so-moi", name="producer_new_form")
def new_form(request: Request, account: ProducerAccountDep) -> Response:
    """Enter a producer not in the register yet."""
    return _new_page(request, account)


@router.post("/co-so-moi", name="producer_new")
def new(request: Request, session: SessionDep, account: ProducerAccountDep, posted: PostedDep) -> Response:
    """Create the producer record held by the account; refused → the form again (422)."""
    values = text_fields(posted, NEW_PRODUCER_FIELDS)
    form, errors = parse_fields(NewProducerForm, values, "name")
    if form is None:
        return _new_page(request, account, values=values, errors=errors, status=422)
    province_id = province_id_of(session, form.province)
    if province_id is None:  # a province of the table not loaded in this database
        errors = {"province": gettext("Vui lòng chọn tỉnh, thành phố nơi có cơ sở.")}
        return _new_page(request, account, values=values, errors=errors, status=422)
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: create_producer(session=session, account=account, name=form.name,
                                         legal_form=form.legal, province_id=province_id,
                                         address=form.address, phone=form.phone),
        refused=lambda error: _new_page(request, account, values=values, errors=field_errors(error, "name"),
                                        status=422),
        redirect_to=lang_url("/tai-khoan"))
