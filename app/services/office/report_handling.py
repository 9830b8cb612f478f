"""An office handles misuse reports: opens one in its reach, moves it between states, sees its photo.

An office reaches the reports of its own (current) province; the ministry's administrators
reach every report, including those whose product could not be told (no province). Any
other report is NotFound, so its existence is not revealed. Every state change goes through
`change_report_state`: it checks the move against the domain's transitions, records it in
the report's history and in the audit log, in the caller's transaction (the route commits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.codes import display_code
from app.domain.provinces import display_name, province_by_slug
from app.domain.states import (
    NOTE_REQUIRED_STATES,
    OPEN_REPORT_STATES,
    REPORT_STATE_LABELS,
    REPORT_TRANSITIONS,
    ReportState,
    parse_state,
    report_transition_refusal,
)
from app.domain.validity import VIETNAM
from app.errors import InvalidInput, NotFound
from app.files.media import variant_dir, variant_size
from app.models import Certificate, MisuseReport, MisuseReportEvent, Product, Province, User, utcnow
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot
from app.services.verification.report_outcome_mail import queue_report_outcome

MAX_NOTE = 2000
PHOTO_WIDTH = 1280  # the variant the office sees: the widest one stored
# The states that answer the reporter's question; reaching one e-mails them (when they left an address).
FINDINGS = frozenset({ReportState.CONFIRMED, ReportState.UNFOUNDED})
NOT_FOUND = "Không tìm thấy báo cáo này trong phạm vi quản lý của bạn."


@dataclass(frozen=True, slots=True)
class EventRow:
    """One move in a report's history, with who made it and when (Vietnam time)."""

    event: MisuseReportEvent
    who: str
    at: datetime


@dataclass(frozen=True, slots=True)
class NextState:
    """A move the office may make now: the target, the button's words, and whether a note is required."""

    state: ReportState
    action: str
    note_required: bool


@dataclass(frozen=True, slots=True)
class ReportDetail:
    """What the report page shows."""

    report: MisuseReport
    state: ReportState
    received_at: datetime  # Vietnam time
    office: str
    product: Product | None
    certificate: Certificate | None
    certificate_code: str
    photo_size: tuple[int, int] | None
    history: list[EventRow]
    next_states: list[NextState]


def vn_time(moment: datetime) -> datetime:
    """A stored instant in Vietnam time (SQLite returns it without a zone: UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM)


def office_province_id(session: Session, account: Account) -> int | None:
    """An office's (current) province row id; None for an administrator, -1 for an office without one."""
    if account.is_admin:
        return None
    row = session.exec(select(Province).where(Province.slug == account.province_slug)).first()
    return row.id if row is not None and row.id is not None else -1


def reach_condition(session: Session, account: Account, column: Any = None) -> Any:
    """A condition keeping the reports the account handles: its province's, or all for an administrator.

    `column` is the reports' province column (a misuse report's by default; a correction report's too).
    """
    province_id = office_province_id(session, account)
    column = col(MisuseReport.province_id) if column is None else column
    return sa.true() if province_id is None else column == province_id


def require_reach(session: Session, account: Account, province_id: int | None) -> None:
    """NotFound unless the account handles reports of this province; the ministry's (None): administrators."""
    if account.is_admin:
        return
    province = session.get(Province, province_id) if province_id is not None else None
    if province is None:
        raise NotFound(NOT_FOUND)  # the ministry's own reports
    account.require_province(province.slug)


def managed_report(*, session: Session, account: Account, report_id: int) -> MisuseReport:
    """A report in the account's reach (NotFound otherwise, so others' reports stay unseen)."""
    report = session.get(MisuseReport, report_id)
    if report is None:
        raise NotFound(NOT_FOUND)
    require_reach(session, account, report.province_id)
    return report


def checked_move(current: ReportState, to_state: str, note: str,
                 labels: Mapping[ReportState, str] = REPORT_STATE_LABELS) -> tuple[ReportState, str]:
    """The target state and the cleaned note of an allowed move; InvalidInput ("state" or "note") otherwise.

    The one check of a report's move, for misuse and correction reports alike (`labels` words the states).
    """
    target = parse_state(ReportState, to_state)
    if target is None:
        raise InvalidInput("Trạng thái không hợp lệ.", field="state")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"Ghi chú dài tối đa {MAX_NOTE} ký tự (đang có {len(note)}).", field="note")
    refusal = report_transition_refusal(current, target, note, labels)
    if refusal is not None:
        allowed = target in REPORT_TRANSITIONS.get(current, {})
        raise InvalidInput(refusal, field="note" if allowed else "state")
    return target, note


