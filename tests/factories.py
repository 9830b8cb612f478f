"""Plain factory functions with keyword overrides: rows built through the real models.

They add an outbox row per product, as services do, so tests can index through the
real indexer.
"""

from __future__ import annotations

import itertools
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.domain.codes import new_code, number_key
from app.domain.text import fold
from app.domain.validity import default_valid_until
from app.models import Certificate, OutboxEvent, Producer, Product, Province, User
from search.indexer import apply_outbox

_serial = itertools.count(1)


def province(session: Session, slug: str) -> Province:
    """The province row with this slug (provinces are loaded by the fixtures)."""
    row = session.exec(select(Province).where(Province.slug == slug)).one()
    return row


def make_producer(session: Session, *, name: str | None = None, province_slug: str = "ha-noi",
                  **overrides: object) -> Producer:
    """A producer in `province_slug` (a current province)."""
    n = next(_serial)
    name = name or f"Cơ sở sản xuất số {n}"
    producer = Producer(
        slug=f"co-so-{n}", name=name, name_key=fold(name),
        province_id=province(session, province_slug).id, **overrides,
    )
    session.add(producer)
    session.flush()
    return producer


def make_product(
    session: Session,
    *,
    name: str | None = None,
    group: str = "che_bien",
    province_slug: str = "ha-noi",
    certified_in: str | None = None,
    level: str = "tinh",
    issued_on: date = date(2023, 12, 15),
    revoked_on: date | None = None,
    number: str | None = None,
    producer: Producer | None = None,
    description: str | None = None,
) -> Product:
    """A published product with one certificate; `certified_in` is the province at certification."""
    n = next(_serial)
    name = name or f"Sản phẩm số {n}"
    producer = producer or make_producer(session, province_slug=province_slug)
    product = Product(
        slug=f"san-pham-{n}", name=name, name_key=fold(name), group=group,
        description=description, producer_id=producer.id,
        province_id=province(session, province_slug).id,
    )
    session.add(product)
    session.flush()
    add_certificate(session, product, level=level, issued_on=issued_on, revoked_on=revoked_on,
                    number=number, certified_in=certified_in or province_slug)
    return product


def add_certificate(
    session: Session,
    product: Product,
    *,
    level: str = "tinh",
    issued_on: date = date(2023, 12, 15),
    revoked_on: date | None = None,
    number: str | None = None,
    certified_in: str = "ha-noi",
) -> Certificate:
    """Another certificate for `product` (and an outbox row for it)."""
    cert = Certificate(
        code=new_code(), number=number, number_key=number_key(number) if number else None,
        level=level, issued_on=issued_on, valid_until=default_valid_until(issued_on),
        revoked_on=revoked_on, revoked_reason="Vi phạm quy định" if revoked_on else None,
        product_id=product.id, province_id=province(session, certified_in).id,
    )
    session.add(cert)
    assert product.id is not None
    session.add(OutboxEvent(product_id=product.id))
    session.flush()
    return cert


TEST_PASSWORD = "mat-khau-thu-nghiem-123"  # noqa: S105 - test accounts only


def make_user(session: Session, *, role: str = "office", province_slug: str | None = "da-nang",
              email: str | None = None, password: str = TEST_PASSWORD) -> User:
    """An account through the real service (Argon2 hash); an office gets `province_slug`."""
    from app.domain.permissions import Role
    from app.services.office.users import create_user

    n = next(_serial)
    office_province = province_slug if role == "office" else None
    user = create_user(session=session, email=email or f"nguoi-dung-{n}@vi-du.example", name=f"Cán bộ {n}",
                       password=password, role=Role(role), province=office_province)
    session.commit()
    return user


def sign_in(client: TestClient, user: User, *, password: str = TEST_PASSWORD) -> None:
    """Sign `client` in through the real login form (CSRF token read from the page)."""
    page = client.get("/quan-ly/dang-nhap")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/quan-ly/dang-nhap", data={"email": user.email, "password": password,
                                                      "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient, path: str = "/quan-ly/dang-nhap") -> str:
    """The CSRF token of the client's session, read from a page that carries it."""
    page = client.get(path)
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def index_products(client: TestClient, session: Session, *products: Product) -> None:
    """What a service does after a change: an outbox row per product, commit, index in the app's engine."""
    for product in products:
        assert product.id is not None
        session.add(OutboxEvent(product_id=product.id))
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
