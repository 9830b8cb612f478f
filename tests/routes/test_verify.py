"""The consumer's lookup: /tra-cuu and /v/{code} answers on fixed days, counts, rate limits, bad input."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.domain.codes import display_code, new_code
from app.domain.validity import CertificateStatus, certificate_status, today_in
from app.models import Certificate, Product, SelectionRound, VerificationCount
from app.services.verification.lookup import look_up, record_lookups, verification_counts
from app.web.deps import get_today
from app.web.rate_limit import SiteLimits
from tests.factories import add_certificate, make_producer, make_product


def html(response: Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def text_of(soup: BeautifulSoup, selector: str) -> str:
    """The squashed text of the first element matching `selector` ('' when none)."""
    node = soup.select_one(selector)
    return " ".join(node.get_text(" ").split()) if node else ""


def certificate_of(session: Session, product: Product) -> Certificate:
    """The (first) certificate of a product made by the factories."""
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).first()  # type: ignore[return-value]


def on_day(client: TestClient, day: date) -> None:
    """Make the app's "today" (the Vietnam date) a fixed day."""
    client.app.dependency_overrides[get_today] = lambda: day  # type: ignore[attr-defined]


def verdict(response: Response) -> str:
    """The huge words of a single answer."""
    return text_of(html(response), ".verdict__title")


@pytest.fixture
def cert_2023(client: TestClient, session: Session) -> Certificate:
    """Issued 15/12/2023 (valid until 31/12/2026) in former Bắc Giang, with contacts and a round."""
    producer = make_producer(session, name="HTX Vải thiều Lục Ngạn", province_slug="bac-ninh",
                             phone="0900 000 000", email="lienhe@vidu.invalid", website="vidu.invalid")
    product = make_product(session, name="Vải thiều sấy khô", province_slug="bac-ninh",
                           certified_in="bac-giang", producer=producer, number="101/QĐ-UBND")
    round_ = SelectionRound(level="tinh", year=2023, decision_number="2468/QĐ-UBND",
                            decision_date=date(2023, 12, 10))
    session.add(round_)
    session.flush()
    cert = certificate_of(session, product)
    cert.round_id = round_.id
    session.add(cert)
    session.commit()
    return cert


# --- statuses on fixed days ---------------------------------------------------------------------

def test_valid_answer_shows_what_to_compare(client: TestClient, cert_2023: Certificate) -> None:
    on_day(client, date(2026, 6, 1))
    response = client.get(f"/v/{cert_2023.code}")
    assert response.status_code == 200
    soup = html(response)
    assert verdict(response) == "Còn hiệu lực"
    assert "còn 213 ngày" in text_of(soup, ".verdict__detail")
    assert soup.select_one(".verdict .cnnt-badge") is not None
    facts = text_of(soup, ".verified")
    for expected in ("Vải thiều sấy khô", "Bắc Giang (nay thuộc Bắc Ninh)", "Cấp tỉnh",
                     "Số 2468/QĐ-UBND ngày 10/12/2023", "101/QĐ-UBND", display_code(cert_2023.code),
                     "15/12/2023", "31/12/2026 (còn 213 ngày)",
                     "HTX Vải thiều Lục Ngạn"):
        assert expected in facts, expected
    hrefs = {a["href"] for a in soup.select(".verified a")}
    assert {"tel:0900000000", "mailto:lienhe@vidu.invalid", "https://vidu.invalid"} <= hrefs
    product = soup.select_one(".verified__product a")
    assert product is not None and str(product["href"]).startswith("/san-pham/")
    assert soup.title is not None and "Còn hiệu lực: Vải thiều sấy khô" in soup.title.get_text()
    description = soup.select_one("meta[name=description]")
    assert description is not None and "Vải thiều sấy khô" in str(description["content"])


