"""The office's side of applications: a round's list with counts, one application, return it or accept it.

Who reaches an application is who reaches its round (`get_round`: the office of the round's province,
former provinces included, and the ministry's administrators; regional and national rounds are the
administrators'); any other is NotFound. Drafts stay the producer's own: the office sees an application
once it was submitted, or from the start when it was made by a nomination (app/services/applications/
nomination.py). Every move is audited and mailed to the producer. Helpers flush; the route commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from app.domain.states import ApplicationState
from app.errors import InvalidInput, NotFound
from app.models import Application, Producer, SelectionRound
from app.services.applications.common import (
    ApplicationCounts,
    ApplicationDetail,
    application_counts,
    application_detail,
    move_application,
    state_of,
)
from app.services.office.account import Account
from app.services.office.rounds import get_round
from app.services.producers.mails import queue_application_decision

NOT_FOUND = "Không tìm thấy hồ sơ này trong phạm vi quản lý của bạn."


@dataclass(frozen=True, slots=True)
class OfficeLine:
    """One application in the round's list: its producer and state."""

    application: Application
    producer: Producer
    state: ApplicationState


@dataclass(frozen=True, slots=True)
class RoundApplications:
    """A round's submitted applications (drafts are left out) and their counts."""

    round: SelectionRound
    lines: list[OfficeLine]
    counts: ApplicationCounts


def round_applications(*, session: Session, account: Account, round_id: int) -> RoundApplications:
    """The round's applications once submitted, waiting ones first, then by submission."""
    selection_round = get_round(session=session, account=account, round_id=round_id)
    rows = session.exec(select(Application, Producer)
                        .join(Producer, col(Producer.id) == Application.producer_id)
                        .where(Application.round_id == round_id,
                               or_(Application.state != ApplicationState.DRAFT,
                                   col(Application.lower_certificate_id).is_not(None)))
                        .order_by(col(Application.submitted_at), col(Application.id))).all()
    lines = [OfficeLine(application=a, producer=p, state=state_of(a)) for a, p in rows]
    lines.sort(key=lambda line: line.state is not ApplicationState.SUBMITTED)
    return RoundApplications(round=selection_round, lines=lines,
                             counts=application_counts(session=session, round_id=round_id))


def office_detail(*, session: Session, account: Account, application_id: int,
                  now: datetime) -> ApplicationDetail:
    """An application the account reaches (not a draft); NotFound otherwise."""
    application = session.get(Application, application_id)
    if application is None or (state_of(application) is ApplicationState.DRAFT
                               and application.lower_certificate_id is None):
        raise NotFound(NOT_FOUND)
    get_round(session=session, account=account, round_id=application.round_id)  # NotFound for another's
    return application_detail(session, application, now=now)


def decide_application(*, session: Session, account: Account, detail: ApplicationDetail, accept: bool,
                       note: str, base_url: str) -> Application:
    """Accept a submitted application, or return it with a note (required); the producer is mailed."""
    if not accept and not note:
        raise InvalidInput("Vui lòng ghi rõ cần bổ sung, sửa gì: cơ sở sẽ đọc được ghi chú này.",
                           field="note")
    target = ApplicationState.ACCEPTED if accept else ApplicationState.RETURNED
    event = move_application(session=session, application=detail.application, target=target,
                             province_id=detail.round.province_id, note=note, office=account)
    queue_application_decision(session=session, account=detail.account, application=detail.application,
                               event=event, place=detail.place, base_url=base_url)
    return detail.application
