"""What the office navigation shows beside its links: the open misuse reports and the pending producer claims
of the signed-in account."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from app.services.office.account import Account
from app.services.office.report_handling import count_open_reports
from app.services.producers.claims import count_pending_claims


def open_report_count(request: object, account: object) -> int:
    """Reports in the account's reach still waiting (new or being checked); counted once per request.

    A short session of its own: the page's session belongs to the route, and the count is read
    only when a page with the office navigation is rendered. 0 where there is no account.
    """
    if not isinstance(request, Request) or not isinstance(account, Account):
        return 0
    cached = getattr(request.state, "open_report_count", None)
    if isinstance(cached, int):
        return cached
    with Session(request.app.state.engine) as session:
        count = count_open_reports(session=session, account=account)
    request.state.open_report_count = count
    return count


def pending_claim_count(request: object, account: object) -> int:
    """Producer claims in the account's reach waiting for a decision; counted once per request (as above)."""
    if not isinstance(request, Request) or not isinstance(account, Account):
        return 0
    cached = getattr(request.state, "pending_claim_count", None)
    if isinstance(cached, int):
        return cached
    with Session(request.app.state.engine) as session:
        count = count_pending_claims(session=session, account=account)
    request.state.pending_claim_count = count
    return count
