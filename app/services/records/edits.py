"""Office edits of published records: products, their producers and certificates, and their lifecycle.

Every use-case checks the account's scope, changes the rows, writes an audit entry and marks
the product for reindexing, all in the caller's transaction: the route commits, then indexes.
Nothing is ever deleted: a product is withdrawn, a certificate revoked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.domain.codes import number_key
from app.domain.levels import Level
from app.domain.permissions import owns_province
from app.domain.states import ProductState, next_product_states, parse_state, product_transition
from app.domain.text import fold
from app.domain.validity import CertificateStatus, certificate_status, default_valid_until
from app.errors import InvalidInput, NotFound
from app.forms.records import CertificateForm, ProductForm, RevokeForm
from app.models import Certificate, Producer, Product, Province, SelectionRound, utcnow
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot
from app.services.records.listing import province_label
from app.services.records.revocation import revoke_certificate
from search.indexer import mark_for_reindex


@dataclass(frozen=True, slots=True)
class CertificateRow:
    """A certificate on the product page: may this account open it?"""

    certificate: Certificate
    status: CertificateStatus
    province_name: str
    manageable: bool


@dataclass(frozen=True, slots=True)
class ProductEdit:
    """What the product edit page shows."""

    product: Product
    producer: Producer
    province_name: str
    certificates: list[CertificateRow]
    next_states: list[ProductState]


@dataclass(frozen=True, slots=True)
class CertificateEdit:
    """What the certificate edit page shows."""

    certificate: Certificate
    product: Product
    province_name: str
    status: CertificateStatus
    rounds: list[SelectionRound]


def _slug_of(session: Session, province_id: int) -> str:
    """The slug of a province row."""
    return session.get_one(Province, province_id).slug


def managed_product(*, session: Session, account: Account, product_id: int) -> Product:
    """A product of the account's province (NotFound otherwise, so others' records stay unseen)."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("Không tìm thấy sản phẩm này.")
    account.require_province(_slug_of(session, product.province_id))
    return product


def product_for_edit(*, session: Session, account: Account, product: Product, today: date) -> ProductEdit:
    """The product, its producer and its certificates, each marked manageable or not."""
    certs = session.exec(
        select(Certificate).where(Certificate.product_id == product.id)
        .order_by(col(Certificate.issued_on).desc(), col(Certificate.id))
    ).all()
    rows = [
        CertificateRow(
            certificate=c,
            status=certificate_status(c.valid_until, c.revoked_on, on=today),
            province_name=province_label(session, c.province_id),
            manageable=account.may_manage_certificate(certified_in=_slug_of(session, c.province_id),
                                                      level=Level(c.level)),
        )
        for c in certs
    ]
    return ProductEdit(
        product=product, producer=session.get_one(Producer, product.producer_id),
        province_name=province_label(session, product.province_id), certificates=rows,
        next_states=next_product_states(product.state),
    )


def _check_names(session: Session, product: Product, producer: Producer, form: ProductForm) -> None:
    """Refuse a name another product of the producer, or another producer of the province, has."""
    clash = session.exec(select(Product.id).where(
        Product.producer_id == producer.id, Product.name_key == fold(form.name),
        Product.id != product.id)).first()
    if clash is not None:
        raise InvalidInput("Cơ sở này đã có một sản phẩm khác cùng tên.", field="name")
    clash = session.exec(select(Producer.id).where(
        Producer.province_id == producer.province_id, Producer.name_key == fold(form.producer_name),
        Producer.id != producer.id)).first()
    if clash is not None:
        raise InvalidInput("Tỉnh này đã có một cơ sở sản xuất khác cùng tên.", field="producer_name")


def _apply_product(product: Product, form: ProductForm) -> None:
    """Copy the product's fields from the form."""
    product.name, product.name_key, product.group = form.name, fold(form.name), form.group
    product.description = form.description or None


def _apply_producer(producer: Producer, form: ProductForm) -> None:
    """Copy the producer's fields from the form."""
    producer.name, producer.name_key = form.producer_name, fold(form.producer_name)
    producer.legal_form = form.legal_form or None
    producer.address, producer.phone = form.address or None, form.phone or None
    producer.email, producer.website = form.email or None, form.website or None


def _audited_update(session: Session, account: Account, row: Product | Producer, entity: str,
                    apply: Callable[[], None]) -> bool:
    """Apply a change to `row` and record it when any field changed; True if it did."""
    before = snapshot(row)
    apply()
    after = snapshot(row)
    if before == after:
        return False
    row.updated_at = utcnow()
    session.add(row)
    record_change(session=session, account=account, action=f"{entity}.update", entity=entity,
                  entity_id=row.id, province_id=row.province_id, before=before, after=after)
    return True


def update_product(*, session: Session, account: Account, product: Product, form: ProductForm) -> None:
    """Save the product and its producer; every product of that producer is re-indexed."""
    producer = session.get_one(Producer, product.producer_id)
    _check_names(session, product, producer, form)
    changed = _audited_update(session, account, product, "product", lambda: _apply_product(product, form))
    if _audited_update(session, account, producer, "producer", lambda: _apply_producer(producer, form)):
        ids = session.exec(select(Product.id).where(Product.producer_id == producer.id)).all()
        mark_for_reindex(session, *(pid for pid in ids if pid is not None))
    elif changed:
        mark_for_reindex(session, _id(product))


