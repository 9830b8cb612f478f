"""Two `cnnt serve` processes on one PostgreSQL and one Meilisearch: both start, and a write through
one is seen by the other.

The scale-out in DESIGN.md: app processes share no memory, only the database and the engine.
An office revokes a certificate through process A's real admin route; process B's very next
requests (the verification page, the product page, the catalog filtered on `status=valid`,
its htmx fragment and the JSON API) already say so, though B had just answered each of them
with the certificate still valid: nothing B keeps in its own memory (rendered catalog pages,
API bodies, search results) or hands to a browser (an ETag) may outlive the revocation.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app.config import Settings
from app.domain.validity import today_in
from app.models import Certificate, OutboxEvent
from search.engine import SearchEngine
from search.factory import SearchConfigurationError, open_search_engine
from tests.conftest import new_postgres_database
from tests.crash.helpers import serving
from tests.factories import TEST_PASSWORD, make_product, make_user
from tests.meili import MeiliServer
from tests.search.test_contract import _drop_indexes

pytestmark = pytest.mark.meili
HX = {"HX-Request": "true"}


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, postgres_base_url: str) -> str:
    """PostgreSQL only: the database several app processes share in production."""
    return new_postgres_database(postgres_base_url)


@pytest.fixture
def shared_settings(settings: Settings, meili_server: MeiliServer) -> Iterator[Settings]:
    """The test's database and a fresh index on the session's server, as both processes see them."""
    index = f"two_sites_{uuid.uuid4().hex[:12]}"
    yield settings.model_copy(update={"meili_url": meili_server.url, "meili_key": meili_server.key,
                                      "meili_index": index, "secret_key": uuid.uuid4().hex,
                                      "data_dir": settings.data_dir / "data"})  # processes run in the parent
    _drop_indexes(meili_server.url, meili_server.key, [index])


def html(response: httpx.Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def text_of(response: httpx.Response, selector: str) -> str:
    """The squashed text of the first element matching `selector` ('' when none)."""
    node = html(response).select_one(selector)
    return " ".join(node.get_text(" ").split()) if node else ""


def slugs_on(response: httpx.Response) -> set[str]:
    """Product slugs of the catalog's result cards."""
    return {str(a["href"]).rsplit("/", 1)[-1] for a in html(response).select(".card__link")}


def csrf_token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the client's session, from a form on `path`."""
    field = html(client.get(path)).select_one('input[name="csrf_token"]')
    assert field is not None, path
    return str(field["value"])


def sign_in(client: httpx.Client, email: str) -> None:
    """Sign in through the real login form."""
    token = csrf_token(client, "/quan-ly/dang-nhap")
    response = client.post("/quan-ly/dang-nhap", data={"email": email, "password": TEST_PASSWORD,
                                                      "csrf_token": token})
    assert response.status_code == 303, response.text


def what_b_says(b: httpx.Client, *, slug: str, code: str) -> dict[str, object]:
    """Everything B answers about the product, one request each, as a visitor would ask it."""
    product_api = b.get(f"/api/v1/products/{slug}").json()
    valid = {"q": "gom", "status": "valid"}
    listed = b.get("/api/v1/products", params=valid).json()
    return {
        "verify": text_of(b.get(f"/v/{code}"), ".verdict__title"),
        "product page": text_of(b.get(f"/san-pham/{slug}"), ".timeline__item .status"),
        "catalog valid": slug in slugs_on(b.get("/san-pham", params=valid)),
        "fragment valid": slug in slugs_on(b.get("/san-pham", params=valid, headers=HX)),
        "api list valid": slug in {hit["slug"] for hit in listed["hits"]} and listed["notice"] is None,
        "api product": product_api["certificates"][0]["status"],
        "api certificate": b.get(f"/api/v1/certificates/{code}").json()["status"],
    }


VALID = {"verify": "Còn hiệu lực", "product page": "Còn hiệu lực", "catalog valid": True,
         "fragment valid": True, "api list valid": True, "api product": "valid", "api certificate": "valid"}
REVOKED = {"verify": "Đã thu hồi", "product page": "Đã thu hồi", "catalog valid": False,
           "fragment valid": False, "api list valid": False, "api product": "revoked",
           "api certificate": "revoked"}


def test_a_revocation_through_one_process_is_seen_by_the_other(shared_settings: Settings,
                                                               session: Session) -> None:
    settings, today = shared_settings, today_in(shared_settings.tz)
    crafts, year_ago = "thu_cong_my_nghe", today - timedelta(days=365)
    product = make_product(session, name="Gốm Bát Tràng men rạn", group=crafts, province_slug="ha-noi",
                           issued_on=year_ago)
    make_product(session, name="Gốm Phù Lãng", group=crafts, province_slug="bac-ninh", issued_on=year_ago)
    office = make_user(session, province_slug="ha-noi")
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    session.commit()

    with serving(settings, count=2) as (url_a, url_b), \
            httpx.Client(base_url=url_a, timeout=30) as a, httpx.Client(base_url=url_b, timeout=30) as b:
        assert session.exec(select(OutboxEvent)).all() == []  # the start-ups indexed the seed
        for _ in range(2):  # the second time from whatever B keeps
            assert what_b_says(b, slug=product.slug, code=cert.code) == VALID
        page = b.get(f"/san-pham/{product.slug}")
        etag = page.headers["etag"]
        assert b.get(f"/san-pham/{product.slug}", headers={"If-None-Match": etag}).status_code == 304

        sign_in(a, office.email)
        path = f"/quan-ly/giay-chung-nhan/{cert.id}"
        revoked = a.post(f"{path}/thu-hoi", data={"revoked_on": today.strftime("%d/%m/%Y"),
                                                  "reason": "Dùng nhãn sai quy định", "xac_nhan": "1",
                                                  "csrf_token": csrf_token(a, path)})
        assert revoked.status_code == 303, revoked.text

        assert what_b_says(b, slug=product.slug, code=cert.code) == REVOKED
        again = b.get(f"/san-pham/{product.slug}", headers={"If-None-Match": etag})
        assert again.status_code == 200 and "Đã thu hồi" in text_of(again, ".timeline__item")
    session.expire_all()
    assert session.exec(select(OutboxEvent)).all() == []  # A indexed its write before answering


def test_processes_starting_together_on_a_new_index_all_open_it(shared_settings: Settings) -> None:
    """Replicas start at once on an empty server: each finds no index and creates it; one creation
    fails with `index_already_exists`, which must not leave that process on the database fallback."""
    starting = threading.Barrier(3)
    opened: list[SearchEngine] = []
    refused: list[str] = []

    def start_up() -> None:
        starting.wait()
        try:
            opened.append(open_search_engine(shared_settings))
        except SearchConfigurationError as error:
            refused.append(str(error))

    replicas = [threading.Thread(target=start_up) for _ in range(3)]
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.join(timeout=60)
    for engine in opened:
        engine.close()
    assert refused == [] and len(opened) == 3
