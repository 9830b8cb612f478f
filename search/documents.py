"""The search document of a product: the one shape both engines index.

Validity is never a stored boolean: documents carry `valid_through` (the last day any
certificate is valid, revocation applied) and `revoked_on`, and engines compare them with
the query's `today`.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from app.domain.validity import CertificateStatus


class ProductDocument(TypedDict):
    """Everything search needs about one product; dates as yyyymmdd integers for filters."""

    id: int
    slug: str
    name: str
    description: str
    group: str
    level: str  # highest level over all certificates
    levels: list[str]
    years: list[int]
    province: str  # current province slug
    province_name: str
    certified_provinces: list[str]  # slugs of the provinces at certification
    producer_name: str
    producer_slug: str
    certificate_numbers: list[str]
    certificate_codes: list[str]
    decision_numbers: list[str]
    valid_until: str  # ISO date of the certificate that defines the status
    valid_through: int  # yyyymmdd: last day a certificate is valid (revocations applied)
    revoked_on: int  # yyyymmdd of the defining certificate's revocation, 0 if none
    latest_issued: int  # yyyymmdd of the newest certificate, for "newest" sort
    image: str  # content hash of the cover photo, "" if none
    fingerprint: str  # hash of all fields above, for drift checks


def date_key(day: date) -> int:
    """A date as a yyyymmdd integer: sortable and filterable in every engine."""
    return day.year * 10000 + day.month * 100 + day.day


def document_status(document: ProductDocument, *, today: date) -> CertificateStatus:
    """A product's status on `today`: valid if any certificate is, else revoked or expired."""
    day = date_key(today)
    if document["valid_through"] >= day:
        return CertificateStatus.valid
    if document["revoked_on"] and document["revoked_on"] <= day:
        return CertificateStatus.revoked
    return CertificateStatus.expired