def count_open_reports(*, session: Session, account: Account) -> int:
    """How many reports in the account's reach still wait for the office (new or being checked)."""
    where = sa.and_(reach_condition(session, account), col(MisuseReport.state).in_(OPEN_REPORT_STATES))
    return int(session.exec(select(sa.func.count()).select_from(MisuseReport).where(where)).one())


def handling_office(session: Session, province_id: int | None) -> str:
    """Who handles a report, as the office reads it."""
    if province_id is None:
        return "Bộ Công Thương (chưa xác định được sản phẩm)"
    province = session.get_one(Province, province_id)
    info = province_by_slug(province.slug)
    return f"Sở Công Thương {display_name(info) if info else province.name}"


def _history(session: Session, report_id: int) -> list[EventRow]:
    """The report's moves, oldest first, with the names of who made them."""
    rows = session.exec(
        select(MisuseReportEvent, User)
        .join(User, col(User.id) == col(MisuseReportEvent.user_id), isouter=True)
        .where(MisuseReportEvent.report_id == report_id)
        .order_by(col(MisuseReportEvent.created_at), col(MisuseReportEvent.id))
    ).all()
    return [EventRow(event, user.name if user else "", vn_time(event.created_at)) for event, user in rows]


def _state_of(report: MisuseReport) -> ReportState:
    """The report's state; a value this version does not know is treated as new (it can only move on)."""
    return parse_state(ReportState, report.state) or ReportState.NEW


def report_detail(*, session: Session, account: Account, report_id: int) -> ReportDetail:
    """The report in the account's reach, with its product, certificate, history and allowed moves."""
    report = managed_report(session=session, account=account, report_id=report_id)
    state = _state_of(report)
    cert = session.get(Certificate, report.certificate_id) if report.certificate_id else None
    photo = (variant_size(report.photo_width, report.photo_height, PHOTO_WIDTH)
             if report.photo_hash and report.photo_width and report.photo_height else None)
    moves = [NextState(target, words, target in NOTE_REQUIRED_STATES)
             for target, words in REPORT_TRANSITIONS.get(state, {}).items()]
    assert report.id is not None  # noqa: S101 - loaded from the database
    return ReportDetail(
        report=report, state=state, received_at=vn_time(report.created_at),
        office=handling_office(session, report.province_id),
        product=session.get(Product, report.product_id) if report.product_id else None,
        certificate=cert, certificate_code=display_code(cert.code) if cert else "",
        photo_size=photo, history=_history(session, report.id), next_states=moves,
    )


def change_report_state(*, session: Session, account: Account, report_id: int, to_state: str,
                        note: str) -> MisuseReport:
    """Move a report to `to_state` with a note: the one way a state changes, recorded and audited.

    InvalidInput (field "state" or "note") when the move is not allowed or a finding has no note;
    the caller commits. A finding (confirmed or unfounded) queues the outcome e-mail to the reporter
    in the same transaction, so it is sent only if the change commits.
    """
    report = managed_report(session=session, account=account, report_id=report_id)
    current = _state_of(report)
    target, note = checked_move(current, to_state, note)
    before = snapshot(report)
    report.state = target
    session.add(report)
    assert report.id is not None  # noqa: S101 - loaded from the database
    session.add(MisuseReportEvent(report_id=report.id, created_at=utcnow(), user_id=account.id,
                                  from_state=current, to_state=target, note=note))
    record_change(session=session, account=account, action="report.state", entity="report",
                  entity_id=report.id, province_id=report.province_id, before=before,
                  after={**snapshot(report), "note": note})
    if target in FINDINGS:
        queue_report_outcome(session=session, report=report, outcome=target.label, note=note)
    session.flush()
    return report


def report_photo_path(*, session: Session, account: Account, report_id: int, private_dir: Path) -> Path:
    """The JPEG of a report's photo from the private store, for an account that reaches the report."""
    report = managed_report(session=session, account=account, report_id=report_id)
    if not report.photo_hash:
        raise NotFound("Báo cáo này không có ảnh.")
    path = variant_dir(private_dir, report.photo_hash) / f"{PHOTO_WIDTH}.jpg"
    if not path.is_file():
        raise NotFound("Không tìm thấy tệp ảnh của báo cáo này.")
    return path
