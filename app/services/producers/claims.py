"""Claims to existing producer records: a producer account finds and claims one; the office decides.

The claim is decided by the office of the producer's current province when it was made (the
`owns_province` rule, former provinces included), or by the ministry's administrators; any other
claim is NotFound to an office. Approving links the account to the producer, unless another account
holds it by then. Every change is audited; the producer is told the decision by e-mail. The
producer's refusals are raised in the page's language; the office's stay Vietnamese (its workspace is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.messages import N_
from app.domain.permissions import owns_province
from app.domain.provinces import resolve_province, successor_of
from app.domain.states import ClaimState, parse_state
from app.domain.text import fold
from app.errors import InvalidInput, NotFound
from app.i18n import gettext
from app.models import Producer, ProducerAccount, ProducerClaim, Province, utcnow
from app.services.office.account import Account
from app.services.producers.mails import queue_claim_decision
from app.services.records.audit_log import record_change, snapshot

MAX_RESULTS = 20
MAX_MESSAGE = 1000
MAX_NOTE = 1000
NOT_FOUND = "Không tìm thấy yêu cầu này trong phạm vi quản lý của bạn."
HELD = N_("Cơ sở này đã có tài khoản quản lý. Nếu đó không phải là bạn, hãy liên hệ Sở Công Thương nơi có "
          "cơ sở.")
LINKED = N_("Tài khoản của bạn đã gắn với một cơ sở.")


@dataclass(frozen=True, slots=True)
class ProducerHit:
    """A producer found by name: its row, its province's name, whether an account holds it."""

    producer: Producer
    province: str
    held: bool


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim as the office lists it and reads it: the claim, its producer, province and account."""

    claim: ProducerClaim
    producer: Producer
    province: Province
    account: ProducerAccount
    state: ClaimState


def province_id_of(session: Session, text: str) -> int | None:
    """The row id of the current province a typed name, slug or code means (a former one: its successor)."""
    info = resolve_province(text)
    if info is None:
        return None
    return session.exec(select(Province.id).where(Province.slug == successor_of(info).slug)).first()


def find_producers(*, session: Session, name: str, province_id: int | None) -> list[ProducerHit]:
    """Producers whose folded name holds the folded words typed (đ → d), at most MAX_RESULTS, by name;
    `province_id` keeps those of a current province, its former provinces included."""
    words = fold(name).split()
    if not words:
        return []
    query = select(Producer, Province).join(Province, col(Province.id) == col(Producer.province_id))
    for word in words[:10]:
        query = query.where(col(Producer.name_key).contains(word, autoescape=True))
    if province_id is not None:  # the province and the former ones merged into it
        query = query.where((col(Producer.province_id) == province_id)
                            | (col(Province.successor_id) == province_id))
    rows = session.exec(query.order_by(col(Producer.name), col(Producer.id)).limit(MAX_RESULTS)).all()
    held = _held_ids(session, [p.id for p, _ in rows if p.id is not None])
    return [ProducerHit(producer=p, province=pr.name, held=p.id in held) for p, pr in rows]


def _held_ids(session: Session, producer_ids: list[int]) -> set[int]:
    """Which of these producers an account holds already."""
    if not producer_ids:
        return set()
    held = session.exec(select(ProducerAccount.producer_id)
                        .where(col(ProducerAccount.producer_id).in_(producer_ids))).all()
    return {i for i in held if i is not None}


def claims_of(*, session: Session, account: ProducerAccount) -> list[ProducerClaim]:
    """The account's claims, newest first."""
    return list(session.exec(select(ProducerClaim).where(ProducerClaim.account_id == account.id)
                             .order_by(col(ProducerClaim.id).desc())).all())


def make_claim(*, session: Session, account: ProducerAccount, producer_id: int,
               message: str) -> ProducerClaim:
    """A pending claim to a producer for its current province's office; InvalidInput when not allowed."""
    if account.producer_id is not None:
        raise InvalidInput(gettext(LINKED), field="producer")
    if any(c.state == ClaimState.PENDING for c in claims_of(session=session, account=account)):
        raise InvalidInput(gettext("Bạn đang có một yêu cầu chờ Sở Công Thương duyệt: mỗi lần chỉ gửi một "
                                   "yêu cầu."), field="producer")
    producer = session.get(Producer, producer_id)
    if producer is None:
        raise InvalidInput(gettext("Vui lòng chọn một cơ sở trong danh sách tìm được."), field="producer")
    if _held_ids(session, [producer_id]):
        raise InvalidInput(gettext(HELD), field="producer")
    assert account.id is not None  # noqa: S101 - loaded from the database
    claim = ProducerClaim(account_id=account.id, producer_id=producer_id, province_id=producer.province_id,
                          message=message)
    session.add(claim)
    session.flush()
    record_change(session=session, account=None, action="producer_claim.create", entity="producer_claim",
                  entity_id=claim.id, province_id=claim.province_id, before=None,
                  after={**snapshot(claim), "account_id": account.id})
    return claim


