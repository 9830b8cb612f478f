"""The demo's calls for entries: one receiving entries on the day it is loaded, one being scored."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.domain.calls import CallStage, documents_from_json
from app.services.catalog.calls import list_calls
from app.services.demo.calls import add_demo_calls


@pytest.mark.parametrize(("today", "higher"), [(date(2026, 12, 7), "khu_vuc"),
                                               (date(2027, 3, 1), "quoc_gia")])
def test_demo_calls_receive_and_are_scored_on_the_load_day(session: Session, today: date,
                                                           higher: str) -> None:
    add_demo_calls(session=session, today=today)
    session.commit()
    calls = list_calls(session=session, today=today)
    assert [(s.stage, s.round.level) for s in calls] == [(CallStage.receiving, "tinh"),
                                                         (CallStage.scoring, higher)]
    assert calls[0].place == "Huế" and all(s.round.year == today.year for s in calls)
    assert calls[0].call.opens_on <= today <= calls[0].call.closes_on
    assert calls[1].call.closes_on < today
    assert documents_from_json(calls[1].call.documents)[-1].key == "chung_nhan_cap_duoi"
    assert "không có thật" in calls[0].call.notes