def test_last_day_of_the_fourth_year_is_still_valid_and_the_next_is_not(
    client: TestClient, cert_2023: Certificate
) -> None:
    on_day(client, date(2026, 12, 31))
    last_day = client.get(f"/v/{cert_2023.code}")
    assert verdict(last_day) == "Sắp hết hạn"
    assert "còn hiệu lực" in text_of(html(last_day), ".verdict__detail").lower()
    assert html(last_day).select_one(".verdict .cnnt-badge") is not None
    on_day(client, date(2027, 1, 1))
    new_year = client.get(f"/v/{cert_2023.code}")
    assert new_year.status_code == 200 and verdict(new_year) == "Hết hiệu lực"
    assert html(new_year).select_one(".cnnt-badge") is None


def test_boundary_through_the_api_and_the_domain(client: TestClient, cert_2023: Certificate) -> None:
    valid = client.get(f"/api/v1/certificates/{cert_2023.code}?on=2026-12-31").json()
    assert (valid["status"], valid["status_label"]) == ("valid", "Còn hiệu lực")
    expired = client.get(f"/api/v1/certificates/{cert_2023.code}?on=2027-01-01").json()
    assert (expired["status"], expired["status_label"]) == ("expired", "Hết hiệu lực")
    assert certificate_status(cert_2023.valid_until, None, on=date(2026, 12, 31)) == CertificateStatus.valid
    assert certificate_status(cert_2023.valid_until, None, on=date(2027, 1, 1)) == CertificateStatus.expired


@pytest.mark.parametrize(("day", "words", "days_left"), [
    (date(2026, 10, 2), "Sắp hết hạn", "còn 90 ngày"),
    (date(2026, 10, 1), "Còn hiệu lực", "còn 91 ngày"),
    (date(2026, 12, 30), "Sắp hết hạn", "còn 1 ngày"),
])
def test_expiring_soon_within_90_days(client: TestClient, cert_2023: Certificate, day: date, words: str,
                                      days_left: str) -> None:
    on_day(client, day)
    response = client.get("/tra-cuu", params={"q": cert_2023.code})
    assert verdict(response) == words
    assert days_left in text_of(html(response), ".verdict__detail")


def test_revoked_wins_over_valid(client: TestClient, session: Session) -> None:
    product = make_product(session, issued_on=date(2024, 5, 1), revoked_on=date(2025, 1, 10))
    session.commit()
    on_day(client, date(2025, 6, 1))  # well inside 2024–2027
    response = client.get(f"/v/{certificate_of(session, product).code}")
    assert response.status_code == 200 and verdict(response) == "Đã thu hồi"
    detail = text_of(html(response), ".verdict__detail")
    assert "10/01/2025" in detail and "Vi phạm quy định" in detail
    assert html(response).select_one(".cnnt-badge") is None
    on_day(client, date(2025, 1, 9))  # the day before revocation it was valid
    assert verdict(client.get(f"/v/{certificate_of(session, product).code}")) == "Còn hiệu lực"


def test_a_reason_typed_as_a_sentence_ends_with_one_full_stop(client: TestClient, session: Session) -> None:
    """The answer ends the reason's sentence itself: "Vi phạm quy định." must not read ".."."""
    product = make_product(session, issued_on=date(2024, 5, 1), revoked_on=date(2025, 1, 10))
    cert = certificate_of(session, product)
    cert.revoked_reason = "Vi phạm quy định. "
    session.add(cert)
    session.commit()
    on_day(client, date(2025, 6, 1))
    detail = text_of(html(client.get(f"/v/{cert.code}")), ".verdict__detail")
    assert "Lý do: Vi phạm quy định. Sản phẩm" in detail and ".." not in detail


def test_each_status_today_on_the_real_clock(client: TestClient, session: Session) -> None:
    """No override: the page's "today" is the Vietnam date now."""
    today = today_in()
    valid = certificate_of(session, make_product(session, issued_on=date(today.year, 1, 1)))
    expiring = certificate_of(session, make_product(session, issued_on=date(today.year - 1, 1, 1)))
    expiring.valid_until = today + timedelta(days=30)  # an office corrected it
    session.add(expiring)
    expired = certificate_of(session, make_product(session, issued_on=date(today.year - 5, 3, 1)))
    revoked = certificate_of(session, make_product(session, issued_on=today - timedelta(days=400),
                                                   revoked_on=today - timedelta(days=3)))
    session.commit()
    expected = [(valid, "Còn hiệu lực", True), (expiring, "Sắp hết hạn", True),
                (expired, "Hết hiệu lực", False), (revoked, "Đã thu hồi", False)]
    for cert, words, badge in expected:
        response = client.get(f"/v/{cert.code}")
        assert verdict(response) == words
        assert (html(response).select_one(".cnnt-badge") is not None) == badge
    assert "còn 30 ngày" in text_of(html(client.get(f"/v/{expiring.code}")), ".verdict__detail")


