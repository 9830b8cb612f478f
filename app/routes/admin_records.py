"""Office pages for editing products, producers and certificates, their lifecycle and the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.codes import display_code
from app.domain.groups import ProductGroup
from app.domain.levels import Level
from app.domain.parsing import LEGAL_FORM_LABELS
from app.domain.states import ProductState
from app.domain.text import vietnamese_sort_key
from app.forms.records import (
    CERTIFICATE_FIELDS,
    PRODUCT_FIELDS,
    REVOKE_FIELDS,
    CertificateForm,
    ProductForm,
    RevokeForm,
    parse_form,
)
from app.forms.text import text_fields
from app.models import Certificate, Producer, Product, SelectionRound
from app.services.office.account import Account
from app.services.office.rounds import round_places
from app.services.records import edits as records
from app.services.records.audit_page import ENTITY_LABELS, audit_log
from app.services.records.listing import list_products
from app.web.confirmation import confirmation_page, confirmed, refusal_of
from app.web.deps import AccountDep, RowId, SearchDep, SessionDep, TodayDep, check_csrf
from app.web.form_flow import field_errors, run_use_case, submit_form
from app.web.templating import templates

GROUP_OPTIONS = [(group.value, group.label) for group in ProductGroup]
LEGAL_FORM_OPTIONS = [(form.value, label) for form, label in LEGAL_FORM_LABELS.items()]
router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])


async def _posted(request: Request) -> dict[str, str]:
    """The posted text fields (the CSRF check has already read and cached the form)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


PostedDep = Annotated[dict[str, str], Depends(_posted)]


def _product(session: SessionDep, account: AccountDep, product_id: RowId) -> Product:
    """The product in the path, if the account's province holds it (404 otherwise)."""
    return records.managed_product(session=session, account=account, product_id=product_id)


def _certificate(session: SessionDep, account: AccountDep, certificate_id: RowId) -> Certificate:
    """The certificate in the path, if the account may change it (404 other province, 403 level)."""
    return records.managed_certificate(session=session, account=account, certificate_id=certificate_id)


ProductDep = Annotated[Product, Depends(_product)]
CertificateDep = Annotated[Certificate, Depends(_certificate)]


@router.get("/san-pham", name="admin_products")
def product_list(request: Request, session: SessionDep, account: AccountDep, q: str = "", state: str = "",
                 page: int = 1) -> Response:
    """The products the account manages, searchable by name and filtered by state."""
    listing = list_products(session=session, account=account, q=q, state=state, page=page)
    context = {"account": account, "listing": listing}
    return templates.TemplateResponse(request, "admin/records/list.html", context)


def _product_page(request: Request, session: SessionDep, account: Account, product: Product, today: TodayDep,
                  *, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                  status: int = 200) -> Response:
    """The product edit page, with what was typed and per-field errors after a refused save."""
    edit = records.product_for_edit(session=session, account=account, product=product, today=today)
    context = {
        "account": account, "edit": edit, "values": values or _product_values(product, edit.producer),
        "errors": errors or {}, "group_options": GROUP_OPTIONS,
        "legal_forms": LEGAL_FORM_OPTIONS,
        "saved": request.query_params.get("da-luu") == "1",
        "withdrawn_notice": (request.query_params.get("tb") == "rut"
                             and product.state == ProductState.WITHDRAWN),
    }
    return templates.TemplateResponse(request, "admin/records/product.html", context, status_code=status)


def _product_values(product: Product, producer: Producer) -> dict[str, str]:
    """The stored values as form text."""
    return {
        "name": product.name, "group": product.group, "description": product.description or "",
        "producer_name": producer.name, "legal_form": producer.legal_form or "",
        "address": producer.address or "", "phone": producer.phone or "", "email": producer.email or "",
        "website": producer.website or "",
    }


@router.get("/san-pham/{product_id}", name="admin_product")
def product_page(request: Request, session: SessionDep, account: AccountDep, product: ProductDep,
                 today: TodayDep) -> Response:
    """The edit form of a product and its producer, with its certificates and lifecycle buttons."""
    return _product_page(request, session, account, product, today)


@router.post("/san-pham/{product_id}")
def product_save(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
                 product: ProductDep, today: TodayDep, posted: PostedDep) -> Response:
    """Save the product and producer; 422 with messages when the input is refused."""
    values = text_fields(posted, PRODUCT_FIELDS)
    return submit_form(
        request, session=session, search=search, parsed=parse_form(ProductForm, values),
        save=lambda form: records.update_product(session=session, account=account, product=product,
                                                 form=form),
        rerender=lambda errors: _product_page(request, session, account, product, today, values=values,
                                              errors=errors, status=422),
        error_field="name", redirect_to=f"/quan-ly/san-pham/{product.id}?da-luu=1")


