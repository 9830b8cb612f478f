"""What the office navigation shows beside its links: the open misuse reports and the pending producer claims
of the signed-in account."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from sqlmodel import Session

from app.services.office.account import Account
from app.services.office.correction_handling import count_new_corrections
from app.services.office.report_handling import count_open_reports
from app.services.producers.claims import count_pending_claims


def _count_once(request: object, account: object, name: str,
                count: Callable[..., int]) -> int:
    """`count(session=, account=)` for the signed-in account, once per request (kept on `request.state`).

    A short session of its own: the page's session belongs to the route, and the count is read
    only when a page with the office navigation is rendered. 0 where there is no account.
    """
    if not isinstance(request, Request) or not isinstance(account, Account):
        return 0
    cached = getattr(request.state, name, None)
    if isinstance(cached, int):
        return cached
    with Session(request.app.state.engine) as session:
        found = count(session=session, account=account)
    setattr(request.state, name, found)
    return found


def open_report_count(request: object, account: object) -> int:
    """Reports in the account's reach still waiting (new or being checked)."""
    return _count_once(request, account, "open_report_count", count_open_reports)


def pending_claim_count(request: object, account: object) -> int:
    """Producer claims in the account's reach waiting for a decision."""
    return _count_once(request, account, "pending_claim_count", count_pending_claims)


def open_correction_count(request: object, account: object) -> int:
    """Reports of wrong information in the account's reach still waiting (new or being checked)."""
    return _count_once(request, account, "open_correction_count", count_new_corrections)
