"""A watch list as a table: one row per watched certificate, its status and days left on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.domain.codes import display_code
from app.domain.levels import Level
from app.domain.validity import CertificateStatus, certificate_status
from app.models import Certificate, Product, WatchList
from app.services.watch.lists import watched_certificates


@dataclass(frozen=True, slots=True)
class WatchRow:
    """One watched certificate as the mail, the manage page and the calendar show it."""

    certificate: Certificate
    product: Product
    status: CertificateStatus
    days_left: int | None  # None once it is no longer valid

    @property
    def code(self) -> str:
        """The code as printed beside the logo."""
        return display_code(self.certificate.code)

    @property
    def number(self) -> str:
        """The printed certificate number, or a dash."""
        return self.certificate.number or "—"

    @property
    def level_label(self) -> str:
        """The certificate's level in words (Vietnamese msgid)."""
        return Level(self.certificate.level).label

    @property
    def valid_until(self) -> str:
        """dd/mm/yyyy, as Vietnamese readers write dates."""
        return f"{self.certificate.valid_until:%d/%m/%Y}"


def watch_rows(*, session: Session, watch: WatchList, today: date) -> list[WatchRow]:
    """The list's certificates with their status on `today` (a Vietnam date)."""
    rows = []
    for certificate, product in watched_certificates(session=session, watch=watch):
        status = certificate_status(certificate.valid_until, certificate.revoked_on, on=today)
        days = (certificate.valid_until - today).days if status is CertificateStatus.valid else None
        rows.append(WatchRow(certificate=certificate, product=product, status=status, days_left=days))
    return rows
