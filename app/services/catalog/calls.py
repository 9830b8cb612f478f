"""The public calls for entries: the list by stage, and one call with its checklist and criteria.

A call of a withdrawn round is not shown. Its page counts the applications submitted, accepted and
selected, never naming an applicant. A call's results are published when its round is published and has
winners (a certificate names it, as an import of the winners makes them) or its results were published
from the scoring board (the applications are final); until then no applicant is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from app.domain.calls import (
    STAGE_ORDER,
    CallStage,
    Criterion,
    DocumentItem,
    call_stage,
    criteria_from_json,
    documents_from_json,
)
from app.domain.levels import Level
from app.domain.states import RoundState
from app.errors import NotFound
from app.i18n import gettext
from app.models import Certificate, RoundCall, SelectionRound
from app.services.applications.common import ApplicationCounts, application_counts, results_published
from app.services.catalog.rounds import round_place

RECENT_RESULTS_DAYS = 365  # a call whose results are out stays on the list for a year after closing


@dataclass(frozen=True, slots=True)
class CallSummary:
    """One call as the list shows it: its round, dates, stage and the round's place in the page's language."""

    round: SelectionRound
    call: RoundCall
    stage: CallStage
    level_label: str  # a Vietnamese msgid, translated where shown
    place: str
    winners: int  # the round's recognised products; shown once results are published


@dataclass(frozen=True, slots=True)
class CallPage:
    """One call with what an applicant must attach and how entries are scored."""

    summary: CallSummary
    documents: list[DocumentItem]
    criteria: list[Criterion]
    applications: ApplicationCounts  # counts only: applicants stay private


def _winner_counts(session: Session, round_ids: list[int]) -> dict[int, int]:
    """How many certificates each round has."""
    rows = session.exec(select(Certificate.round_id, func.count())
                        .where(col(Certificate.round_id).in_(round_ids))
                        .group_by(col(Certificate.round_id))).all()
    return {int(round_id): int(n) for round_id, n in rows if round_id is not None}


def _summaries(session: Session, rows: list[tuple[RoundCall, SelectionRound]],
               today: date) -> list[CallSummary]:
    """The rows as summaries, with their stage on `today`."""
    counts = _winner_counts(session, [r.id for _, r in rows if r.id is not None])
    summaries = []
    for call, rnd in rows:
        winners = counts.get(rnd.id or 0, 0)
        published = rnd.state == RoundState.PUBLISHED and (
            winners > 0 or results_published(session, rnd.id or 0))
        summaries.append(CallSummary(round=rnd, call=call, level_label=Level(rnd.level).label,
                                     stage=call_stage(call, results_published=published, on=today),
                                     place=round_place(session, rnd), winners=winners))
    return summaries


def list_calls(*, session: Session, today: date) -> list[CallSummary]:
    """Receiving first, then upcoming, then scoring, then the results of the past year."""
    query = (select(RoundCall, SelectionRound)
             .join(SelectionRound, col(SelectionRound.id) == RoundCall.round_id)
             .where(SelectionRound.state != RoundState.WITHDRAWN))
    summaries = _summaries(session, [(c, r) for c, r in session.exec(query).all()], today)
    since = today - timedelta(days=RECENT_RESULTS_DAYS)
    shown = [s for s in summaries if s.stage is not CallStage.published or s.call.closes_on >= since]

    def order(s: CallSummary) -> tuple[int, int]:
        """Stage, then: receiving by closing day, upcoming by opening day, later stages newest first."""
        day = {CallStage.receiving: s.call.closes_on, CallStage.upcoming: s.call.opens_on}.get(s.stage)
        return STAGE_ORDER.index(s.stage), day.toordinal() if day else -s.call.closes_on.toordinal()

    return sorted(shown, key=order)


def round_call_summary(*, session: Session, selection_round: SelectionRound,
                       today: date) -> CallSummary | None:
    """The round's call with its stage on `today` (the office's round page shows it), None without one."""
    call = session.exec(select(RoundCall).where(RoundCall.round_id == selection_round.id)).first()
    return _summaries(session, [(call, selection_round)], today)[0] if call is not None else None


def get_call_page(*, session: Session, round_id: int, today: date) -> CallPage:
    """The round's call; NotFound when there is none or the round was withdrawn."""
    rnd = session.get(SelectionRound, round_id)
    summary = round_call_summary(session=session, selection_round=rnd, today=today) if rnd else None
    if rnd is None or summary is None or rnd.state == RoundState.WITHDRAWN:
        raise NotFound(gettext("Không tìm thấy thông báo nhận hồ sơ này."))
    return CallPage(summary=summary, documents=documents_from_json(summary.call.documents),
                    criteria=criteria_from_json(summary.call.criteria),
                    applications=application_counts(session=session, round_id=round_id))