# --- not found, typing tolerance, several under one number ---------------------------------------

def test_unknown_code_is_a_friendly_404(client: TestClient, cert_2023: Certificate) -> None:
    for response in (client.get("/v/ZZZZ-ZZZZ"), client.get("/tra-cuu", params={"q": "ZZZZ-ZZZZ"})):
        assert response.status_code == 404
        soup = html(response)
        assert verdict(response) == "Không tìm thấy"
        assert "Kiểm tra lại mã" in text_of(soup, ".answer")
        report = soup.find("a", string="Báo cáo nghi vấn giả mạo")
        assert isinstance(report, Tag) and report["href"] == "/bao-cao?ma=ZZZZ-ZZZZ"
        assert soup.select_one("#verify-q") is not None
    api = client.get("/api/v1/certificates/ZZZZ-ZZZZ")
    assert api.status_code == 404 and api.json()["detail"]


@pytest.mark.parametrize("typed", ["{lower}", " {lower4} {lower_rest} ", "{lower4}-{lower_rest}",
                                   "{lower4} - {lower_rest}"])
def test_code_typed_loosely(client: TestClient, cert_2023: Certificate, typed: str) -> None:
    code = cert_2023.code
    q = typed.format(lower=code.lower(), lower4=code[:4].lower(), lower_rest=code[4:].lower())
    response = client.get("/tra-cuu", params={"q": q})
    assert response.status_code == 200 and verdict(response) != "Không tìm thấy"
    assert display_code(code) in text_of(html(response), ".answer__query")
    assert client.get(f"/v/{code[:4].lower()}-{code[4:].lower()}").status_code == 200


@pytest.mark.parametrize("typed", ["101/QĐ-UBND", "IOI/qd-ubnd", "l0l qđ ubnd", "1O1-QD-UBND"])
def test_printed_number_with_look_alikes(client: TestClient, cert_2023: Certificate, typed: str) -> None:
    on_day(client, date(2026, 6, 1))
    response = client.get("/tra-cuu", params={"q": typed})
    assert response.status_code == 200 and verdict(response) == "Còn hiệu lực"
    assert "101/QĐ-UBND" in text_of(html(response), ".verified")


def test_several_certificates_under_one_number(client: TestClient, session: Session) -> None:
    first = make_product(session, name="Nón lá bài thơ", number="05/GCN-SCT", issued_on=date(2024, 3, 1))
    second = make_product(session, name="Chè Shan tuyết", number="05/gcn-sct", issued_on=date(2019, 3, 1))
    add_certificate(session, first, level="quoc_gia", issued_on=date(2025, 11, 1), number="99/QĐ-BCT")
    session.commit()
    on_day(client, date(2026, 1, 5))
    response = client.get("/tra-cuu", params={"q": "O5/GCN-SCT"})
    assert response.status_code == 200
    soup = html(response)
    items = soup.select(".answer__item")
    assert len(items) == 2 and "2 giấy chứng nhận" in text_of(soup, "h1")
    parsed = [BeautifulSoup(str(item), "html.parser") for item in items]
    answers = {
        text_of(p, ".verified__product"): (text_of(p, ".verdict__title"), bool(p.select_one(".cnnt-badge")))
        for p in parsed
    }
    assert answers == {"Nón lá bài thơ": ("Còn hiệu lực", True), "Chè Shan tuyết": ("Hết hiệu lực", False)}
    reports = [a["href"] for a in soup.find_all("a", string="Báo cáo nghi vấn giả mạo")]
    codes = {certificate_of(session, p).code for p in (first, second)}
    assert {f"/bao-cao?ma={c}" for c in codes} == set(reports)


