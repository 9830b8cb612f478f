"""A round's call for entries in the office workspace: the form's starting values and saving it.

Who may touch a call is who may manage its round (`get_round`, then the level: regional and
national rounds are the ministry's). Helpers flush; the route commits.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.domain.calls import (
    Criterion,
    DocumentItem,
    criteria_from_json,
    criteria_json,
    criteria_text,
    default_criteria,
    default_documents,
    documents_from_json,
    documents_json,
    documents_text,
    points_text,
)
from app.domain.levels import Level
from app.forms.calls import CallForm
from app.models import RoundCall, SelectionRound, utcnow
from app.services.office.account import Account
from app.services.office.rounds import get_round
from app.services.records.audit_log import record_change, snapshot


def managed_round(*, session: Session, account: Account, round_id: int) -> SelectionRound:
    """The round if the account may edit its call: NotFound for another's, Forbidden past its level."""
    selection_round = get_round(session=session, account=account, round_id=round_id)
    account.require_level(Level(selection_round.level))
    return selection_round


def round_call(*, session: Session, round_id: int) -> RoundCall | None:
    """The round's call for entries, if one was opened."""
    return session.exec(select(RoundCall).where(RoundCall.round_id == round_id)).first()


def call_items(call: RoundCall | None, level: Level) -> tuple[list[DocumentItem], list[Criterion]]:
    """The call's checklist and criteria, or the regulation's defaults for a round at `level`."""
    if call is None:
        return default_documents(level), default_criteria()
    return documents_from_json(call.documents), criteria_from_json(call.criteria)


def _day(value: date | None) -> str:
    """A date as the form shows it: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def call_form_values(call: RoundCall | None, level: Level) -> dict[str, str]:
    """The form's fields: the call as saved, or empty dates and the defaults for a new one."""
    documents, criteria = call_items(call, level)
    values = {"documents": documents_text(documents), "criteria": criteria_text(criteria)}
    if call is None:
        return {**values, "opens_on": "", "closes_on": "", "results_on": "", "pass_mark": "", "notes": ""}
    return {**values, "opens_on": _day(call.opens_on), "closes_on": _day(call.closes_on),
            "results_on": _day(call.results_on), "notes": call.notes,
            "pass_mark": points_text(call.pass_mark) if call.pass_mark is not None else ""}


def save_call(*, session: Session, account: Account, selection_round: SelectionRound,
              form: CallForm) -> RoundCall:
    """Open the round's call or change it; audited as `call.open` or `call.update`."""
    assert selection_round.id is not None  # noqa: S101 - loaded from the database
    account.require_level(Level(selection_round.level))
    call = round_call(session=session, round_id=selection_round.id)
    before = snapshot(call) if call is not None else None
    if call is None:
        call = RoundCall(round_id=selection_round.id, opens_on=form.opens_on, closes_on=form.closes_on)
    call.opens_on, call.closes_on, call.results_on = form.opens_on, form.closes_on, form.results_on
    call.documents, call.criteria = documents_json(form.documents), criteria_json(form.criteria)
    call.pass_mark, call.notes = form.pass_mark, form.notes
    call.updated_at = utcnow()
    session.add(call)
    session.flush()
    record_change(session=session, account=account, action="call.update" if before else "call.open",
                  entity="round_call", entity_id=call.id, province_id=selection_round.province_id,
                  before=before, after=snapshot(call))
    return call
