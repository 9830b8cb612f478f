"""Past capacity, searches get a quick 503 "busy" while product and verification pages keep answering.

A real server (uvicorn in a thread, as the browser tests run it) with one search slot and a 0.2 s
queue. The slot is held by a search waiting on a really hung engine: this module's Meilisearch,
stopped with SIGSTOP (connections accepted, never answered), so that search waits for its client's
timeout (search.meili.SEARCH_TIMEOUT_S). No sleep decides the order: the test waits until /metrics
shows that search in flight, then sends the rest at once, and checks afterwards that it was still in
flight when they were answered.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
import uvicorn
from bs4 import BeautifulSoup
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, select

from app.config import Settings
from app.domain.validity import today_in
from app.main import create_app
from app.models import Certificate
from search.meili import SEARCH_TIMEOUT_S
from tests.factories import make_product
from tests.meili import MeiliProcess
from tests.pg import free_port

pytestmark = pytest.mark.meili

QUEUE_S = 0.2
BUSY_VI = "Có quá nhiều lượt tìm kiếm cùng lúc. Vui lòng thử lại sau vài giây."
Params = dict[str, str]


@pytest.fixture
def busy_settings(settings: Settings, meili: MeiliProcess) -> Settings:
    """The test's database, a fresh index on the module's server, one search slot, a short queue."""
    return settings.model_copy(update={
        "meili_url": meili.server.url, "meili_key": meili.server.key,
        "meili_index": f"busy_{uuid.uuid4().hex[:12]}", "search_retry_s": 0.2,
        "search_concurrency": 1, "search_queue_s": QUEUE_S,
    })


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """The app on a free loopback port, served from a background thread; its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def metric(base: str, name: str, kind: str = "search") -> float:
    """A sample of /metrics for the request class `kind` (0 when not there yet)."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return next((sample.value for family in text_string_to_metric_families(text) for sample in family.samples
                 if sample.name == name and sample.labels.get("kind") == kind), 0.0)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 10) -> None:
    """Poll `condition`; fail naming `what` when the deadline passes first."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:.0f} s"
        time.sleep(0.01)


def timed_get(base: str, path: str, params: Params | None = None) -> tuple[httpx.Response, float]:
    """GET on a connection of its own, with the seconds it took."""
    started = time.monotonic()
    response = httpx.get(f"{base}{path}", params=params, timeout=30)
    return response, time.monotonic() - started


def html(response: httpx.Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def text_of(soup: BeautifulSoup, selector: str) -> str:
    """The text of the first element matching `selector`."""
    found = soup.select_one(selector)
    assert found is not None, selector
    return found.get_text(" ", strip=True)


def assert_busy_page(response: httpx.Response, took: float, *, lang: str, title: str, retry: str) -> None:
    """A quick 503 page in `lang`, with Retry-After, never stored, whose retry link is the same URL."""
    assert response.status_code == 503, response.text
    assert took < QUEUE_S + 1.5, f"refused after {took:.2f} s"
    assert response.headers["retry-after"] == "2" and response.headers["cache-control"] == "no-store"
    page = html(response)
    assert page.html is not None and page.html["lang"] == lang
    assert text_of(page, "h1") == title
    assert page.select_one(f'a[href="{retry}"]') is not None
    assert "Traceback" not in response.text and len(response.content) < 4000


def test_searches_past_capacity_get_a_quick_503_while_pages_keep_answering(
        busy_settings: Settings, meili: MeiliProcess, session: Session) -> None:
    today = today_in(busy_settings.tz)
    bat_trang = make_product(session, name="Gốm Bát Tràng men rạn", group="thu_cong_my_nghe",
                             issued_on=today - timedelta(days=365))
    make_product(session, name="Nón lá làng Chuông", group="thu_cong_my_nghe",
                 issued_on=today - timedelta(days=30))
    code = session.exec(select(Certificate.code).where(Certificate.product_id == bat_trang.id)).one()
    session.commit()

    with live_server(busy_settings) as base:  # start-up indexed the products on the server
        assert timed_get(base, "/san-pham", {"q": "gom"})[0].status_code == 200
        refused_before = metric(base, "cnnt_busy_refused_total")
        meili.freeze()
        with ThreadPoolExecutor(max_workers=8) as pool:
            holder = pool.submit(timed_get, base, "/san-pham", {"q": "non la"})
            wait_for(lambda: metric(base, "cnnt_admission_in_flight") == 1, "the first search holds the slot")
            busy_vi = pool.submit(timed_get, base, "/san-pham", {"q": "bat trang"})
            busy_en = pool.submit(timed_get, base, "/en/san-pham", {"q": "bat trang", "page": "1"})
            busy_api = pool.submit(timed_get, base, "/api/v1/products", {"q": "bat trang"})
            meanwhile = {path: pool.submit(timed_get, base, path) for path in (
                f"/san-pham/{bat_trang.slug}", f"/en/san-pham/{bat_trang.slug}", f"/v/{code}",
                f"/api/v1/certificates/{code}", "/", "/san-pham.csv?q=gom")}
            answered = {path: future.result() for path, future in meanwhile.items()}
            refusals = busy_vi.result(), busy_en.result(), busy_api.result()
            # All of the above were answered while the first search still held the slot.
            assert metric(base, "cnnt_admission_in_flight") == 1, (
                f"the held search ended within {SEARCH_TIMEOUT_S} s: the machine was too slow for this test")
            meili.thaw()
            held, _ = holder.result()

        for path, (response, took) in answered.items():
            assert response.status_code == 200, (path, response.status_code)
            assert took < 5, f"{path} took {took:.1f} s"
        verdict = text_of(html(answered[f"/v/{code}"][0]), ".verdict__title")
        assert verdict == "Còn hiệu lực"
        (vi, vi_took), (en, en_took), (api, api_took) = refusals
        assert_busy_page(vi, vi_took, lang="vi", title="Hệ thống đang bận", retry="/san-pham?q=bat+trang")
        assert text_of(html(vi), ".error-page__message") == BUSY_VI
        assert_busy_page(en, en_took, lang="en", title="The site is busy",
                         retry="/en/san-pham?q=bat+trang&page=1")
        assert api.status_code == 503 and api_took < QUEUE_S + 1.5
        assert api.json() == {"detail": BUSY_VI} and api.headers["retry-after"] == "2"
        assert metric(base, "cnnt_busy_refused_total") == refused_before + 3

        assert held.status_code == 200  # the held search answered in the end (the engine or the fallback)
        wait_for(lambda: metric(base, "cnnt_admission_in_flight") == 0, "the slot is free again")
        again, _ = timed_get(base, "/san-pham", {"q": "bat trang"})  # the URL refused before: no 503 stored
        assert again.status_code == 200
        assert [a["href"] for a in html(again).select(".card__link")] == [f"/san-pham/{bat_trang.slug}"]
        listed = timed_get(base, "/api/v1/products", {"q": "bat trang"})[0]
        assert listed.status_code == 200 and [h["slug"] for h in listed.json()["hits"]] == [bat_trang.slug]
        assert metric(base, "cnnt_busy_refused_total") == refused_before + 3
