"""Telling a visitor the outcome of their report of wrong information, when they left an e-mail address.

The message names the record, the part reported, the outcome in the office's words and its note:
nothing internal (no state names, no other reports). One message per report and outcome.
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from sqlmodel import Session

from app.domain.corrections import correction_field
from app.domain.validity import VIETNAM
from app.models import Certificate, CorrectionReport, MailMessage, Producer, Product
from app.services.mail import queue_mail
from app.services.verification.corrections import correction_office

TEMPLATE = "correction_outcome"


def _record(session: Session, report: CorrectionReport) -> tuple[str, str]:
    """(the record's name, its public path) as the report names it."""
    if report.certificate_id is not None and (cert := session.get(Certificate, report.certificate_id)):
        product = session.get(Product, cert.product_id)
        return f"{product.name if product else ''} ({cert.code})".strip(), f"/v/{cert.code}"
    if report.product_id is not None and (product := session.get(Product, report.product_id)):
        return product.name, f"/san-pham/{product.slug}"
    if report.producer_id is not None and (producer := session.get(Producer, report.producer_id)):
        return producer.name, f"/co-so/{producer.slug}"
    return "", "/san-pham"


def queue_correction_outcome(*, session: Session, report: CorrectionReport, outcome: str,
                             note: str) -> MailMessage | None:
    """Queue the outcome e-mail in the caller's transaction; None when no address, or already queued."""
    if not report.email or report.id is None:
        return None
    name, path = _record(session, report)
    part = correction_field(report.field)
    office, _slug = correction_office(session=session, report=report)
    created = report.created_at if report.created_at.tzinfo else report.created_at.replace(tzinfo=UTC)
    context: dict[str, object] = {
        "record": name or "(không còn trên trang)",
        "record_path": path,
        "part": part.label if part is not None else report.field,
        "reported_on": created.astimezone(VIETNAM).strftime("%d/%m/%Y"),  # SQLite hands back naive UTC
        "office": office,
        "outcome": outcome.strip(),
        "note": note.strip(),
    }
    outcome_key = hashlib.sha256(outcome.strip().encode()).hexdigest()[:16]
    return queue_mail(session=session, to=report.email, template=TEMPLATE, context=context,
                      dedupe_key=f"correction-outcome:{report.id}:{outcome_key}")
