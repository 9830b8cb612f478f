"""The office's scoring board of a round: jurors' totals side by side, averages, ranking; the decision.

Who reaches it is who manages the round's call (`managed_round`). Only accepted applications are
ranked; reviews of jurors no longer appointed are left out. Recording the council's decision sets the
round's decision number and date and each application's decision, audited per application, and makes
the jurors' scores final. Helpers flush; the route commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.domain.calls import Criterion, criteria_from_json
from app.domain.jury import Decision, Marks, Standing, ranked, review_total, scored_criteria, standing
from app.domain.states import ApplicationState
from app.errors import InvalidInput
from app.models import Application, JurorReview, RoundCall, SelectionRound, User, utcnow
from app.services.applications.common import FINAL_STATES, ApplicationDetail, audit_change, results_published
from app.services.jury.appointments import Appointment, round_jurors
from app.services.jury.reviews import decision_recorded, review_scores
from app.services.office.account import Account
from app.services.office.calls import managed_round, round_call
from app.services.records.audit_log import snapshot


@dataclass(frozen=True, slots=True)
class BoardLine:
    """A ranked application: its standing and the application (its decision, if recorded)."""

    standing: Standing
    application: Application

    @property
    def decision(self) -> Decision | None:
        """The council's decision on it, if recorded."""
        return Decision(self.application.decision) if self.application.decision else None


@dataclass(frozen=True, slots=True)
class Board:
    """A round's scoring board."""

    round: SelectionRound
    call: RoundCall | None
    criteria: list[Criterion]
    jurors: list[Appointment]
    lines: list[BoardLine]
    decided: bool
    published: bool  # the results are out (results.py): the decision is final, nothing to publish again

    @property
    def pass_mark(self) -> float | None:
        """The call's pass mark, when it has one."""
        return self.call.pass_mark if self.call else None


def _marks(session: Session, application_ids: list[int]) -> dict[int, list[Marks]]:
    """Every review of these applications, as marks, by application id."""
    found: dict[int, list[Marks]] = {i: [] for i in application_ids}
    if not application_ids:
        return found
    reviews = session.exec(select(JurorReview).where(col(JurorReview.application_id).in_(application_ids)))
    for review in reviews:
        found[review.application_id].append(Marks(juror_id=review.user_id, conflict=review.conflict,
                                                  scores=review_scores(review)))
    return found


def scoring_board(*, session: Session, account: Account, round_id: int) -> Board:
    """The round's accepted applications (after publication: selected or not) ranked by average total, each
    juror's total side by side."""
    selection_round = managed_round(session=session, account=account, round_id=round_id)
    call = round_call(session=session, round_id=round_id)
    criteria = scored_criteria(criteria_from_json(call.criteria)) if call else []
    jurors = round_jurors(session=session, round_id=round_id)
    juror_ids = [j.user.id for j in jurors if j.user.id is not None]
    applications = {a.id: a for a in session.exec(select(Application).where(
        Application.round_id == round_id,
        col(Application.state).in_((ApplicationState.ACCEPTED, *FINAL_STATES)))).all()
        if a.id is not None}
    marks = _marks(session, list(applications))
    standings = ranked([standing(i, a.product_name, marks[i], juror_ids, criteria)
                        for i, a in applications.items()])
    lines = [BoardLine(standing=s, application=applications[s.application_id]) for s in standings]
    return Board(round=selection_round, call=call, criteria=criteria, jurors=jurors, lines=lines,
                 decided=decision_recorded(session, round_id), published=results_published(session, round_id))


def record_decision(*, session: Session, account: Account, board: Board, number: str, day: date,
                    choices: dict[int, Decision]) -> SelectionRound:
    """Record the council's decision: the round's number and date, each application selected or not.

    InvalidInput once the results are published: the certificates already follow the decision."""
    if board.published:
        raise InvalidInput("Kết quả của đợt đã được công bố; không thể ghi lại quyết định.",
                           field="decision_number")
    selection_round = board.round
    selection_round.decision_number, selection_round.decision_date = number, day
    session.add(selection_round)
    extra: dict[str, object] = {"decision_number": number, "decision_date": day.isoformat()}
    for line in board.lines:
        application = line.application
        before = snapshot(application)
        application.decision, application.updated_at = choices[line.standing.application_id].value, utcnow()
        session.add(application)
        session.flush()
        audit_change(session=session, application=application, action="application.decision",
                     province_id=selection_round.province_id, before=before, office=account, extra=extra)
    return selection_round


@dataclass(frozen=True, slots=True)
class JurorSheet:
    """One appointed juror's review of an application as the office reads it (None: not scored yet)."""

    juror: User
    review: JurorReview | None
    scores: dict[str, float]
    comments: dict[str, str]
    total: float | None


def application_sheets(*, session: Session,
                       detail: ApplicationDetail) -> tuple[list[Criterion], list[JurorSheet]]:
    """The criteria jurors score and each appointed juror's review of the application, with its comments."""
    application_id = detail.application.id
    criteria = scored_criteria(criteria_from_json(detail.call.criteria))
    reviews = {r.user_id: r for r in session.exec(select(JurorReview)
                                                 .where(JurorReview.application_id == application_id))}
    sheets = []
    for appointment in round_jurors(session=session, round_id=detail.round.id or 0):
        review = reviews.get(appointment.user.id or 0)
        scores = review_scores(review) if review else {}
        comments = {str(k): str(v) for k, v in json.loads(review.comments or "{}").items()} if review else {}
        total = None if review is None or review.conflict else review_total(scores, criteria)
        sheets.append(JurorSheet(juror=appointment.user, review=review, scores=scores, comments=comments,
                                 total=total))
    return criteria, sheets
