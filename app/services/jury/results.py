"""Publishing a round's results: the council's winners become products and certificates in one step.

Each selected application becomes a row as an import would read it from a winners spreadsheet, and the
import's own `Upserter` writes it (producer and product found by their natural keys or created, a fresh
verification code, `valid_until` by the regulation, one outbox row per product touched), so the search
index learns the winners exactly as it learns an import's. The round's own row is used as it is (not
looked up by year and number, which a January decision would miss). Every application then moves to its
final state with its history and audit entry, and its producer account is told the outcome by mail.
Helpers flush; the route commits, then indexes (`commit_and_index`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from app.domain.groups import parse_group
from app.domain.jury import Decision
from app.domain.levels import Level
from app.domain.provinces import province_by_slug
from app.domain.regions import Region
from app.domain.states import ApplicationState, RoundState
from app.domain.text import fold
from app.errors import InvalidInput
from app.models import Application, Certificate, Producer, ProducerAccount, Province, SelectionRound
from app.services.applications.common import move_application, results_published
from app.services.catalog.rounds import round_place
from app.services.imports.upsert import Upserter
from app.services.imports.validate import ValidRow
from app.services.jury.board import Board
from app.services.mail import queue_mail
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot

RESULT_TEMPLATE = "round_result"
_TARGETS = {Decision.selected: ApplicationState.SELECTED,
            Decision.not_selected: ApplicationState.NOT_SELECTED}


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing made: the winners' certificates by application id, and every application told."""

    certificates: dict[int, Certificate]
    applications: int


def publish_refusal(board: Board) -> str | None:
    """Why the board's results may not be published now; None when they may."""
    selection_round = board.round
    if board.published:
        return "Kết quả của đợt này đã được công bố."
    if not board.lines:
        return "Đợt chưa có hồ sơ được tiếp nhận để công bố kết quả."
    if not selection_round.decision_number or selection_round.decision_date is None:
        return "Chưa ghi số và ngày quyết định của hội đồng."
    if any(line.decision is None for line in board.lines):
        return "Chưa có quyết định của hội đồng cho mọi hồ sơ được tiếp nhận."
    unnamed = [line.standing.name for line in board.lines if line.decision is Decision.selected
               and (not line.application.product_name.strip() or parse_group(line.application.group) is None)]
    if unnamed:  # submitting requires both; a record changed since is refused, not a half-made product
        return "Hồ sơ thiếu tên hoặc nhóm sản phẩm: " + ", ".join(unnamed) + "."
    return None


def _winner_row(session: Session, selection_round: SelectionRound, application: Application,
                score: float | None) -> ValidRow:
    """The selected application as the import reads a winners row; the producer's own province decides."""
    assert selection_round.decision_date is not None  # noqa: S101 - checked by publish_refusal
    producer = session.get_one(Producer, application.producer_id)
    group = parse_group(application.group)
    assert group is not None  # noqa: S101 - checked by publish_refusal
    info = province_by_slug(session.get_one(Province, producer.province_id).slug)
    assert info is not None  # noqa: S101 - the province table holds only known provinces
    return ValidRow(row=application.id or 0, level=Level(selection_round.level),
                    issued_on=selection_round.decision_date, province=info,
                    product_name=application.product_name, group=group,
                    producer_name=producer.name, decision_number=selection_round.decision_number,
                    decision_date=selection_round.decision_date,
                    region=Region(selection_round.region) if selection_round.region else None,
                    description=application.description or None,
                    score=round(score, 2) if score is not None else None)


def _write_winners(session: Session, board: Board) -> dict[int, Certificate]:
    """Producers, products and certificates of the selected applications, by the import's own steps."""
    winners = [line for line in board.lines if line.decision is Decision.selected]
    rows = [_winner_row(session, board.round, line.application, line.standing.average) for line in winners]
    upserter = Upserter(session)
    upserter.known.load([fold(row.producer_name) for row in rows])
    producers = [upserter.producer(row) for row in rows]
    session.flush()
    products = [upserter.product(row, producer) for row, producer in zip(rows, producers, strict=True)]
    session.flush()
    certificates = {line.standing.application_id: upserter.certificate(row, product, board.round)
                    for line, row, product in zip(winners, rows, products, strict=True)}
    upserter.finish(outbox=True)
    return certificates


def _tell(session: Session, application: Application, certificate: Certificate | None, place: str,
          base_url: str) -> None:
    """Mail the producer account the outcome (once per application)."""
    account = session.get_one(ProducerAccount, application.account_id)
    base = base_url.rstrip("/")
    context: dict[str, object] = {
        "name": account.name, "product": application.product_name, "place": place,
        "selected": certificate is not None,
        "verify_url": f"{base}/v/{certificate.code}" if certificate is not None else "",
        "url": f"{base}/tai-khoan/ho-so/{application.id}"}
    queue_mail(session=session, to=account.email, template=RESULT_TEMPLATE, context=context,
               dedupe_key=f"application-result:{application.id}")


def publish_results(*, session: Session, account: Account, board: Board, base_url: str) -> Published:
    """Publish the round's results in the caller's transaction; InvalidInput when not allowed yet or again."""
    refusal = publish_refusal(board)
    selection_round = board.round
    if refusal is None:
        # Two publishes at once (a double click, two offices): the round's row is written first, which
        # takes SQLite's write lock (PostgreSQL's row lock), so the second waits for the first's commit
        # here and then reads it published. A SELECT ... FOR UPDATE locks nothing on SQLite.
        session.execute(sa.update(SelectionRound).where(col(SelectionRound.id) == selection_round.id)
                        .values(state=SelectionRound.state))
        if results_published(session, selection_round.id or 0):
            refusal = "Kết quả của đợt này đã được công bố."
    if refusal is not None:
        raise InvalidInput(refusal, field="publish")
    before = snapshot(selection_round)
    certificates = _write_winners(session, board)
    place = round_place(session, selection_round)
    for line in board.lines:
        application = line.application
        certificate = certificates.get(line.standing.application_id)
        application.certificate_id = certificate.id if certificate is not None else None
        target = _TARGETS[line.decision or Decision.not_selected]  # every line has one: publish_refusal
        move_application(session=session, application=application, target=target,
                         province_id=selection_round.province_id, office=account)
        _tell(session, application, certificate, place, base_url)
    selection_round.state = RoundState.PUBLISHED
    session.add(selection_round)
    session.flush()
    record_change(session=session, account=account, action="round.publish_results", entity="selection_round",
                  entity_id=selection_round.id, province_id=selection_round.province_id, before=before,
                  after={**snapshot(selection_round), "selected": len(certificates),
                         "applications": len(board.lines)})
    return Published(certificates=certificates, applications=len(board.lines))
