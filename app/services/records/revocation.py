"""Certificate use-cases that are not part of an import: revocation."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.domain.text import squash_spaces
from app.errors import InvalidInput
from app.models import Certificate, utcnow
from search.indexer import mark_for_reindex

MAX_REASON_LENGTH = 500


def revoke_certificate(*, session: Session, certificate: Certificate, on: date, reason: str) -> Certificate:
    """Mark a certificate revoked from `on` (the logo may no longer be used); the caller commits."""
    reason = squash_spaces(reason)
    if not reason:
        raise InvalidInput("Cần ghi lý do thu hồi.", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"Lý do thu hồi dài quá {MAX_REASON_LENGTH} ký tự.", field="reason")
    if on < certificate.issued_on:
        raise InvalidInput("Ngày thu hồi không thể trước ngày cấp giấy chứng nhận.", field="on")
    certificate.revoked_on = on
    certificate.revoked_reason = reason
    certificate.updated_at = utcnow()
    session.add(certificate)
    mark_for_reindex(session, certificate.product_id)
    session.flush()
    return certificate
