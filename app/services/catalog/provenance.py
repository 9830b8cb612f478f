"""Where a record comes from and when it last changed: the decision a certificate rests on, its PDF.

One place for the decision's public PDF address (pages, the API and the open data link to the same
URL) and for "last changed" (a product: itself, its producer or any of its certificates, the rule the
API's `updated_since` filters on; a certificate: its own row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from app.domain.states import RoundState
from app.errors import NotFound
from app.i18n import gettext
from app.models import Certificate, Producer, Product, SelectionRound

DECISION_PDF_PATH = "/dot-binh-chon/{round_id}/quyet-dinh.pdf"


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """A decision as a record cites it; every field None when the certificate has no round."""

    number: str | None
    day: date | None
    signer: str | None
    pdf_url: str | None  # relative unless a base URL was given; None without a published PDF


def decision_pdf_url(selection_round: SelectionRound | None, base_url: str = "") -> str | None:
    """The decision PDF's public address, or None: no round, no PDF, or a round not published."""
    if (selection_round is None or not selection_round.decision_pdf_hash
            or selection_round.state != RoundState.PUBLISHED):
        return None
    return base_url + DECISION_PDF_PATH.format(round_id=selection_round.id)


def decision_ref(selection_round: SelectionRound | None, base_url: str = "") -> DecisionRef:
    """The decision of a certificate's round (all None without a round)."""
    if selection_round is None:
        return DecisionRef(None, None, None, None)
    return DecisionRef(selection_round.decision_number, selection_round.decision_date,
                       selection_round.decision_signer, decision_pdf_url(selection_round, base_url))


def product_updated_at(product: Product, producer: Producer, certificates: Iterable[Certificate]) -> datetime:
    """When a product's record last changed: itself, its producer or any of its certificates (aware, UTC)."""
    return latest_change([product.updated_at, producer.updated_at, *(c.updated_at for c in certificates)])


def latest_change(moments: Iterable[datetime]) -> datetime:
    """The latest of stored instants, aware in UTC (the rule of `product_updated_at`, from loose columns)."""
    return max(aware_utc(moment) for moment in moments)


def aware_utc(moment: datetime) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite gives it back naive, meaning UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def distinct_decisions(rounds: Iterable[SelectionRound | None]) -> list[DecisionRef]:
    """The decisions of these rounds (certificates' rounds, newest first), each once; a missing one once."""
    seen: set[int | None] = set()
    found = []
    for selection_round in rounds:
        key = selection_round.id if selection_round is not None else None
        if key not in seen:
            seen.add(key)
            found.append(decision_ref(selection_round))
    return found


def decision_document(*, session: Session, round_id: int) -> SelectionRound:
    """A published round that has a decision PDF; NotFound otherwise."""
    selection_round = session.get(SelectionRound, round_id)
    if selection_round is None or decision_pdf_url(selection_round) is None:
        raise NotFound(gettext("Không tìm thấy văn bản quyết định này."))
    return selection_round
