"""Nominating a round's winners to the next level: the dossier carried over, the certificate attached.

A province office nominates the winners of its provincial rounds to a regional call; the ministry's
administrators the winners of a regional round to a national call (NOMINATED_TO). A nomination is the
producer's application to the higher round, made by the office: a draft holding a copy of the dossier
that won the lower level (when it was applied for online: `copy_dossier`) and the lower certificate
itself (`lower_certificate_id`, which stands for the checklist's lower-certificate item), for the
producer to update and submit before the call's closing day. The office and the ministry see the
nominated draft (they made it); the producer is mailed. Only a certificate valid today (Vietnam) is
nominated, of a product still published, and only for a producer with an account (who else would update
and submit it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.domain.calls import NOMINATED_TO, accepts_entries
from app.domain.levels import Level
from app.domain.states import ProductState, RoundState
from app.domain.text import vietnamese_sort_key
from app.domain.validity import CertificateStatus, certificate_status
from app.errors import InvalidInput
from app.models import Application, Certificate, Producer, ProducerAccount, Product, RoundCall, SelectionRound
from app.services.applications.common import audit_change, copy_dossier
from app.services.office.account import Account
from app.services.office.rounds import get_round
from app.services.producers.mails import queue_nomination


@dataclass(frozen=True, slots=True)
class Winner:
    """A certificate of the round valid today, its product and producer, the producer's account if any,
    and the rounds it is already entered in."""

    certificate: Certificate
    product: Product
    producer: Producer
    account: ProducerAccount | None
    entered: frozenset[int]


@dataclass(frozen=True, slots=True)
class HigherCall:
    """A call of the next level that takes entries now."""

    round: SelectionRound
    call: RoundCall


@dataclass(frozen=True, slots=True)
class Nominations:
    """What the nomination page shows: the round, the level it nominates to, its winners, the calls."""

    round: SelectionRound
    target_level: Level | None
    winners: list[Winner]
    calls: list[HigherCall]


def nominations(*, session: Session, account: Account, round_id: int, today: date,
                now: datetime) -> Nominations:
    """The round's winners valid today and the next level's calls taking entries (NotFound for a round
    the account does not reach)."""
    selection_round = get_round(session=session, account=account, round_id=round_id)
    target = NOMINATED_TO.get(Level(selection_round.level))
    if target is None:
        return Nominations(round=selection_round, target_level=None, winners=[], calls=[])
    rows = session.exec(select(Certificate, Product, Producer)
                        .join(Product, col(Product.id) == Certificate.product_id)
                        .join(Producer, col(Producer.id) == Product.producer_id)
                        .where(Certificate.round_id == round_id,
                               Product.state == ProductState.PUBLISHED)).all()  # withdrawn: no winner
    valid = [(c, p, r) for c, p, r in rows
             if certificate_status(c.valid_until, c.revoked_on, on=today) is CertificateStatus.valid]
    producer_ids = [r.id for _, _, r in valid]
    accounts = {a.producer_id: a for a in session.exec(
        select(ProducerAccount).where(col(ProducerAccount.producer_id).in_(producer_ids))).all()}
    entered: dict[int, set[int]] = {}
    for producer_id, entered_round in session.exec(select(Application.producer_id, Application.round_id)
                                                   .where(col(Application.producer_id).in_(producer_ids))):
        entered.setdefault(producer_id, set()).add(entered_round)
    winners = [Winner(certificate=c, product=p, producer=r, account=accounts.get(r.id),
                      entered=frozenset(entered.get(r.id or 0, set()))) for c, p, r in valid]
    winners.sort(key=lambda w: vietnamese_sort_key(w.product.name))
    calls = [HigherCall(round=r, call=c) for r, c in session.exec(
        select(SelectionRound, RoundCall).join(RoundCall, col(RoundCall.round_id) == SelectionRound.id)
        .where(SelectionRound.level == target.value, SelectionRound.state != RoundState.WITHDRAWN)
        .order_by(col(SelectionRound.year).desc(), col(SelectionRound.id))).all() if accepts_entries(c, now)]
    return Nominations(round=selection_round, target_level=target, winners=winners, calls=calls)


def nominate(*, session: Session, account: Account, page: Nominations, certificate_id: int,
             target_round_id: int, base_url: str) -> Application:
    """Enter a winner in a higher call: a draft for its producer with the dossier carried over and the
    certificate attached; audited and mailed. InvalidInput names what stands in the way."""
    winner = next((w for w in page.winners if w.certificate.id == certificate_id), None)
    if winner is None:
        raise InvalidInput("Hãy chọn một sản phẩm đạt của đợt này có giấy chứng nhận còn hiệu lực.",
                           field="certificate")
    higher = next((h for h in page.calls if h.round.id == target_round_id), None)
    if higher is None:
        raise InvalidInput("Hãy chọn một đợt bình chọn cấp trên đang nhận hồ sơ.", field="target")
    if winner.account is None:
        raise InvalidInput(f"Cơ sở “{winner.producer.name}” chưa có tài khoản trên trang: hãy đề nghị cơ sở "
                           "đăng ký tài khoản và nhận cơ sở, rồi đề cử lại.", field="certificate")
    if target_round_id in winner.entered:
        raise InvalidInput(f"Cơ sở “{winner.producer.name}” đã có hồ sơ trong đợt này.", field="certificate")
    assert higher.call.id is not None and winner.account.id is not None  # noqa: S101 - from the database
    product = winner.product
    application = Application(round_id=target_round_id, call_id=higher.call.id, account_id=winner.account.id,
                              producer_id=winner.producer.id or 0, product_name=product.name,
                              group=product.group, description=product.description or "",
                              lower_certificate_id=winner.certificate.id)
    session.add(application)
    session.flush()
    won = select(Application).where(Application.certificate_id == winner.certificate.id)
    source = session.exec(won).first()  # the dossier that won the lower level, when applied for online
    carried = 0 if source is None else copy_dossier(session=session, source=source, target=application,
                                                    call=higher.call)
    audit_change(session=session, application=application, action="application.nominate",
                 province_id=page.round.province_id, before=None, office=account,
                 extra={"lower_certificate": winner.certificate.id, "from_round": page.round.id,
                        "from_application": source.id if source else None, "files": carried})
    queue_nomination(session=session, account=winner.account, application=application,
                     certificate=winner.certificate, closes_on=higher.call.closes_on, base_url=base_url)
    return application
