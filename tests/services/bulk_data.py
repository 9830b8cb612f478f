"""A small catalog with certificates of every status on 01/11/2026, for the list-check tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.models import Certificate, Product
from tests.factories import make_producer, make_product

VALID, EXPIRING, EXPIRED = date(2024, 5, 1), date(2023, 12, 15), date(2019, 3, 1)  # issue days
# (name, issued on, revoked on, expected status on 01/11/2026), in the order of `codes`
_ROWS = (
    ("Vải thiều sấy khô", EXPIRING, None, "expiring"),
    ("Nón lá bài thơ", VALID, None, "valid"),
    ("Chiếu cói Kim Sơn", EXPIRED, None, "expired"),
    ("Tương Bần", VALID, date(2025, 2, 1), "revoked"),
    ("Gốm Bát Tràng", VALID, None, "valid"),
    ("Chè Shan tuyết", EXPIRING, None, "expiring"),
    ("Lụa Vạn Phúc", EXPIRED, None, "expired"),
    ("Mây tre đan Phú Vinh", VALID, None, "valid"),
    ("Bánh đa Kế", EXPIRING, date(2024, 6, 1), "revoked"),
    ("Mật ong bạc hà", EXPIRING, None, "expiring"),
)


@dataclass(frozen=True, slots=True)
class Catalog:
    """What the tests look up: ten codes of mixed statuses, a printed number, the products."""

    products: list[Product]
    certificates: list[Certificate]
    codes: list[str]
    expected: list[tuple[str, str]]  # (code, status on 01/11/2026)
    revoked_code: str
    number: str


def make_catalog(session: Session) -> Catalog:
    """Ten products with one certificate each, two same-named 'Nước mắm' by different producers; committed."""
    products, certificates = [], []
    for name, issued_on, revoked_on, _ in _ROWS:
        product = make_product(session, name=name, issued_on=issued_on, revoked_on=revoked_on,
                               number=f"{len(products) + 1}/QĐ-UBND")
        products.append(product)
        found = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
        certificates.append(found)
    certificates[3].revoked_reason = "Giả mạo hồ sơ"
    session.add(certificates[3])
    for producer in ("HTX Cá cơm Phú Quốc", "Cơ sở Nước mắm Cát Hải"):
        maker = make_producer(session, name=producer)
        make_product(session, name="Nước mắm", producer=maker, issued_on=VALID)
    session.commit()
    codes = [c.code for c in certificates]
    return Catalog(products=products, certificates=certificates, codes=codes,
                   expected=[(c, row[3]) for c, row in zip(codes, _ROWS, strict=True)],
                   revoked_code=codes[3], number="2/QĐ-UBND")
