"""An office handles reports of wrong information: lists, opens and moves them, as it does misuse reports.

The reach, the states, the allowed moves and their check are the misuse reports' own
(`report_handling.reach_condition`, `require_reach`, `checked_move`); only the finding's words
differ (`CORRECTION_STATE_LABELS`). Every move is recorded in the report's history and the audit
log in the caller's transaction (the route commits); a finding mails the visitor who left an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.codes import display_code
from app.domain.corrections import correction_field
from app.domain.states import (
    CORRECTION_STATE_LABELS,
    NOTE_REQUIRED_STATES,
    OPEN_REPORT_STATES,
    REPORT_TRANSITIONS,
    ReportState,
    correction_move_words,
    parse_state,
)
from app.errors import NotFound
from app.models import Certificate, CorrectionReport, CorrectionReportEvent, Producer, Product, User, utcnow
from app.services.office.account import Account
from app.services.office.report_handling import (
    FINDINGS,
    NextState,
    checked_move,
    handling_office,
    reach_condition,
    require_reach,
    vn_time,
)
from app.services.records.audit_log import record_change, snapshot
from app.services.verification.correction_outcome_mail import queue_correction_outcome

PAGE_SIZE = 50
OPEN = "mo"  # the state filter for "still waiting": new or being checked
NOT_FOUND = "Không tìm thấy báo cáo thông tin sai này trong phạm vi quản lý của bạn."


@dataclass(frozen=True, slots=True)
class CorrectionEventRow:
    """One move in a correction report's history, with who made it and when (Vietnam time)."""

    event: CorrectionReportEvent
    who: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CorrectionDetail:
    """What the office's page of one correction report shows."""

    report: CorrectionReport
    state: ReportState
    received_at: datetime  # Vietnam time
    office: str
    part: str
    product: Product | None
    producer: Producer | None
    certificate: Certificate | None
    certificate_code: str
    history: list[CorrectionEventRow]
    next_states: list[NextState]


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """One line of the list: received (Vietnam time), the record, the part, the state."""

    report: CorrectionReport
    received_at: datetime
    record: str
    part: str
    state_label: str


@dataclass(frozen=True, slots=True)
class CorrectionList:
    """A page of the list, the state asked for and the counts per state ("" all, OPEN the waiting ones)."""

    rows: list[CorrectionRow]
    total: int
    page: int
    pages: int
    state: str
    counts: dict[str, int]


def correction_label(value: str) -> str:
    """A stored state in the words of a correction report."""
    state = parse_state(ReportState, value)
    return CORRECTION_STATE_LABELS[state] if state is not None else value


def _part_label(value: str) -> str:
    """The part reported, in words."""
    part = correction_field(value)
    return part.label if part is not None else value


def _state_of(report: CorrectionReport) -> ReportState:
    """The report's state; a value this version does not know is treated as new (it can only move on)."""
    return parse_state(ReportState, report.state) or ReportState.NEW


def managed_correction(*, session: Session, account: Account, report_id: int) -> CorrectionReport:
    """A correction report in the account's reach (NotFound otherwise, so others' stay unseen)."""
    report = session.get(CorrectionReport, report_id)
    if report is None:
        raise NotFound(NOT_FOUND)
    require_reach(session, account, report.province_id)
    return report


def _reach(session: Session, account: Account) -> Any:
    """The condition keeping the correction reports the account handles."""
    return reach_condition(session, account, col(CorrectionReport.province_id))


def count_new_corrections(*, session: Session, account: Account) -> int:
    """How many correction reports in the account's reach wait for the office (new or being checked)."""
    where = sa.and_(_reach(session, account), col(CorrectionReport.state).in_(OPEN_REPORT_STATES))
    return int(session.exec(select(sa.func.count()).select_from(CorrectionReport).where(where)).one())


def _history(session: Session, report_id: int) -> list[CorrectionEventRow]:
    """The report's moves, oldest first, with the names of who made them."""
    rows = session.exec(
        select(CorrectionReportEvent, User)
        .join(User, col(User.id) == col(CorrectionReportEvent.user_id), isouter=True)
        .where(CorrectionReportEvent.report_id == report_id)
        .order_by(col(CorrectionReportEvent.created_at), col(CorrectionReportEvent.id))
    ).all()
    return [CorrectionEventRow(event, user.name if user else "", vn_time(event.created_at))
            for event, user in rows]


