"""Misuse reports: find which product a consumer means, store the report for the right office.

A report goes to the office of the product's current province (a product certified in former
Quảng Nam is now Đà Nẵng's), or to the ministry when the product cannot be told. Nothing is
kept about the reporter beyond the contact they chose to type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from app.domain.codes import display_code, normalize_code, number_key
from app.domain.messages import N_
from app.domain.provinces import province_by_slug
from app.domain.states import ProductState, ReportState
from app.domain.text import fold
from app.domain.validity import CertificateStatus, certificate_status
from app.files.images import ProcessedImage
from app.forms.reports import ReportForm
from app.i18n import gettext
from app.models import Certificate, MisuseReport, Producer, Product, Province
from app.services.catalog.reads import ImageView, covers
from app.services.records.photos import store_image

MINISTRY = N_("Bộ Công Thương")
REPORTS_PAGE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ReportSubject:
    """The product a report is about, and the certificate when a code or number named one."""

    product: Product
    certificate: Certificate | None


@dataclass(frozen=True, slots=True)
class SubjectView:
    """A subject as the form shows it, so the reporter can compare it with what they hold."""

    product: Product
    producer: Producer
    certificate: Certificate | None
    display_code: str
    status: CertificateStatus | None
    cover: ImageView | None
    office: str


def _department(province_name: str) -> str:
    """A province's Department of Industry and Trade, named in the page's language."""
    return gettext("Sở Công Thương %(province)s") % {"province": province_name}


def office_name(province: Province | None) -> str:
    """Who handles a report: the province's Department of Industry and Trade, or the ministry."""
    return _department(province.name) if province is not None else gettext(MINISTRY)


def office_for_slug(slug: str) -> str:
    """The office of a current province given by slug; the ministry for anything else."""
    info = province_by_slug(slug) if len(slug) <= 64 else None
    return _department(info.name) if info is not None and info.is_current else gettext(MINISTRY)


def _published_certificates(session: Session, *conditions: object) -> list[tuple[Certificate, Product]]:
    """Certificates matching `conditions` on published products, newest first."""
    rows = session.exec(
        select(Certificate, Product)
        .join(Product, col(Product.id) == col(Certificate.product_id))
        .where(Product.state == ProductState.PUBLISHED, *conditions)  # type: ignore[arg-type]
        .order_by(col(Certificate.issued_on).desc(), col(Certificate.id).desc())
    ).all()
    return [(cert, product) for cert, product in rows]


def _by_code(session: Session, text: str) -> ReportSubject | None:
    """The certificate with this verification code."""
    code = normalize_code(text)
    rows = _published_certificates(session, col(Certificate.code) == code) if code else []
    return ReportSubject(product=rows[0][1], certificate=rows[0][0]) if rows else None


def _by_number(session: Session, text: str) -> ReportSubject | None:
    """The certificate with this printed number, when only one product carries it."""
    key = number_key(text)
    rows = _published_certificates(session, col(Certificate.number_key) == key) if key else []
    if not rows or len({product.id for _, product in rows}) > 1:
        return None
    return ReportSubject(product=rows[0][1], certificate=rows[0][0])


def _by_name(session: Session, text: str) -> ReportSubject | None:
    """The published product with exactly this name (diacritics and case ignored), if only one."""
    key = fold(text)
    if not key:
        return None
    products = session.exec(
        select(Product).where(Product.name_key == key, Product.state == ProductState.PUBLISHED).limit(2)
    ).all()
    return ReportSubject(product=products[0], certificate=None) if len(products) == 1 else None


def _by_slug(session: Session, slug: str) -> ReportSubject | None:
    """The published product the form was opened for."""
    if not slug:
        return None
    product = session.exec(
        select(Product).where(Product.slug == slug, Product.state == ProductState.PUBLISHED)
    ).first()
    return ReportSubject(product=product, certificate=None) if product is not None else None


def resolve_subject(*, session: Session, text: str, product_slug: str = "") -> ReportSubject | None:
    """What the reporter typed (code, then printed number, then name), else the chosen product."""
    text = text.strip()
    if text:
        found = _by_code(session, text) or _by_number(session, text) or _by_name(session, text)
        if found is not None:
            return found
    return _by_slug(session, product_slug)


def _handling_province(session: Session, product: Product) -> Province | None:
    """The product's current province (its successor, should the row still name a former one)."""
    province = session.get(Province, product.province_id)
    if province is not None and province.successor_id is not None:
        return session.get(Province, province.successor_id)
    return province


def subject_view(*, session: Session, text: str, product_slug: str = "", today: date) -> SubjectView | None:
    """The product a prefilled form is about, with its photo and status, or None if unknown."""
    subject = resolve_subject(session=session, text=text, product_slug=product_slug)
    if subject is None:
        return None
    product, cert = subject.product, subject.certificate
    producer = session.get(Producer, product.producer_id)
    if producer is None or product.id is None:
        return None
    status = certificate_status(cert.valid_until, cert.revoked_on, on=today) if cert else None
    return SubjectView(
        product=product, producer=producer, certificate=cert,
        display_code=display_code(cert.code) if cert else "", status=status,
        cover=covers(session=session, product_ids=[product.id]).get(product.id),
        office=office_name(_handling_province(session, product)),
    )


def submit_report(*, session: Session, form: ReportForm, photo: ProcessedImage | None,
                  media_dir: Path) -> MisuseReport:
    """Store a validated report for the responsible office (the caller commits); the photo's files go last."""
    subject = resolve_subject(session=session, text=form.ma, product_slug=form.san_pham)
    province = _handling_province(session, subject.product) if subject else None
    report = MisuseReport(
        product_id=subject.product.id if subject else None,
        certificate_id=subject.certificate.id if subject and subject.certificate else None,
        province_id=province.id if province else None,
        reported_code=form.ma, where_bought=form.noi_mua, details=form.mo_ta,
        contact=form.lien_he or None, state=ReportState.NEW,
        photo_hash=photo.content_hash if photo else None,
        photo_width=photo.width if photo else None, photo_height=photo.height if photo else None,
    )
    session.add(report)
    session.flush()
    if photo is not None:
        store_image(media_dir=media_dir, processed=photo)  # content-addressed: a retry rewrites nothing
    return report


def report_office(*, session: Session, report: MisuseReport) -> tuple[str, str]:
    """(office name, province slug or '') of the office that handles `report`."""
    province = session.get(Province, report.province_id) if report.province_id else None
    return office_name(province), province.slug if province else ""


def reports_for_province(*, session: Session, province_id: int | None,
                         limit: int = REPORTS_PAGE_LIMIT) -> list[MisuseReport]:
    """An office's reports, newest first; `None` gives the ministry's (product unknown)."""
    where = (col(MisuseReport.province_id) == province_id if province_id is not None
             else col(MisuseReport.province_id).is_(None))
    return list(session.exec(
        select(MisuseReport).where(where)
        .order_by(col(MisuseReport.created_at).desc(), col(MisuseReport.id).desc()).limit(limit)
    ).all())