def test_a_number_shared_by_many_certificates_gives_a_compact_chooser(client: TestClient,
                                                                       session: Session) -> None:
    """24 certificates under one printed number: one short row each (name, producer, status in words, link to
    its own answer), not 24 full answers; three or fewer keep the full answers (the test above)."""
    products = [make_product(session, name=f"Sản phẩm số {n:02d}", number="12/QĐ-UBND",
                             issued_on=date(2018 if n % 3 == 0 else 2024, 3, 1)) for n in range(24)]
    session.commit()
    on_day(client, date(2026, 1, 5))
    response = client.get("/tra-cuu", params={"q": "12/QĐ-UBND"})
    soup = html(response)
    rows = soup.select(".chooser__item")
    assert len(rows) == 24 and not soup.select(".answer__item") and not soup.select(".verified")
    links = {a["href"] for a in soup.select(".chooser__name a")}
    assert links == {f"/v/{certificate_of(session, p).code}" for p in products}
    words = [text_of(BeautifulSoup(str(row), "html.parser"), ".status") for row in rows]
    assert words.count("Hết hiệu lực") == 8 and words.count("Còn hiệu lực") == 16
    assert len(response.content) < 40_000, len(response.content)


def test_a_thousand_random_codes_find_nothing(session: Session) -> None:
    known = [certificate_of(session, make_product(session)) for _ in range(25)]
    session.commit()
    today = date(2026, 6, 1)
    assert all(look_up(session=session, text=c.code, today=today).found for c in known)
    known_codes = {c.code for c in known}
    found = [code for code in (new_code() for _ in range(1000))
             if code not in known_codes and look_up(session=session, text=code, today=today).found]
    assert found == []


# --- the form and bad input ---------------------------------------------------------------------

def test_empty_query_is_just_the_form(client: TestClient, session: Session) -> None:
    for response in (client.get("/tra-cuu"), client.get("/tra-cuu?q=%20%20")):
        assert response.status_code == 200
        soup = html(response)
        label = soup.select_one("label[for=verify-q]")
        assert label is not None and label.get_text(strip=True) == "Mã tra cứu hoặc số giấy chứng nhận"
        assert soup.select_one(".answer") is None and soup.select_one(".verdict") is None
        form = soup.select_one("form.verify-form")
        assert form is not None and form["action"] == "/tra-cuu" and form["method"] == "get"
    assert session.exec(select(VerificationCount)).all() == []


def test_ten_thousand_characters_get_a_clear_message(client: TestClient) -> None:
    response = client.get("/tra-cuu", params={"q": "7" * 10_000})
    assert response.status_code == 422
    soup = html(response)
    assert "quá dài" in text_of(soup, ".verify-form__error")
    field = soup.select_one("#verify-q")
    assert field is not None and field.get("aria-invalid") == "true"
    assert len(str(field.get("value", ""))) <= 100


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                                     "{{ 7*7 }}<svg onload=alert(1)>"])
def test_hostile_query_is_inert(client: TestClient, payload: str) -> None:
    response = client.get("/tra-cuu", params={"q": payload})
    assert response.status_code == 404
    soup = html(response)
    assert not [s for s in soup.find_all("script") if "alert" in s.get_text()]
    assert not soup.select("[onerror], [onload]")
    assert payload in text_of(soup, ".verdict__query") or payload in str(soup.select_one("#verify-q"))
    assert "49" not in text_of(soup, ".verdict__detail")


def test_header_links_to_the_lookup(client: TestClient) -> None:
    nav = html(client.get("/tra-cuu")).select_one("header nav")
    assert nav is not None and nav.find("a", href="/tra-cuu") is not None


# --- counts -------------------------------------------------------------------------------------

