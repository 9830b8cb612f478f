"""Revoking a certificate: dates, reason, and an outbox row for the search index."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.domain.validity import CertificateStatus, certificate_status
from app.errors import InvalidInput
from app.models import Certificate, OutboxEvent
from app.services.records.revocation import revoke_certificate
from tests.factories import make_product


def test_revoke_sets_date_reason_and_outbox(session: Session) -> None:
    make_product(session, issued_on=date(2023, 12, 15))
    session.commit()
    cert = session.exec(select(Certificate)).one()
    outbox_before = len(session.exec(select(OutboxEvent)).all())
    revoke_certificate(session=session, certificate=cert, on=date(2024, 5, 1),
                       reason="  Vi phạm   biểu trưng ")
    session.commit()
    stored = session.exec(select(Certificate)).one()
    assert stored.revoked_on == date(2024, 5, 1) and stored.revoked_reason == "Vi phạm biểu trưng"
    status = certificate_status(stored.valid_until, stored.revoked_on, on=date(2024, 5, 1))
    assert status == CertificateStatus.revoked
    assert len(session.exec(select(OutboxEvent)).all()) == outbox_before + 1


@pytest.mark.parametrize(("on", "reason"), [(date(2023, 1, 1), "Lý do"), (date(2024, 1, 1), "  ")])
def test_revoke_refuses_bad_input(session: Session, on: date, reason: str) -> None:
    make_product(session, issued_on=date(2023, 12, 15))
    cert = session.exec(select(Certificate)).one()
    with pytest.raises(InvalidInput):
        revoke_certificate(session=session, certificate=cert, on=on, reason=reason)
