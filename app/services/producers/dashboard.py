"""What a producer account sees of its own records, and a new producer record created by it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.domain.codes import display_code
from app.domain.parsing import LegalForm
from app.domain.states import ClaimState, ProductState, parse_state
from app.domain.text import fold
from app.domain.validity import CertificateStatus, certificate_status
from app.errors import InvalidInput
from app.i18n import gettext
from app.models import Certificate, Producer, ProducerAccount, ProducerClaim, Product, Province
from app.services.imports.upsert import slug_base
from app.services.producers.claims import LINKED, claims_of
from app.services.records.audit_log import record_change, snapshot


@dataclass(frozen=True, slots=True)
class CertificateLine:
    """A certificate as its producer sees it, with its status today (Vietnam)."""

    certificate: Certificate
    code: str
    status: CertificateStatus


@dataclass(frozen=True, slots=True)
class ProductBlock:
    """One of the producer's products with its certificates, oldest first."""

    product: Product
    published: bool
    certificates: list[CertificateLine]


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One of the account's claims with its producer's name and its state."""

    claim: ProducerClaim
    producer_name: str
    state: ClaimState


@dataclass(slots=True)
class Dashboard:
    """The producer area's home: the linked producer and its products, and the account's claims."""

    producer: Producer | None
    province: str
    products: list[ProductBlock] = field(default_factory=list)
    claims: list[ClaimLine] = field(default_factory=list)

    @property
    def pending_claim(self) -> bool:
        """Whether a claim still waits for the office."""
        return any(line.state is ClaimState.PENDING for line in self.claims)


def dashboard(*, session: Session, account: ProducerAccount, today: date) -> Dashboard:
    """The account's producer (if any) with every product and certificate, and its claims."""
    producer = session.get(Producer, account.producer_id) if account.producer_id is not None else None
    province = session.get(Province, producer.province_id) if producer is not None else None
    page = Dashboard(producer=producer, province=province.name if province else "")
    for claim in claims_of(session=session, account=account):
        named = session.get(Producer, claim.producer_id)
        page.claims.append(ClaimLine(claim=claim, producer_name=named.name if named else "",
                                     state=parse_state(ClaimState, claim.state) or ClaimState.PENDING))
    if producer is None:
        return page
    products = session.exec(select(Product).where(Product.producer_id == producer.id)
                            .order_by(col(Product.name), col(Product.id))).all()
    for product in products:
        certificates = session.exec(select(Certificate).where(Certificate.product_id == product.id)
                                    .order_by(col(Certificate.issued_on), col(Certificate.id))).all()
        lines = [CertificateLine(certificate=c, code=display_code(c.code),
                                 status=certificate_status(c.valid_until, c.revoked_on, on=today))
                 for c in certificates]
        page.products.append(ProductBlock(product=product, published=product.state == ProductState.PUBLISHED,
                                          certificates=lines))
    return page


def _unique_slug(session: Session, name: str) -> str:
    """A producer slug from the name, with -2, -3… when taken."""
    base = slug_base(name)
    slug, n = base, 2
    while session.exec(select(Producer.id).where(Producer.slug == slug)).first():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_producer(*, session: Session, account: ProducerAccount, name: str, legal_form: LegalForm | None,
                    province_id: int, address: str, phone: str) -> Producer:
    """A new producer record held by the account; InvalidInput when it holds one or the name is taken."""
    if account.producer_id is not None:
        raise InvalidInput(gettext(LINKED), field="name")
    key = fold(name)
    taken = session.exec(select(Producer.id).where(Producer.name_key == key,
                                                   Producer.province_id == province_id)).first()
    if taken is not None:
        raise InvalidInput(gettext("Tỉnh này đã có cơ sở cùng tên trong danh mục: hãy gửi yêu cầu nhận "
                                   "cơ sở đó."), field="name")
    producer = Producer(slug=_unique_slug(session, name), name=name, name_key=key, province_id=province_id,
                        legal_form=legal_form.value if legal_form else None, address=address or None,
                        phone=phone or None)
    session.add(producer)
    session.flush()
    account.producer_id = producer.id
    session.add(account)
    record_change(session=session, account=None, action="producer.create", entity="producer",
                  entity_id=producer.id, province_id=province_id, before=None,
                  after={**snapshot(producer), "account_id": account.id})
    session.flush()
    return producer