def test_every_answered_lookup_is_counted_per_day(client: TestClient, session: Session,
                                                   cert_2023: Certificate) -> None:
    assert cert_2023.id is not None
    on_day(client, date(2026, 3, 1))
    client.get(f"/v/{cert_2023.code}")
    client.get("/tra-cuu", params={"q": "101/qđ-ubnd"})
    client.get(f"/api/v1/certificates/{cert_2023.code}?on=2020-01-01")  # counted on today, not on `on`
    client.get("/api/v1/certificates", params={"number": "101/QĐ-UBND"})
    client.get("/tra-cuu", params={"q": "ZZZZ-ZZZZ"})  # nothing found: nothing counted
    on_day(client, date(2026, 3, 2))
    client.get(f"/v/{cert_2023.code}")
    session.expire_all()
    rows = {(r.day, r.count) for r in session.exec(select(VerificationCount))}
    assert rows == {(date(2026, 3, 1), 4), (date(2026, 3, 2), 1)}
    assert verification_counts(session=session, certificate_ids=[cert_2023.id, 999_999],
                               since=date(2026, 3, 1)) == {cert_2023.id: 5, 999_999: 0}
    assert verification_counts(session=session, certificate_ids=[cert_2023.id],
                               since=date(2026, 3, 2)) == {cert_2023.id: 1}


def test_counts_survive_concurrent_lookups(engine: Engine, session: Session) -> None:
    certs = [certificate_of(session, make_product(session)) for _ in range(2)]
    session.commit()
    ids = [c.id for c in certs if c.id is not None]
    day, threads, per_thread = date(2026, 3, 1), 8, 10
    errors: list[BaseException] = []

    def hammer() -> None:
        try:
            for _ in range(per_thread):
                with Session(engine) as own:
                    record_lookups(session=own, certificate_ids=ids, day=day)
                    own.commit()  # as the routes do: services never commit
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert verification_counts(session=session, certificate_ids=ids, since=day) == dict.fromkeys(
        ids, threads * per_thread)


# --- rate limits --------------------------------------------------------------------------------

class Clock:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(client: TestClient) -> Clock:
    """Fresh site limits on a hand-moved clock."""
    tick = Clock()
    client.app.state.limits = SiteLimits(clock=tick)  # type: ignore[attr-defined]
    return tick


def _use_up(get: Callable[[], Response]) -> Response:
    """Make one request more than the limit allows; the others must pass."""
    responses = [get() for _ in range(SiteLimits.LOOKUPS_PER_MINUTE + 1)]
    assert all(r.status_code != 429 for r in responses[:-1])
    return responses[-1]


def test_too_many_lookups_get_a_friendly_page(client: TestClient, cert_2023: Certificate,
                                              clock: Clock) -> None:
    response = _use_up(lambda: client.get("/tra-cuu", params={"q": cert_2023.code}))
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 61
    soup = html(response)
    assert text_of(soup, "h1") == "Bạn tra cứu quá nhanh"
    assert f"thử lại sau {wait} giây" in text_of(soup, ".verdict__detail")
    field = soup.select_one("#verify-q")
    assert field is not None and field["value"] == cert_2023.code
    assert client.get(f"/v/{cert_2023.code}").status_code == 429
    assert client.get("/tra-cuu").status_code == 200  # the empty form is not a lookup
    clock.now += 61
    assert client.get(f"/v/{cert_2023.code}").status_code == 200


def test_too_many_api_lookups_get_json(client: TestClient, cert_2023: Certificate, clock: Clock) -> None:
    response = _use_up(lambda: client.get("/api/v1/certificates", params={"number": "x"}))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert "quá nhanh" in response.json()["detail"]
    assert client.get(f"/api/v1/certificates/{cert_2023.code}").status_code == 429
    assert client.get("/api/v1/products").status_code == 200  # search has no lookup limit


def test_a_certificate_number_stays_on_one_line_unless_too_long_for_a_phone() -> None:
    from app.web.templating import unbroken  # noqa: PLC0415 - the filter alone
    assert str(unbroken("101/QĐ-UBND")) == '<span class="nobr">101/QĐ-UBND</span>'
    assert str(unbroken("<b>1")) == '<span class="nobr">&lt;b&gt;1</span>'  # escaped
    assert unbroken("X" * 40) == "X" * 40  # too long for a phone's line: it may wrap