def correction_detail(*, session: Session, account: Account, report_id: int) -> CorrectionDetail:
    """The report in the account's reach, with its record, history and allowed moves."""
    report = managed_correction(session=session, account=account, report_id=report_id)
    state = _state_of(report)
    cert = session.get(Certificate, report.certificate_id) if report.certificate_id else None
    moves = [NextState(target, correction_move_words(state, target), target in NOTE_REQUIRED_STATES)
             for target in REPORT_TRANSITIONS.get(state, {})]
    assert report.id is not None  # noqa: S101 - loaded from the database
    return CorrectionDetail(
        report=report, state=state, received_at=vn_time(report.created_at),
        office=handling_office(session, report.province_id), part=_part_label(report.field),
        product=session.get(Product, report.product_id) if report.product_id else None,
        producer=session.get(Producer, report.producer_id) if report.producer_id else None,
        certificate=cert, certificate_code=display_code(cert.code) if cert else "",
        history=_history(session, report.id), next_states=moves,
    )


def change_correction_state(*, session: Session, account: Account, report_id: int, to_state: str,
                            note: str) -> CorrectionReport:
    """Move a correction report with a note: the one way its state changes, recorded and audited.

    InvalidInput (field "state" or "note") as for a misuse report; the caller commits. A finding
    queues the outcome e-mail in the same transaction, so it is sent only if the change commits.
    """
    report = managed_correction(session=session, account=account, report_id=report_id)
    current = _state_of(report)
    target, note = checked_move(current, to_state, note, CORRECTION_STATE_LABELS)
    before = snapshot(report)
    report.state = target
    session.add(report)
    assert report.id is not None  # noqa: S101 - loaded from the database
    session.add(CorrectionReportEvent(report_id=report.id, created_at=utcnow(), user_id=account.id,
                                      from_state=current, to_state=target, note=note))
    record_change(session=session, account=account, action="correction.state", entity="correction",
                  entity_id=report.id, province_id=report.province_id, before=before,
                  after={**snapshot(report), "note": note})
    if target in FINDINGS:
        queue_correction_outcome(session=session, report=report, outcome=CORRECTION_STATE_LABELS[target],
                                 note=note)
    session.flush()
    return report


def _state_condition(state: str) -> Any:
    """The state filter: one state, the open ones, or all."""
    if state == OPEN:
        return col(CorrectionReport.state).in_(OPEN_REPORT_STATES)
    return sa.true() if not state else col(CorrectionReport.state) == state


def _counts(session: Session, reach: Any) -> dict[str, int]:
    """How many reports in reach are in each state, the open ones, and all."""
    rows = session.exec(select(CorrectionReport.state, sa.func.count()).where(reach)
                        .group_by(col(CorrectionReport.state))).all()
    counts = {state.value: 0 for state in ReportState}
    counts.update({str(state): int(n) for state, n in rows})
    counts[OPEN] = sum(counts.get(state.value, 0) for state in OPEN_REPORT_STATES)
    counts[""] = sum(int(n) for _, n in rows)
    return counts


def _record_name(session: Session, report: CorrectionReport) -> str:
    """The record a report names, as the list shows it."""
    if report.product_id is not None and (product := session.get(Product, report.product_id)):
        return product.name
    if report.producer_id is not None and (producer := session.get(Producer, report.producer_id)):
        return producer.name
    return f"Báo cáo số {report.id}"


def list_corrections(*, session: Session, account: Account, state: str = "", page: int = 1) -> CorrectionList:
    """A page of the correction reports the account handles, newest first, with the counts per state."""
    state = state if state == OPEN or parse_state(ReportState, state) else ""
    reach = _reach(session, account)
    counts = _counts(session, reach)
    where = sa.and_(reach, _state_condition(state))
    total = int(session.exec(select(sa.func.count()).select_from(CorrectionReport).where(where)).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    found = session.exec(
        select(CorrectionReport).where(where)
        .order_by(col(CorrectionReport.created_at).desc(), col(CorrectionReport.id).desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    rows = [CorrectionRow(report, vn_time(report.created_at), _record_name(session, report),
                          _part_label(report.field), correction_label(report.state)) for report in found]
    return CorrectionList(rows=rows, total=total, page=page, pages=pages, state=state, counts=counts)