@router.post("/san-pham/{product_id}/trang-thai")
def product_state(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
                  product: ProductDep, today: TodayDep, posted: PostedDep) -> Response:
    """Publish, republish or (once confirmed) withdraw the product."""
    withdraw = posted.get("state") == ProductState.WITHDRAWN
    if withdraw and product.state != ProductState.WITHDRAWN and not confirmed(posted):
        return confirmation_page(
            request, account, title="Xác nhận rút sản phẩm khỏi danh mục",
            facts=[("Sản phẩm", product.name)], fields={"state": ProductState.WITHDRAWN.value},
            lead="Trang sản phẩm, kết quả tìm kiếm và tra cứu không còn hiển thị sản phẩm. "
                 "Dữ liệu được giữ lại và có thể công bố lại.",
            action=f"/quan-ly/san-pham/{product.id}/trang-thai", button="Rút khỏi danh mục",
            back=f"/quan-ly/san-pham/{product.id}")
    return run_use_case(
        request, session=session, search=search,
        use_case=lambda: records.change_product_state(session=session, account=account, product=product,
                                                      target=posted.get("state", "")),
        refused=lambda error: _product_page(request, session, account, product, today,
                                            errors=field_errors(error, "state"), status=422),
        redirect_to=f"/quan-ly/san-pham/{product.id}?{'tb=rut' if withdraw else 'da-luu=1'}")


