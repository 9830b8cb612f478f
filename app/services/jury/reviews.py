"""The juror's side: its rounds, a round's accepted applications, one application and its review.

A juror reaches only the rounds it is appointed to, and in them only the accepted applications it has
not declared a conflict on; anything else is NotFound (its existence not revealed). Scores can change
until the office records the council's decision for the round. Every review and conflict is audited.
Helpers flush; the route commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.domain.calls import Criterion, criteria_from_json
from app.domain.jury import review_total, scored_criteria
from app.domain.states import ApplicationState
from app.domain.text import vietnamese_sort_key
from app.errors import InvalidInput, NotFound
from app.forms.jury import ReviewForm
from app.models import Application, JurorReview, RoundCall, RoundJuror, SelectionRound, utcnow
from app.services.applications.common import ApplicationDetail, application_detail
from app.services.catalog.rounds import round_place
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot

NOT_FOUND = "Không tìm thấy hồ sơ này trong các đợt bạn được cử chấm."
LOCKED = "Hội đồng đã ra quyết định cho đợt này: điểm không còn sửa được."


@dataclass(frozen=True, slots=True)
class JurorRound:
    """A round the juror is appointed to, with how many applications it may score and has scored."""

    round: SelectionRound
    place: str
    to_score: int
    scored: int


@dataclass(frozen=True, slots=True)
class JurorLine:
    """An accepted application in the juror's list, with the juror's total (None: not scored yet)."""

    application: Application
    total: float | None


@dataclass(frozen=True, slots=True)
class JurorView:
    """An application as the juror scores it: the dossier, the criteria it scores, its review so far."""

    detail: ApplicationDetail
    criteria: list[Criterion]
    review: JurorReview | None
    locked: bool  # the council's decision is recorded: read only

    def scores(self) -> dict[str, float]:
        """The juror's points so far, by criterion key."""
        return _json_map(self.review.scores) if self.review else {}

    def comments(self) -> dict[str, str]:
        """The juror's comments so far, by criterion key."""
        return {k: str(v) for k, v in json.loads(self.review.comments or "{}").items()} if self.review else {}


