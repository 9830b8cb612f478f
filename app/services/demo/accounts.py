"""The demo's sign-in accounts: an administrator, the Huế office, two jurors and a producer account.

They exist so a visitor of `make run` can sign in at once (no temporary password to change, no mail to
read), which is why their passwords are fixed and say "demo": they are created only by `cnnt demo` (never by
a migration or any production path) and listed in the README for local use only. A second load reuses an
account whose address is already there rather than failing on the unique e-mail. Helpers flush; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.permissions import Role
from app.models import Producer, ProducerAccount, Province, User, utcnow
from app.services.office.passwords import hash_password
from app.services.office.users import create_user

DEMO_PROVINCE = "hue"  # the province of the demo's provincial call (app/services/demo/calls.py)
ADMIN = ("quan-tri@vi-du.example", "Quản trị viên (minh họa)", "demo-quan-tri-123")
OFFICE = ("so-cong-thuong-hue@vi-du.example", "Sở Công Thương Huế (minh họa)", "demo-so-cong-thuong-123")
JURORS = (("giam-khao-1@vi-du.example", "Giám khảo Một (minh họa)", "demo-giam-khao-123"),
          ("giam-khao-2@vi-du.example", "Giám khảo Hai (minh họa)", "demo-giam-khao-123"))
PRODUCER = ("co-so@vi-du.example", "Chủ cơ sở (minh họa)", "demo-co-so-123")


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    """The demo's accounts, for the demo applications and reviews that use them."""

    admin: User
    office: User
    jurors: list[User]
    producer: ProducerAccount


def _user(session: Session, spec: tuple[str, str, str], role: Role, province: str | None) -> User:
    """The account of the spec's address: the existing one, or a new one that signs in straight away."""
    email, name, password = spec
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing is not None:
        return existing
    return create_user(session=session, email=email, name=name, password=password, role=role,
                       province=province)


def demo_producers(session: Session, count: int) -> list[Producer]:
    """`count` producers of the catalog, the demo province's first (the provincial call is theirs)."""
    hue = session.exec(select(Province.id).where(Province.slug == DEMO_PROVINCE)).one()
    local = list(session.exec(select(Producer).where(Producer.province_id == hue)
                              .order_by(col(Producer.id)).limit(count)).all())
    others = session.exec(select(Producer).where(Producer.province_id != hue)
                          .order_by(col(Producer.id)).limit(count - len(local))).all()
    return local + list(others)


def producer_account(session: Session, *, email: str, name: str, producer: Producer,
                     password: str = "") -> ProducerAccount:
    """A confirmed producer account linked to `producer` (existing by address, else new); no password means
    it signs in by e-mailed link only, as a producer who chose none at confirmation."""
    existing = session.exec(select(ProducerAccount).where(ProducerAccount.email == email)).first()
    if existing is not None:
        return existing
    account = ProducerAccount(email=email, name=name, producer_id=producer.id, confirmed_at=utcnow(),
                              password_hash=hash_password(password) if password else "")
    session.add(account)
    session.flush()
    return account


def add_demo_accounts(*, session: Session, producer: Producer) -> DemoAccounts:
    """The demo's accounts, the producer account linked to `producer`; existing ones are reused."""
    return DemoAccounts(
        admin=_user(session, ADMIN, Role.admin, None),
        office=_user(session, OFFICE, Role.office, DEMO_PROVINCE),
        jurors=[_user(session, spec, Role.juror, None) for spec in JURORS],
        producer=producer_account(session, email=PRODUCER[0], name=PRODUCER[1], producer=producer,
                                  password=PRODUCER[2]),
    )