def _certificate_page(request: Request, session: SessionDep, account: Account, cert: Certificate,
                      today: TodayDep, *, values: Mapping[str, str] | None = None,
                      errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    """The certificate page: the edit form, then revocation (or its cancellation)."""
    edit = records.certificate_for_edit(session=session, account=account, certificate=cert, today=today)
    stored = {
        "number": cert.number or "", "issued_on": cert.issued_on.strftime("%d/%m/%Y"),
        "valid_until": cert.valid_until.strftime("%d/%m/%Y"),
        "score": "" if cert.score is None else f"{cert.score:g}",
        "round_id": "" if cert.round_id is None else str(cert.round_id),
        "revoked_on": today.strftime("%d/%m/%Y"), "reason": "",
    }
    context = {"account": account, "edit": edit, "values": {**stored, **(values or {})},
               "round_options": _round_options(session, edit.rounds),
               "errors": errors or {}, "saved": request.query_params.get("da-luu") == "1",
               "notice": _certificate_notice(cert, request.query_params.get("tb", ""))}
    return templates.TemplateResponse(request, "admin/records/certificate.html", context, status_code=status)


def certificate_label(cert: Certificate) -> str:
    """How a message names a certificate: its printed number, else its verification code."""
    return cert.number or display_code(cert.code)


def _certificate_notice(cert: Certificate, notice: str) -> str:
    """What the last action did, said after its redirect (only while it is still true)."""
    if notice == "thu-hoi" and cert.revoked_on is not None:
        return (f"Đã thu hồi giấy chứng nhận số {certificate_label(cert)} "
                f"từ ngày {cert.revoked_on.strftime('%d/%m/%Y')}.")
    if notice == "huy-thu-hoi" and cert.revoked_on is None:
        return (f"Đã hủy thu hồi giấy chứng nhận số {certificate_label(cert)}: "
                "giấy chứng nhận có hiệu lực trở lại.")
    return ""


def _round_options(session: SessionDep, rounds: list[SelectionRound]) -> list[tuple[str, str]]:
    """The round select's options, ordered by place so an administrator finds a province's rounds together."""
    places = round_places(session=session, rounds=rounds)
    ordered = sorted(rounds, key=lambda r: (vietnamese_sort_key(places[r.id or 0]), -r.year))
    return [(str(r.id), _round_label(r, places[r.id or 0])) for r in ordered]


def _round_label(selection_round: SelectionRound, place: str) -> str:
    """A round as the select list names it: place, level, year, organiser, decision."""
    parts = [f"{place}: {Level(selection_round.level).label} năm {selection_round.year}"]
    if selection_round.organiser:
        parts.append(selection_round.organiser)
    if selection_round.decision_number:
        parts.append(f"quyết định số {selection_round.decision_number}")
    return ", ".join(parts)


@router.get("/giay-chung-nhan/{certificate_id}", name="admin_certificate")
def certificate_page(request: Request, session: SessionDep, account: AccountDep, cert: CertificateDep,
                     today: TodayDep) -> Response:
    """The certificate's edit form and its revocation form."""
    return _certificate_page(request, session, account, cert, today)


@router.post("/giay-chung-nhan/{certificate_id}")
def certificate_save(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
                     cert: CertificateDep, today: TodayDep, posted: PostedDep) -> Response:
    """Correct number, dates, score or round; 422 with messages when refused."""
    values = text_fields(posted, CERTIFICATE_FIELDS)
    return submit_form(
        request, session=session, search=search, parsed=parse_form(CertificateForm, values),
        save=lambda form: records.update_certificate(session=session, account=account, certificate=cert,
                                                     form=form),
        rerender=lambda errors: _certificate_page(request, session, account, cert, today, values=values,
                                                  errors=errors, status=422),
        error_field="number", redirect_to=f"/quan-ly/giay-chung-nhan/{cert.id}?da-luu=1")


def _certificate_facts(session: SessionDep, cert: Certificate) -> list[tuple[str, str]]:
    """What a confirmation restates about a certificate: its product, number and level."""
    product = records.certificate_product(session=session, certificate=cert)
    return [("Sản phẩm", product.name), ("Số giấy chứng nhận", certificate_label(cert)),
            ("Cấp", Level(cert.level).label), ("Ngày cấp", cert.issued_on.strftime("%d/%m/%Y"))]


@router.post("/giay-chung-nhan/{certificate_id}/thu-hoi")
def certificate_revoke(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
                       cert: CertificateDep, today: TodayDep, posted: PostedDep) -> Response:
    """Revoke from a date with a reason, once confirmed; the verification page shows it at once."""
    values = text_fields(posted, REVOKE_FIELDS)
    parsed = parse_form(RevokeForm, values)
    rerender = partial(_certificate_page, request, session, account, cert, today, values=values, status=422)
    if (form := parsed[0]) is not None and not confirmed(posted):
        if refused := refusal_of(session, lambda: records.revoke(session=session, account=account,
                                                                certificate=cert, form=form)):
            return rerender(errors=field_errors(refused, "reason"))
        facts = [*_certificate_facts(session, cert), ("Thu hồi từ ngày", values["revoked_on"]),
                 ("Lý do (công khai)", values["reason"])]
        return confirmation_page(
            request, account, title="Xác nhận thu hồi giấy chứng nhận", facts=facts, fields=values,
            lead="Từ ngày thu hồi, trang tra cứu báo “Đã thu hồi” kèm ngày và lý do, và sản phẩm "
                 "không còn được in biểu trưng chương trình.",
            action=f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi", button="Thu hồi giấy chứng nhận",
            back=f"/quan-ly/giay-chung-nhan/{cert.id}")
    return submit_form(
        request, session=session, search=search, parsed=parsed,
        save=lambda form: records.revoke(session=session, account=account, certificate=cert, form=form),
        rerender=lambda errors: rerender(errors=errors),
        error_field="reason", redirect_to=f"/quan-ly/giay-chung-nhan/{cert.id}?tb=thu-hoi")


@router.post("/giay-chung-nhan/{certificate_id}/huy-thu-hoi")
def certificate_reinstate(request: Request, session: SessionDep, search: SearchDep, account: AccountDep,
                          cert: CertificateDep, today: TodayDep, posted: PostedDep) -> Response:
    """Cancel a revocation made in error, once confirmed."""
    if cert.revoked_on is not None and not confirmed(posted):
        facts = [*_certificate_facts(session, cert),
                 ("Đã thu hồi từ ngày", cert.revoked_on.strftime("%d/%m/%Y")),
                 ("Lý do đã ghi", cert.revoked_reason or "")]
        return confirmation_page(
            request, account, title="Xác nhận hủy thu hồi giấy chứng nhận", facts=facts,
            lead="Giấy chứng nhận có hiệu lực trở lại theo thời hạn của nó; lịch sử trên trang tra cứu "
                 "vẫn giữ cả việc thu hồi và việc hủy thu hồi.",
            action=f"/quan-ly/giay-chung-nhan/{cert.id}/huy-thu-hoi", button="Hủy thu hồi",
            back=f"/quan-ly/giay-chung-nhan/{cert.id}")
    return run_use_case(
        request, session=session, search=search,
        use_case=lambda: records.reinstate(session=session, account=account, certificate=cert),
        refused=lambda error: _certificate_page(request, session, account, cert, today,
                                                errors=field_errors(error, "revoked_on"), status=422),
        redirect_to=f"/quan-ly/giay-chung-nhan/{cert.id}?tb=huy-thu-hoi")


@router.get("/nhat-ky", name="admin_audit")
def audit_page(request: Request, session: SessionDep, account: AccountDep, entity: str = "",
               user: str = "", page: int = 1) -> Response:
    """The audit log, newest first (administrators only)."""
    user_id = int(user) if user.isdigit() else None
    entity = entity if entity in ENTITY_LABELS else ""
    log = audit_log(session=session, account=account, entity=entity, user_id=user_id, page=page)
    context = {"account": account, "log": log, "entities": ENTITY_LABELS}
    return templates.TemplateResponse(request, "admin/audit/index.html", context)
