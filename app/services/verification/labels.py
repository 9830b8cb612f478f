"""Use-cases behind the QR and label downloads: a published certificate by its code.

The QR is always offered (it points to the verification page, which tells the truth). The
label carries the programme's name, which a producer may print only while the certificate
is valid, so it is refused for an expired or revoked one.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.domain.codes import display_code
from app.domain.validity import CertificateStatus
from app.errors import DomainError, NotFound
from app.files.labels import LabelFacts, verification_url
from app.services.catalog.reads import CertificateView, find_certificates

NOT_FOUND_MESSAGE = "Không tìm thấy giấy chứng nhận có mã này. Hãy kiểm tra lại đường dẫn."
LOGO_RULE = "Cơ sở chỉ được in biểu trưng chương trình khi giấy chứng nhận còn hiệu lực."


class LabelNotOffered(DomainError):
    """The certificate exists but is not valid today, so no label may be printed (410 Gone)."""

    status_code = 410


def certificate_by_code(*, session: Session, code: str, today: date) -> CertificateView:
    """The certificate of a published product with this code (any case, dashes allowed), or NotFound."""
    views = find_certificates(session=session, code=code, number=None, today=today)
    if not views:
        raise NotFound(NOT_FOUND_MESSAGE)
    return views[0]


def qr_target(*, session: Session, code: str, today: date, base_url: str) -> str:
    """The verification URL a certificate's QR encodes, whatever its status."""
    view = certificate_by_code(session=session, code=code, today=today)
    return verification_url(base_url, view.certificate.code)


def refusal_message(view: CertificateView) -> str:
    """Why no label is offered for a certificate that is not valid today, in Vietnamese."""
    cert, shown = view.certificate, display_code(view.certificate.code)
    if view.status == CertificateStatus.revoked and cert.revoked_on is not None:
        reason = f"đã bị thu hồi ngày {cert.revoked_on:%d/%m/%Y}"
    else:
        reason = f"đã hết hiệu lực sau ngày {cert.valid_until:%d/%m/%Y}"
    return f"Giấy chứng nhận {shown} {reason}, nên không còn cung cấp nhãn in. {LOGO_RULE}"


def label_facts(*, session: Session, code: str, today: date, base_url: str) -> LabelFacts:
    """What the printable label says, for a certificate valid today; LabelNotOffered otherwise."""
    view = certificate_by_code(session=session, code=code, today=today)
    if not view.shows_badge:
        raise LabelNotOffered(refusal_message(view))
    cert = view.certificate
    return LabelFacts(
        url=verification_url(base_url, cert.code),
        code=cert.code,
        level_label=view.level_label,
        issued_year=cert.issued_on.year,
        valid_until=cert.valid_until,
    )
