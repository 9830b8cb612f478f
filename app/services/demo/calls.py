"""Two calls for entries in the demo data set, dated from the day it is loaded.

One provincial round (Huế) receives entries today; one higher round (regional in an even year,
national in an odd one, as the regulation holds them) closed ten days ago and is being scored.
Both rounds are new and have no winners, so `make run` shows a call in each of those stages; a third
call, on the newest imported round with winners, shows the published stage.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from app.domain.calls import criteria_json, default_criteria, default_documents, documents_json
from app.domain.levels import Level
from app.domain.regions import Region
from app.domain.states import RoundState
from app.models import Certificate, Province, RoundCall, SelectionRound
from app.services.records.audit_log import record_change, snapshot

DEMO_ORGANISER = "Sở Công Thương (dữ liệu minh họa)"
DEMO_NOTES = "Dữ liệu minh họa: nộp hồ sơ tại bộ phận một cửa; điện thoại 0900 000 000 (không có thật)."


def _open(session: Session, selection_round: SelectionRound, *, opens_on: date, closes_on: date) -> RoundCall:
    """The round and its call with the regulation's checklist and criteria, audited as the demo's."""
    session.add(selection_round)
    session.flush()
    assert selection_round.id is not None  # noqa: S101 - just flushed
    call = RoundCall(round_id=selection_round.id, opens_on=opens_on, closes_on=closes_on,
                     results_on=closes_on + timedelta(days=45), pass_mark=70, notes=DEMO_NOTES,
                     documents=documents_json(default_documents(Level(selection_round.level))),
                     criteria=criteria_json(default_criteria()))
    session.add(call)
    session.flush()
    record_change(session=session, account=None, action="call.open", entity="round_call", entity_id=call.id,
                  province_id=selection_round.province_id, before=None, after=snapshot(call))
    return call


def add_demo_calls(*, session: Session, today: date) -> list[RoundCall]:
    """A provincial call receiving entries on `today` and a higher one being scored; the caller commits."""
    hue = session.exec(select(Province).where(Province.slug == "hue")).one()
    provincial = SelectionRound(level=Level.tinh.value, year=today.year, province_id=hue.id,
                                organiser=DEMO_ORGANISER)
    higher_level = Level.khu_vuc if today.year % 2 == 0 else Level.quoc_gia
    higher = SelectionRound(level=higher_level.value, year=today.year, organiser="Bộ Công Thương",
                            region=Region.trung_tay_nguyen.value if higher_level is Level.khu_vuc else None)
    return [
        _open(session, provincial, opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=20)),
        _open(session, higher, opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=10)),
    ]


def add_published_call(*, session: Session, today: date) -> RoundCall | None:
    """A call for the newest imported round whose results are out, so a call shows as published.

    The round keeps its winners as the importer made them; its call closed two months before the first
    certificate was issued. None when no round has winners, or one already has a call (a second load).
    """
    issued = func.min(Certificate.issued_on)
    rows = session.exec(select(SelectionRound, issued)
                        .join(Certificate, col(Certificate.round_id) == SelectionRound.id)
                        .where(SelectionRound.state == RoundState.PUBLISHED)
                        .group_by(col(SelectionRound.id)).having(issued <= today)
                        .order_by(issued.desc(), col(SelectionRound.id))).all()
    with_call = set(session.exec(select(RoundCall.round_id)).all())
    if not rows or any(r.id in with_call for r, _ in rows):
        return None
    selection_round, first_issued = rows[0]
    closes_on = first_issued - timedelta(days=60)
    call = _open(session, selection_round, opens_on=closes_on - timedelta(days=30), closes_on=closes_on)
    call.results_on = first_issued
    session.add(call)
    session.flush()
    return call
