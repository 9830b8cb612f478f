"""Reports of wrong information on a published record: which record, stored for the right office.

A report names one record the page was opened for: a certificate (by its code), a product or a
producer (by slug). It goes to the office of the record's current province (a product certified in
former Quảng Nam is now Đà Nẵng's), or to the ministry when no province can be told. Nothing is kept
about the reporter beyond the e-mail address they chose to type.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.codes import display_code, normalize_code
from app.domain.messages import N_
from app.domain.states import ProductState, ReportState
from app.errors import NotFound
from app.forms.corrections import CorrectionForm
from app.i18n import gettext
from app.models import Certificate, CorrectionReport, Producer, Product, Province
from app.services.verification.misuse_reports import office_name

UNKNOWN_RECORD = N_("Không tìm thấy sản phẩm, cơ sở hoặc giấy chứng nhận cần báo sai. "
                    "Vui lòng mở biểu mẫu từ trang của sản phẩm, cơ sở hoặc giấy chứng nhận đó.")


@dataclass(frozen=True, slots=True)
class CorrectionSubject:
    """The record a correction report is about, as the form shows it and as the report stores it."""

    kind: str  # "certificate", "product" or "producer"
    name: str
    path: str  # the record's public page (no language prefix)
    code: str  # the certificate's display code, or ""
    product: Product | None
    producer: Producer | None
    certificate: Certificate | None
    province: Province | None  # the current province, whose office handles the report

    @property
    def office(self) -> str:
        """Who will handle the report, in the page's language."""
        return office_name(self.province)

    @property
    def query(self) -> dict[str, str]:
        """The hidden fields (and URL parameters) that name this record again."""
        if self.certificate is not None:
            return {"ma": self.certificate.code}
        if self.product is not None:
            return {"san_pham": self.product.slug}
        return {"co_so": self.producer.slug if self.producer else ""}


def current_province(session: Session, province_id: int | None) -> Province | None:
    """The current province of a stored province id (its successor, should the row name a former one)."""
    province = session.get(Province, province_id) if province_id is not None else None
    if province is not None and province.successor_id is not None:
        return session.get(Province, province.successor_id)
    return province


def _published_product(session: Session, *conditions: object) -> Product | None:
    """The published product matching `conditions`."""
    return session.exec(
        select(Product).where(Product.state == ProductState.PUBLISHED, *conditions)  # type: ignore[arg-type]
    ).first()


def _certificate_subject(session: Session, code_text: str) -> CorrectionSubject | None:
    """The certificate with this verification code, on a published product."""
    code = normalize_code(code_text)
    cert = session.exec(select(Certificate).where(col(Certificate.code) == code)).first() if code else None
    product = _published_product(session, col(Product.id) == cert.product_id) if cert else None
    if cert is None or product is None:
        return None
    producer = session.get(Producer, product.producer_id)
    label = gettext("Giấy chứng nhận %(code)s – %(product)s") % {"code": display_code(cert.code),
                                                                  "product": product.name}
    return CorrectionSubject(kind="certificate", name=label, path=f"/v/{cert.code}",
                             code=display_code(cert.code), product=product, producer=producer,
                             certificate=cert, province=current_province(session, product.province_id))


def _product_subject(session: Session, slug: str) -> CorrectionSubject | None:
    """The published product with this slug."""
    product = _published_product(session, col(Product.slug) == slug)
    if product is None:
        return None
    return CorrectionSubject(kind="product", name=product.name, path=f"/san-pham/{product.slug}", code="",
                             product=product, producer=session.get(Producer, product.producer_id),
                             certificate=None, province=current_province(session, product.province_id))


def _producer_subject(session: Session, slug: str) -> CorrectionSubject | None:
    """The producer with this slug (its page is public whatever its products)."""
    producer = session.exec(select(Producer).where(col(Producer.slug) == slug)).first()
    if producer is None:
        return None
    return CorrectionSubject(kind="producer", name=producer.name, path=f"/co-so/{producer.slug}", code="",
                             product=None, producer=producer, certificate=None,
                             province=current_province(session, producer.province_id))


def correction_subject(*, session: Session, code: str = "", product_slug: str = "",
                       producer_slug: str = "") -> CorrectionSubject:
    """The record named by a code, a product slug or a producer slug (first given wins), else NotFound."""
    found: CorrectionSubject | None = None
    if code:
        found = _certificate_subject(session, code)
    elif product_slug:
        found = _product_subject(session, product_slug)
    elif producer_slug:
        found = _producer_subject(session, producer_slug)
    if found is None:
        raise NotFound(gettext(UNKNOWN_RECORD))
    return found


def submit_correction(*, session: Session, form: CorrectionForm) -> CorrectionReport:
    """Store a validated correction report for the record's office (the caller commits); NotFound if none."""
    subject = correction_subject(session=session, code=form.ma, product_slug=form.san_pham,
                                 producer_slug=form.co_so)
    report = CorrectionReport(
        product_id=subject.product.id if subject.product else None,
        producer_id=subject.producer.id if subject.producer else None,
        certificate_id=subject.certificate.id if subject.certificate else None,
        province_id=subject.province.id if subject.province else None,
        field=form.part.value, details=form.noi_dung, evidence=form.bang_chung,
        evidence_url=form.lien_ket, email=form.email or None, state=ReportState.NEW,
    )
    session.add(report)
    session.flush()
    return report


def correction_office(*, session: Session, report: CorrectionReport) -> tuple[str, str]:
    """(office name, province slug or '') of the office that handles `report`."""
    province = session.get(Province, report.province_id) if report.province_id else None
    return office_name(province), province.slug if province else ""
