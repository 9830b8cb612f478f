"""The API's answer to a list check (POST /api/v1/certificates/check), from the bulk check's rows."""

from __future__ import annotations

from collections.abc import Sequence

from app.services.api.schemas import CheckCandidate, CheckResponse, CheckResult
from app.services.verification.bulk_check import BulkResult, BulkStatus

# The API has no `expiring` status: an expiring certificate is valid, and `days_left` says how long.
_API_STATUS = {BulkStatus.expiring: BulkStatus.valid}


def api_status(status: BulkStatus) -> str:
    """A row status in the API's words (expiring is valid)."""
    return _API_STATUS.get(status, status).value


def check_result(row: BulkResult) -> CheckResult:
    """One row as the API shows it."""
    found = row.found
    cert = found.view.certificate if found else None
    candidates = [CheckCandidate(product=c.product_name, product_slug=c.product_slug,
                                 producer=c.producer_name, code=c.code, number=c.number,
                                 status=api_status(c.status))
                  for c in row.candidates]
    return CheckResult(
        input=row.input, status=api_status(row.status), matched_by=row.matched_by,
        code=found.view.display_code if found else None, number=cert.number if cert else None,
        product=found.view.product.name if found else None,
        product_slug=found.view.product.slug if found else None,
        producer=found.producer.name if found else None, level=cert.level if cert else None,
        valid_until=cert.valid_until if cert else None, days_left=found.days_left if found else None,
        revoked_on=cert.revoked_on if cert else None, revoked_reason=cert.revoked_reason if cert else None,
        candidates=candidates,
    )


def check_response(rows: Sequence[BulkResult]) -> CheckResponse:
    """Every row's answer, in order."""
    return CheckResponse(results=[check_result(row) for row in rows])
