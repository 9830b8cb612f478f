"""Forgiving lookups: a code typed with one mistake offers the existing codes one edit away, and no more."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.domain.states import ProductState
from app.models import Certificate, Product
from app.services.verification.lookup import MAX_SUGGESTIONS, similar_codes
from app.web.deps import get_today
from app.web.rate_limit import SiteLimits
from tests.factories import make_product

CODE = "K7M2Q9XD"


def html(response: Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def product_with_code(session: Session, code: str, *, name: str = "Nón lá bài thơ",
                      revoked_on: date | None = None) -> Product:
    """A published product whose one certificate has the verification code `code`."""
    product = make_product(session, name=name, revoked_on=revoked_on)
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    cert.code = code
    session.add(cert)
    session.commit()
    return product


def suggested(response: Response) -> dict[str, str]:
    """Each suggestion's link → its words."""
    return {str(a["href"]): " ".join(li.get_text(" ").split())
            for li in html(response).select(".verify-suggestions li") for a in li.select("a")}


@pytest.fixture
def known(client: TestClient, session: Session) -> Product:
    """One certificate with the code K7M2-Q9XD, on a day it is valid."""
    client.app.dependency_overrides[get_today] = lambda: date(2025, 6, 1)  # type: ignore[attr-defined]
    return product_with_code(session, CODE)


@pytest.mark.parametrize("typed", ["K7M2Q9XE", "K7M2-Q9X0", "k7m2q9x", "K7M2-Q9XDA", "K7M2Q9DX"])
def test_one_mistake_offers_the_code(client: TestClient, known: Product, typed: str) -> None:
    response = client.get("/tra-cuu", params={"q": typed})
    assert response.status_code == 404
    assert suggested(response) == {f"/v/{CODE}": "Có phải bạn muốn tra K7M2-Q9XD (Nón lá bài thơ)?"}
    assert html(response).select_one(".verdict__title").get_text(strip=True) == "Không tìm thấy"  # type: ignore[union-attr]
    by_qr = client.get(f"/v/{typed}")  # the QR code's route answers the same
    assert by_qr.status_code == 404 and suggested(by_qr) == suggested(response)


@pytest.mark.parametrize("typed", ["K7M2Q9EE", "7KM2Q9XE", "K7M2Q9", "K7M2Q9XDAB", "M7K2Q9XD"])
def test_two_mistakes_reveal_nothing(client: TestClient, known: Product, typed: str) -> None:
    response = client.get("/tra-cuu", params={"q": typed})
    assert response.status_code == 404
    assert html(response).select(".verify-suggestions") == []
    assert "K7M2-Q9XD" not in response.text and f"/v/{CODE}" not in response.text


def test_exact_code_has_no_suggestions(client: TestClient, known: Product) -> None:
    response = client.get(f"/v/{CODE}")
    assert response.status_code == 200 and html(response).select(".verify-suggestions") == []


def test_revoked_code_is_suggested_and_its_page_says_revoked(client: TestClient, session: Session) -> None:
    client.app.dependency_overrides[get_today] = lambda: date(2025, 6, 1)  # type: ignore[attr-defined]
    product_with_code(session, CODE, name="Gốm Bát Tràng", revoked_on=date(2025, 1, 10))
    links = suggested(client.get("/tra-cuu", params={"q": "K7M2Q9XE"}))
    assert list(links) == [f"/v/{CODE}"]
    page = client.get(f"/v/{CODE}")
    assert html(page).select_one(".verdict__title").get_text(strip=True) == "Đã thu hồi"  # type: ignore[union-attr]


def test_unpublished_products_are_never_suggested(client: TestClient, session: Session) -> None:
    product = product_with_code(session, CODE)
    product.state = ProductState.DRAFT
    session.add(product)
    session.commit()
    response = client.get("/tra-cuu", params={"q": "K7M2Q9XE"})
    assert response.status_code == 404 and suggested(response) == {}


def test_a_few_are_suggested_but_many_are_none(client: TestClient, session: Session) -> None:
    near = ["K7M2Q9XA", "K7M2Q9XB", "K7M2Q9XC", "K7M2Q9XD"]
    for n, code in enumerate(near[:MAX_SUGGESTIONS]):
        product_with_code(session, code, name=f"Sản phẩm {n}")
    assert set(suggested(client.get("/tra-cuu", params={"q": "K7M2Q9XE"}))) == {
        f"/v/{c}" for c in near[:MAX_SUGGESTIONS]}
    product_with_code(session, near[MAX_SUGGESTIONS], name="Sản phẩm thêm")
    response = client.get("/tra-cuu", params={"q": "K7M2Q9XE"})
    assert response.status_code == 404 and suggested(response) == {}


def test_english_page_offers_the_code(client: TestClient, known: Product) -> None:
    response = client.get("/en/tra-cuu", params={"q": "K7M2Q9DX"})
    assert suggested(response) == {f"/en/v/{CODE}": "Did you mean K7M2-Q9XD (Nón lá bài thơ)?"}


def test_suggestions_count_against_the_lookup_limit(client: TestClient, known: Product) -> None:
    client.app.state.limits = SiteLimits(clock=lambda: 1000.0)  # type: ignore[attr-defined]
    for _ in range(SiteLimits.LOOKUPS_PER_MINUTE - 1):  # 29 lookups with nothing to suggest
        assert client.get("/tra-cuu", params={"q": "KHONGCO"}).status_code == 404
    last = client.get("/tra-cuu", params={"q": "K7M2Q9XE"})  # the 30th lookup fits, its suggestion does not
    assert last.status_code == 404 and suggested(last) == {}
    assert client.get("/tra-cuu", params={"q": "K7M2Q9XE"}).status_code == 429


def test_each_suggestion_costs_a_lookup(client: TestClient, known: Product) -> None:
    client.app.state.limits = SiteLimits(clock=lambda: 1000.0)  # type: ignore[attr-defined]
    for _ in range(SiteLimits.LOOKUPS_PER_MINUTE // 2):  # a lookup and its one suggestion: two each
        assert suggested(client.get("/tra-cuu", params={"q": "K7M2Q9XE"}))
    assert client.get("/tra-cuu", params={"q": "K7M2Q9XE"}).status_code == 429


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs while the test does."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


def test_similar_codes_is_one_indexed_query(session: Session, statements: list[str]) -> None:
    for n in range(50):
        make_product(session, name=f"Sản phẩm {n}")
    product_with_code(session, CODE)
    statements.clear()
    found = similar_codes(session=session, text="K7M2Q9X")
    assert [s.code for s in found] == [CODE]
    assert len(statements) == 1 and "IN" in statements[0].upper()
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not sqlite:  # on a tiny table PostgreSQL rightly prefers a scan; ask whether the index serves
        session.exec(sa.text("SET LOCAL enable_seqscan = off"))  # type: ignore[call-overload]
    lookup = "SELECT id FROM certificate WHERE code IN ('K7M2Q9XD', 'K7M2Q9XE')"
    explain = f"EXPLAIN QUERY PLAN {lookup}" if sqlite else f"EXPLAIN {lookup}"
    plan_rows = session.exec(sa.text(explain)).all()  # type: ignore[call-overload]
    plan = " ".join(str(r) for r in plan_rows).lower()
    assert "index" in plan  # SQLite: SEARCH … USING INDEX; PostgreSQL: Index (Only) Scan
