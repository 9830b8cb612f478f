"""Telling a reporter the outcome of their misuse report, when they left an e-mail address.

The contact is free text (an e-mail, a phone number, both, a name…); the first e-mail address in
it is used and anything else is ignored. The message says which code the report was about, the
outcome in the office's words and its note: nothing internal (no state names, no other reports).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC

from sqlmodel import Session

from app.domain.codes import display_code
from app.domain.validity import VIETNAM
from app.models import Certificate, MailMessage, MisuseReport
from app.services.mail import queue_mail
from app.services.mail.outbox import valid_recipient
from app.services.verification.misuse_reports import report_office

TEMPLATE = "report_outcome"
# An address as people type one; the local part and domain in ASCII (what SMTP carries everywhere).
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}")


def email_in_contact(contact: str | None) -> str | None:
    """The first well-formed e-mail address in what the reporter typed; None when there is none."""
    for found in EMAIL_IN_TEXT.finditer(contact or ""):
        address = found.group(0).strip(".")
        try:
            return valid_recipient(address)
        except ValueError:
            continue
    return None


def queue_report_outcome(*, session: Session, report: MisuseReport, outcome: str,
                         note: str) -> MailMessage | None:
    """Queue the outcome e-mail in the caller's transaction; None when no address, or already queued.

    One message per report and outcome: recording the same outcome twice sends one e-mail.
    """
    to = email_in_contact(report.contact)
    if to is None or report.id is None:
        return None
    certificate = session.get(Certificate, report.certificate_id) if report.certificate_id else None
    code = display_code(certificate.code) if certificate is not None else (report.reported_code or "")
    office, _slug = report_office(session=session, report=report)
    created = report.created_at if report.created_at.tzinfo else report.created_at.replace(tzinfo=UTC)
    context: dict[str, object] = {
        "code": code or "(không ghi mã)",
        "verify_path": f"/v/{certificate.code}" if certificate is not None else "/tra-cuu",
        "reported_on": created.astimezone(VIETNAM).strftime("%d/%m/%Y"),  # SQLite hands back naive UTC
        "office": office,
        "outcome": outcome.strip(),
        "note": note.strip(),
    }
    outcome_key = hashlib.sha256(outcome.strip().encode()).hexdigest()[:16]
    return queue_mail(session=session, to=to, template=TEMPLATE, context=context,
                      dedupe_key=f"report-outcome:{report.id}:{outcome_key}")