def change_product_state(*, session: Session, account: Account, product: Product, target: str) -> None:
    """Publish, withdraw or republish; a withdrawn or draft product leaves the public catalog."""
    wanted = parse_state(ProductState, target)
    action = product_transition(product.state, wanted) if wanted is not None else None
    if wanted is None or action is None:
        raise InvalidInput("Không thể chuyển sản phẩm sang trạng thái này.", field="state")
    before = snapshot(product)
    product.state, product.updated_at = wanted, utcnow()
    session.add(product)
    mark_for_reindex(session, _id(product))
    record_change(session=session, account=account, action=action, entity="product", entity_id=product.id,
                  province_id=product.province_id, before=before, after=snapshot(product))


def _id(product: Product) -> int:
    """A stored product's id."""
    if product.id is None:
        raise ValueError("product has not been saved")
    return product.id


def managed_certificate(*, session: Session, account: Account, certificate_id: int) -> Certificate:
    """A certificate the account may change: NotFound for another province, Forbidden for a higher level."""
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound("Không tìm thấy giấy chứng nhận này.")
    account.require_province(_slug_of(session, cert.province_id))
    account.require_level(Level(cert.level))
    return cert


def certificate_product(*, session: Session, certificate: Certificate) -> Product:
    """The product a certificate belongs to (for pages that restate both)."""
    return session.get_one(Product, certificate.product_id)


def usable_rounds(*, session: Session, account: Account, certificate: Certificate) -> list[SelectionRound]:
    """Rounds of the certificate's level the account may attach it to (its own province's, for an office)."""
    rounds = session.exec(
        select(SelectionRound).where(SelectionRound.level == certificate.level)
        .order_by(col(SelectionRound.year).desc(), col(SelectionRound.id).desc())
    ).all()
    if account.is_admin:
        return list(rounds)
    return [r for r in rounds if r.province_id is not None
            and owns_province(account.role, account.province_slug, _slug_of(session, r.province_id))]


def certificate_for_edit(*, session: Session, account: Account, certificate: Certificate,
                         today: date) -> CertificateEdit:
    """The certificate with its product, status today and the rounds it may belong to."""
    return CertificateEdit(
        certificate=certificate, product=session.get_one(Product, certificate.product_id),
        province_name=province_label(session, certificate.province_id),
        status=certificate_status(certificate.valid_until, certificate.revoked_on, on=today),
        rounds=usable_rounds(session=session, account=account, certificate=certificate),
    )


def _check_certificate(session: Session, account: Account, cert: Certificate, form: CertificateForm) -> date:
    """The validity end to store, after checking dates, round and the one-per-day rule."""
    valid_until = form.valid_to or default_valid_until(form.issued)
    if valid_until < form.issued:
        raise InvalidInput("Ngày hết hiệu lực không thể trước ngày cấp.", field="valid_until")
    if cert.revoked_on is not None and cert.revoked_on < form.issued:
        raise InvalidInput("Ngày cấp không thể sau ngày thu hồi.", field="issued_on")
    if form.round is not None and form.round not in {
            r.id for r in usable_rounds(session=session, account=account, certificate=cert)}:
        raise InvalidInput("Vui lòng chọn đợt bình chọn trong danh sách.", field="round_id")
    clash = session.exec(select(Certificate.id).where(
        Certificate.product_id == cert.product_id, Certificate.level == cert.level,
        Certificate.issued_on == form.issued, Certificate.id != cert.id)).first()
    if clash is not None:
        raise InvalidInput("Sản phẩm đã có giấy chứng nhận cùng cấp cấp ngày này.", field="issued_on")
    return valid_until


def update_certificate(*, session: Session, account: Account, certificate: Certificate,
                       form: CertificateForm) -> None:
    """Correct a certificate's number, dates, score or round."""
    valid_until = _check_certificate(session, account, certificate, form)
    before = snapshot(certificate)
    certificate.number = form.number or None
    certificate.number_key = number_key(form.number) if form.number else None
    certificate.issued_on, certificate.valid_until = form.issued, valid_until
    certificate.score, certificate.round_id = form.score_value, form.round
    after = snapshot(certificate)
    if before == after:
        return
    certificate.updated_at = utcnow()
    session.add(certificate)
    mark_for_reindex(session, certificate.product_id)
    record_change(session=session, account=account, action="certificate.update", entity="certificate",
                  entity_id=certificate.id, province_id=certificate.province_id, before=before, after=after)


def revoke(*, session: Session, account: Account, certificate: Certificate, form: RevokeForm) -> None:
    """Revoke a certificate from a day, with the reason consumers will read."""
    if certificate.revoked_on is not None:
        raise InvalidInput("Giấy chứng nhận này đã bị thu hồi.", field="revoked_on")
    before = snapshot(certificate)
    try:
        revoke_certificate(session=session, certificate=certificate, on=form.day, reason=form.reason)
    except InvalidInput as error:
        field = "revoked_on" if error.field == "on" else error.field
        raise InvalidInput(error.message, field=field) from None
    record_change(session=session, account=account, action="certificate.revoke", entity="certificate",
                  entity_id=certificate.id, province_id=certificate.province_id,
                  before=before, after=snapshot(certificate))


def reinstate(*, session: Session, account: Account, certificate: Certificate) -> None:
    """Cancel a revocation made in error; the history keeps both steps."""
    if certificate.revoked_on is None:
        raise InvalidInput("Giấy chứng nhận này chưa bị thu hồi.", field="revoked_on")
    before = snapshot(certificate)
    certificate.revoked_on, certificate.revoked_reason, certificate.updated_at = None, None, utcnow()
    session.add(certificate)
    mark_for_reindex(session, certificate.product_id)
    record_change(session=session, account=account, action="certificate.reinstate", entity="certificate",
                  entity_id=certificate.id, province_id=certificate.province_id,
                  before=before, after=snapshot(certificate))