def _row(session: Session, claim: ProducerClaim) -> ClaimRow:
    """A claim with what the office reads beside it."""
    return ClaimRow(claim=claim, producer=session.get_one(Producer, claim.producer_id),
                    province=session.get_one(Province, claim.province_id),
                    account=session.get_one(ProducerAccount, claim.account_id),
                    state=parse_state(ClaimState, claim.state) or ClaimState.PENDING)


def _owns(account: Account, province: Province) -> bool:
    """Whether the account decides claims of this province (the `owns_province` rule)."""
    return owns_province(account.role, account.province_slug, province.slug)


def _reach(session: Session, account: Account, state: ClaimState | None) -> Any:
    """The query of the claims the account decides, in `state` if given, newest first."""
    query = select(ProducerClaim).order_by(col(ProducerClaim.id).desc())
    if state is not None:
        query = query.where(ProducerClaim.state == state)
    if not account.is_admin:
        ids = [p.id for p in session.exec(select(Province)).all() if _owns(account, p)]
        query = query.where(col(ProducerClaim.province_id).in_(ids))
    return query


def claims_in_reach(*, session: Session, account: Account, state: ClaimState | None = None) -> list[ClaimRow]:
    """The claims the account decides (its province's, former provinces included; all for an admin)."""
    return [_row(session, claim) for claim in session.exec(_reach(session, account, state)).all()]


def count_pending_claims(*, session: Session, account: Account) -> int:
    """How many claims in the account's reach wait for a decision."""
    query = _reach(session, account, ClaimState.PENDING).order_by(None).with_only_columns(sa.func.count())
    return int(session.exec(query).one())


def claim_in_reach(*, session: Session, account: Account, claim_id: int) -> ClaimRow:
    """One claim the account decides; NotFound otherwise (another province's claims stay unseen)."""
    claim = session.get(ProducerClaim, claim_id)
    if claim is None:
        raise NotFound(NOT_FOUND)
    row = _row(session, claim)
    if not account.is_admin and not _owns(account, row.province):
        raise NotFound(NOT_FOUND)
    return row


def decide_claim(*, session: Session, account: Account, claim_id: int, approve: bool, note: str,
                 base_url: str) -> ProducerClaim:
    """Approve (link the account to the producer) or refuse (a note required) a pending claim.

    InvalidInput when it was decided already, a refusal has no note, or the producer or the account
    got another link meanwhile. Audited; the producer is told by e-mail. The caller commits.
    """
    row = claim_in_reach(session=session, account=account, claim_id=claim_id)
    claim, producer_account = row.claim, row.account
    if row.state is not ClaimState.PENDING:
        raise InvalidInput("Yêu cầu này đã được xử lý.", field="decision")
    if not approve and not note:
        raise InvalidInput("Vui lòng ghi lý do không duyệt: cơ sở sẽ đọc được lý do này.", field="note")
    if approve and (_held_ids(session, [claim.producer_id]) or producer_account.producer_id is not None):
        raise InvalidInput("Không duyệt được: cơ sở này hoặc tài khoản này đã được gắn với một tài khoản, "
                           "cơ sở khác. Hãy không duyệt yêu cầu và ghi lý do.", field="decision")
    before = snapshot(claim)
    claim.state = ClaimState.APPROVED if approve else ClaimState.REFUSED
    claim.note, claim.decided_by, claim.decided_at = note, account.id, utcnow()
    session.add(claim)
    if approve:
        producer_account.producer_id = claim.producer_id
        session.add(producer_account)
    session.flush()
    record_change(session=session, account=account, action="producer_claim.decide", entity="producer_claim",
                  entity_id=claim.id, province_id=claim.province_id, before=before,
                  after={**snapshot(claim), "account_id": producer_account.id})
    queue_claim_decision(session=session, account=producer_account, claim=claim, producer=row.producer,
                         base_url=base_url)
    return claim
