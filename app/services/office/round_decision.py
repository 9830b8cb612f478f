"""A round's decision in the office: its number, date and signer, and the decision PDF uploaded or replaced.

One use-case, audited like every office edit; a new decision number marks the round's products for
reindexing (their search documents hold it). The PDF is written (once per content hash) before the
commit; the route commits inside `save_round_decision`, so a failed commit removes a file just written.
Helpers flush; the route commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.files.decision_pdf import CheckedPdf, write_decision_pdf
from app.files.media import remove_written
from app.forms.round_decision import RoundDecisionForm
from app.models import Certificate, SelectionRound
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot
from search.indexer import mark_for_reindex

MAX_NAME = 200


def _same(column: Any, value: object) -> Any:
    """`column = value`, or IS NULL for None."""
    return col(column).is_(None) if value is None else column == value


def _refuse_duplicate(session: Session, selection_round: SelectionRound, number: str | None) -> None:
    """Another round of the same level, year and place with this decision number: refused, as at creation."""
    if number is None or number == selection_round.decision_number:
        return
    other = session.exec(select(SelectionRound.id).where(
        SelectionRound.id != selection_round.id, SelectionRound.level == selection_round.level,
        SelectionRound.year == selection_round.year, _same(SelectionRound.region, selection_round.region),
        _same(SelectionRound.province_id, selection_round.province_id),
        SelectionRound.decision_number == number)).first()
    if other is not None:
        raise InvalidInput("Đã có đợt bình chọn với cùng cấp, năm, địa bàn và số quyết định.",
                           field="decision_number")


@contextmanager
def save_round_decision(*, session: Session, account: Account, selection_round: SelectionRound,
                        form: RoundDecisionForm, pdf: CheckedPdf | None, filename: str,
                        folder: Path) -> Iterator[SelectionRound]:
    """Set the decision's facts and, when a PDF is given, make it the round's decision document.

    The account must already see the round (`get_round`); a context manager: the caller commits
    inside it, and a failure there removes the PDF just written.
    """
    _refuse_duplicate(session, selection_round, form.decision_number)
    before = snapshot(selection_round)
    if form.decision_number != selection_round.decision_number:  # search documents hold decision numbers
        winners = select(Certificate.product_id).where(Certificate.round_id == selection_round.id).distinct()
        mark_for_reindex(session, *session.exec(winners).all())
    selection_round.decision_number = form.decision_number
    selection_round.decision_date = form.decision_date
    selection_round.decision_signer = form.decision_signer
    if pdf is not None:
        selection_round.decision_pdf_hash = pdf.content_hash
        selection_round.decision_pdf_size = pdf.size
        selection_round.decision_pdf_name = filename[:MAX_NAME] or None
    session.add(selection_round)
    session.flush()
    record_change(session=session, account=account, action="round.decision", entity="selection_round",
                  entity_id=selection_round.id, province_id=selection_round.province_id, before=before,
                  after=snapshot(selection_round))
    written = write_decision_pdf(folder, pdf) if pdf is not None else []
    try:
        yield selection_round
    except BaseException:
        remove_written(folder, written)
        raise