def _json_map(stored: str) -> dict[str, float]:
    """A stored JSON object of criterion key → points."""
    loaded = json.loads(stored or "{}")
    return {str(k): float(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def review_scores(review: JurorReview) -> dict[str, float]:
    """A review's points by criterion key."""
    return _json_map(review.scores)


def is_appointed(session: Session, account: Account, round_id: int) -> bool:
    """Whether the juror is appointed to the round."""
    return session.exec(select(RoundJuror.id).where(RoundJuror.round_id == round_id,
                                                    RoundJuror.user_id == account.id)).first() is not None


def decision_recorded(session: Session, round_id: int) -> bool:
    """Whether the office has recorded the council's decision for the round (scores are then final)."""
    decided = select(Application.id).where(Application.round_id == round_id,
                                           col(Application.decision).is_not(None))
    return session.exec(decided).first() is not None


def _reviews(session: Session, account: Account, application_ids: list[int]) -> dict[int, JurorReview]:
    """The juror's reviews of these applications, by application id."""
    if not application_ids:
        return {}
    rows = session.exec(select(JurorReview).where(JurorReview.user_id == account.id,
                                                  col(JurorReview.application_id).in_(application_ids))).all()
    return {r.application_id: r for r in rows}


def _criteria(session: Session, call_id: int) -> list[Criterion]:
    """The criteria a juror scores in this call."""
    return scored_criteria(criteria_from_json(session.get_one(RoundCall, call_id).criteria))


def juror_lines(*, session: Session, account: Account,
                round_id: int) -> tuple[SelectionRound, list[JurorLine]]:
    """The round's accepted applications the juror may score (conflicts left out), by product name in
    Vietnamese alphabetical order."""
    selection_round = session.get(SelectionRound, round_id)
    if selection_round is None or not is_appointed(session, account, round_id):
        raise NotFound("Không tìm thấy đợt bình chọn này trong các đợt bạn được cử chấm.")
    applications = list(session.exec(select(Application).where(
        Application.round_id == round_id, Application.state == ApplicationState.ACCEPTED)
        .order_by(col(Application.id))).all())
    applications.sort(key=lambda a: vietnamese_sort_key(a.product_name))
    reviews = _reviews(session, account, [a.id for a in applications if a.id is not None])
    lines = []
    for application in applications:
        review = reviews.get(application.id or 0)
        if review is not None and review.conflict:
            continue
        criteria = _criteria(session, application.call_id)
        total = review_total(review_scores(review), criteria) if review else None
        lines.append(JurorLine(application=application, total=total))
    return selection_round, lines


def juror_rounds(*, session: Session, account: Account) -> list[JurorRound]:
    """The rounds the juror is appointed to, newest first."""
    rounds = session.exec(select(SelectionRound)
                          .join(RoundJuror, col(RoundJuror.round_id) == SelectionRound.id)
                          .where(RoundJuror.user_id == account.id)
                          .order_by(col(SelectionRound.year).desc(), col(SelectionRound.id).desc())).all()
    result = []
    for selection_round in rounds:
        assert selection_round.id is not None  # noqa: S101 - loaded from the database
        _, lines = juror_lines(session=session, account=account, round_id=selection_round.id)
        result.append(JurorRound(round=selection_round, place=round_place(session, selection_round),
                                 to_score=len(lines), scored=sum(line.total is not None for line in lines)))
    return result


def juror_view(*, session: Session, account: Account, application_id: int, now: datetime) -> JurorView:
    """An accepted application of one of the juror's rounds, unless it declared a conflict; NotFound else."""
    application = session.get(Application, application_id)
    if application is None or application.state != ApplicationState.ACCEPTED \
            or not is_appointed(session, account, application.round_id):
        raise NotFound(NOT_FOUND)
    review = _reviews(session, account, [application_id]).get(application_id)
    if review is not None and review.conflict:
        raise NotFound(NOT_FOUND)
    return JurorView(detail=application_detail(session, application, now=now),
                     criteria=_criteria(session, application.call_id), review=review,
                     locked=decision_recorded(session, application.round_id))


def _review_of(session: Session, account: Account,
               view: JurorView) -> tuple[JurorReview, dict[str, object] | None]:
    """The juror's review of the application (new if none) and its audited state before the change."""
    if view.locked:
        raise InvalidInput(LOCKED, field="review")
    if view.review is not None:
        return view.review, snapshot(view.review)
    application_id = view.detail.application.id
    assert application_id is not None  # noqa: S101 - loaded from the database
    return JurorReview(application_id=application_id, user_id=account.id), None


def _audit(session: Session, account: Account, view: JurorView, review: JurorReview, action: str,
           before: dict[str, object] | None) -> None:
    """The audit entry of a juror's change to its review."""
    record_change(session=session, account=account, action=action, entity="juror_review", entity_id=review.id,
                  province_id=view.detail.round.province_id, before=before, after=snapshot(review))


def save_review(*, session: Session, account: Account, view: JurorView, form: ReviewForm) -> JurorReview:
    """Store the juror's points and comments (refused once the council's decision is recorded)."""
    review, before = _review_of(session, account, view)
    review.scores = json.dumps(form.scores, ensure_ascii=False, sort_keys=True)
    review.comments = json.dumps(form.comments, ensure_ascii=False, sort_keys=True)
    review.updated_at = utcnow()
    session.add(review)
    session.flush()
    _audit(session, account, view, review, "review.score", before)
    return review


def declare_conflict(*, session: Session, account: Account, view: JurorView, note: str) -> JurorReview:
    """The juror withdraws from the application: any points it gave are dropped, it sees it no more."""
    review, before = _review_of(session, account, view)
    review.conflict, review.conflict_note = True, note
    review.scores, review.comments, review.updated_at = "{}", "{}", utcnow()
    session.add(review)
    session.flush()
    _audit(session, account, view, review, "review.conflict", before)
    return review
