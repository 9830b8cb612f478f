"""The office's list of misuse reports: its reach only, newest first, filtered by plain GET parameters.

Filters: state (or "open": new and being checked), province for administrators (a current
province's slug, or "bo" for the reports no province handles), received from/to (Vietnam
days, dd/mm/yyyy or yyyy-mm-dd), and text in what was typed, where it was bought and the
details. Counts per state follow every filter but the state, so each is what its link shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.parsing import ParseError, parse_date
from app.domain.provinces import ProvinceInfo, current_provinces, province_by_slug, successor_of
from app.domain.states import OPEN_REPORT_STATES, ReportState, parse_state
from app.domain.validity import VIETNAM
from app.models import MisuseReport, Product, Province
from app.services.office.account import Account
from app.services.office.report_handling import reach_condition, vn_time

PAGE_SIZE = 50
MAX_QUERY = 100
OPEN = "mo"  # the state filter for "still waiting": new or being checked
MINISTRY = "bo"  # the province filter for reports no province handles (administrators)


@dataclass(frozen=True, slots=True)
class ReportFilters:
    """What the list was asked for, as typed (errors keep the value so the form shows it)."""

    state: str = ""
    province: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""

    def query(self, **changes: object) -> dict[str, object]:
        """The filters as URL parameters (empty ones left out), with `changes` applied."""
        values: dict[str, object] = {"state": self.state, "tinh": self.province, "tu": self.date_from,
                                     "den": self.date_to, "q": self.q}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", None, 1)}


@dataclass(frozen=True, slots=True)
class ReportListRow:
    """One line: when it came (Vietnam time), what was reported, the product, the state."""

    report: MisuseReport
    received_at: datetime
    product: Product | None
    state_label: str


@dataclass(frozen=True, slots=True)
class ReportList:
    """A page of the list, its filters, the counts per state and any refused filter."""

    rows: list[ReportListRow]
    total: int
    page: int
    pages: int
    filters: ReportFilters
    counts: dict[str, int]  # state value → count; OPEN and "" (all) too
    errors: dict[str, str] = field(default_factory=dict)
    province_choices: tuple[ProvinceInfo, ...] = ()


def _day(text: str, name: str, label: str, errors: dict[str, str]) -> date | None:
    """A typed filter date; a message in `errors[name]` when it cannot be read."""
    if not text.strip():
        return None
    try:
        return parse_date(text.strip())
    except ParseError as error:
        errors[name] = f"{label}: {error}"
        return None


def _vn_midnight(day: date) -> datetime:
    """The instant a Vietnam day begins, in UTC (how the database compares stored times)."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM).astimezone(UTC)


def _province_condition(session: Session, account: Account, slug: str, errors: dict[str, str]) -> Any:
    """An administrator's province filter: a current province (its reports) or MINISTRY; offices ignore it."""
    if not account.is_admin or not slug:
        return sa.true()
    if slug == MINISTRY:
        return col(MisuseReport.province_id).is_(None)
    info = province_by_slug(slug) if len(slug) <= 64 else None
    if info is None:
        errors["tinh"] = "Không có tỉnh/thành phố này."
        return sa.true()
    row = session.exec(select(Province).where(Province.slug == successor_of(info).slug)).one()
    return col(MisuseReport.province_id) == row.id


def _text_condition(q: str) -> Any:
    """Reports whose typed code, place of purchase or details contain `q` (case ignored)."""
    if not q:
        return sa.true()
    needle = q.lower()
    return sa.or_(*(sa.func.lower(column).contains(needle, autoescape=True) for column in (
        col(MisuseReport.reported_code), col(MisuseReport.where_bought), col(MisuseReport.details))))


def _conditions(session: Session, account: Account, filters: ReportFilters,
                errors: dict[str, str]) -> list[Any]:
    """Every filter but the state, as conditions (refused ones recorded in `errors` and ignored)."""
    conditions = [reach_condition(session, account),
                  _province_condition(session, account, filters.province, errors),
                  _text_condition(filters.q)]
    start = _day(filters.date_from, "tu", "Từ ngày", errors)
    end = _day(filters.date_to, "den", "Đến ngày", errors)
    if start is not None:
        conditions.append(col(MisuseReport.created_at) >= _vn_midnight(start))
    if end is not None:
        conditions.append(col(MisuseReport.created_at) < _vn_midnight(end + timedelta(days=1)))
    if start is not None and end is not None and end < start:
        errors["den"] = "Đến ngày phải sau hoặc cùng ngày với từ ngày."
    return conditions


def _state_condition(state: str) -> Any:
    """The state filter: one state, the open ones, or all."""
    if state == OPEN:
        return col(MisuseReport.state).in_(OPEN_REPORT_STATES)
    return sa.true() if not state else col(MisuseReport.state) == state


def _counts(session: Session, conditions: list[Any]) -> dict[str, int]:
    """How many reports match `conditions` in each state, the open ones, and all."""
    rows = session.exec(select(MisuseReport.state, sa.func.count()).where(*conditions)
                        .group_by(col(MisuseReport.state))).all()
    counts = {state.value: 0 for state in ReportState}
    counts.update({str(state): int(n) for state, n in rows})
    counts[OPEN] = sum(counts.get(state.value, 0) for state in OPEN_REPORT_STATES)
    counts[""] = sum(int(n) for _, n in rows)
    return counts


def _clean(filters: ReportFilters, account: Account) -> ReportFilters:
    """Filters within their limits: an unknown state is dropped, an office's province ignored."""
    state = filters.state if filters.state == OPEN or parse_state(ReportState, filters.state) else ""
    return ReportFilters(state=state, province=filters.province.strip() if account.is_admin else "",
                         date_from=filters.date_from.strip()[:20], date_to=filters.date_to.strip()[:20],
                         q=" ".join(filters.q.split())[:MAX_QUERY])


def list_reports(*, session: Session, account: Account, filters: ReportFilters, page: int = 1) -> ReportList:
    """A page of the reports the account handles, newest first, with the counts per state."""
    filters = _clean(filters, account)
    errors: dict[str, str] = {}
    conditions = _conditions(session, account, filters, errors)
    counts = _counts(session, conditions)
    where = [*conditions, _state_condition(filters.state)]
    total = int(session.exec(select(sa.func.count()).select_from(MisuseReport).where(*where)).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    found = session.exec(
        select(MisuseReport, Product)
        .join(Product, col(Product.id) == col(MisuseReport.product_id), isouter=True)
        .where(*where).order_by(col(MisuseReport.created_at).desc(), col(MisuseReport.id).desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    rows = [ReportListRow(report, vn_time(report.created_at), product, _label(report.state))
            for report, product in found]
    return ReportList(rows=rows, total=total, page=page, pages=pages, filters=filters, counts=counts,
                      errors=errors, province_choices=current_provinces() if account.is_admin else ())


def _label(value: str) -> str:
    """A stored state in words."""
    state = parse_state(ReportState, value)
    return state.label if state is not None else value
