"""/metrics for Prometheus: request and search latency, database fallbacks, the outbox backlog.

Real app, real requests, the real embedded engine (stopped by closing it, as the outage tests
do), and the scrape read back with prometheus-client's own parser. Metrics are per process and
shared by every app a test builds, so each test compares a count before and after what it does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from pydantic import ValidationError
from sqlmodel import Session, select

from app.config import PROJECT_DIR, Settings
from app.main import create_app
from app.metrics import MULTIPROC_ENV, multiprocess_dir, scrape
from app.models import OutboxEvent
from app.web.metrics import client_may_scrape
from search.factory import engine_name
from search.indexer import apply_outbox
from tests.factories import make_product

LOOPBACK = ("127.0.0.1", 50000)
REQUESTS = "cnnt_http_request_duration_seconds"
SEARCHES = "cnnt_search_duration_seconds"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app, asked from the loopback address (the test client's default host is no address)."""
    with TestClient(create_app(settings), client=LOOPBACK) as c:
        yield c


def samples(client: TestClient) -> list[Sample]:
    """Every sample of one scrape of /metrics, parsed as Prometheus would."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return [s for family in text_string_to_metric_families(response.text) for s in family.samples]


def value(found: list[Sample], name: str, **labels: str) -> float:
    """The sample `name` with exactly these labels (0 when there is none yet)."""
    return next((s.value for s in found if s.name == name and s.labels == labels), 0.0)


def request_count(client: TestClient, route: str, status: str = "2xx", method: str = "GET") -> float:
    """How many requests the histogram holds for this route template, method and status class."""
    return value(samples(client), f"{REQUESTS}_count", route=route, method=method, status=status)


def search_count(client: TestClient, engine: str) -> float:
    """How many searches the histogram holds for `engine`."""
    return value(samples(client), f"{SEARCHES}_count", engine=engine)


def fallbacks(client: TestClient) -> float:
    """The database-fallback counter."""
    return value(samples(client), "cnnt_search_fallback_total")


def test_scrape_is_prometheus_text_with_every_metric(client: TestClient) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    assert families[REQUESTS].type == "histogram" and families[SEARCHES].type == "histogram"
    assert families["cnnt_search_fallback"].type == "counter"
    assert families["cnnt_outbox_backlog"].type == "gauge"
    healthz = [s for s in families[REQUESTS].samples if s.labels.get("route") == "/healthz"]
    assert {s.name for s in healthz} == {f"{REQUESTS}_bucket", f"{REQUESTS}_count", f"{REQUESTS}_sum"}


def test_product_page_is_counted_under_its_route_template(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Nón lá Phú Cam", province_slug="hue")
    session.commit()
    before = request_count(client, "/san-pham/{slug}")
    assert client.get(f"/san-pham/{product.slug}").status_code == 200
    assert client.get(f"/en/san-pham/{product.slug}").status_code == 200  # the English twin: same route
    assert request_count(client, "/san-pham/{slug}") == before + 2
    labels = {v for s in samples(client) for v in s.labels.values()}
    assert not any(product.slug in v for v in labels)


def test_unknown_paths_and_methods_share_one_label(client: TestClient) -> None:
    probe = f"/wp-admin-{uuid4().hex}"
    before = request_count(client, "unmatched", status="4xx")
    before_other = request_count(client, "/healthz", status="4xx", method="other")
    assert client.get(probe).status_code == 404
    assert client.request("PROPFIND", "/healthz").status_code == 405
    assert request_count(client, "unmatched", status="4xx") == before + 1
    assert request_count(client, "/healthz", status="4xx", method="other") == before_other + 1
    assert not any(probe in v for s in samples(client) for v in s.labels.values())


def test_catalog_and_api_searches_are_timed_under_the_embedded_engine(client: TestClient) -> None:
    before, fallen = search_count(client, "embedded"), fallbacks(client)
    assert client.get("/san-pham", params={"q": f"gom {uuid4().hex}"}).status_code == 200
    assert client.get("/api/v1/products", params={"q": f"non {uuid4().hex}"}).status_code == 200
    assert search_count(client, "embedded") == before + 2
    assert fallbacks(client) == fallen


def test_the_engine_label_follows_the_settings() -> None:
    assert engine_name(Settings(_env_file=None, meili_url="")) == "embedded"
    assert engine_name(Settings(_env_file=None, meili_url="http://127.0.0.1:7700")) == "meilisearch"


def test_an_engine_outage_counts_each_answer_from_the_database(client: TestClient) -> None:
    before, database = fallbacks(client), search_count(client, "database")
    client.app.state.search.close()  # type: ignore[attr-defined]  # as tests/routes/test_outage.py stops it
    assert client.get("/san-pham").status_code == 200
    assert client.get("/api/v1/products", params={"q": "gom"}).status_code == 200
    assert fallbacks(client) == before + 2
    assert search_count(client, "database") == database + 2


def outbox_rows(session: Session) -> int:
    """Outbox rows waiting, counted here independently of the app."""
    return int(session.exec(select(sa.func.count()).select_from(OutboxEvent)).one())


def test_outbox_backlog_gauge_is_the_rows_waiting_when_scraped(client: TestClient, session: Session) -> None:
    assert value(samples(client), "cnnt_outbox_backlog") == 0
    product = make_product(session, name="Gốm Bát Tràng", province_slug="ha-noi")
    session.add_all(OutboxEvent(product_id=product.id) for _ in range(4))
    session.commit()
    waiting = outbox_rows(session)
    assert waiting >= 5 and value(samples(client), "cnnt_outbox_backlog") == waiting
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
    assert value(samples(client), "cnnt_outbox_backlog") == 0


@pytest.mark.parametrize("host", ["203.0.113.7", "10.1.2.3", "192.168.1.20", "testclient"])
def test_other_clients_get_not_found(settings: Settings, host: str) -> None:
    with TestClient(create_app(settings), client=(host, 50000)) as outsider:
        response = outsider.get("/metrics")
        assert response.status_code == 404
        assert "cnnt_" not in response.text
        assert outsider.get("/healthz").status_code == 200  # only the metrics are withheld


def test_a_private_network_can_be_allowed(settings: Settings) -> None:
    allowed = settings.model_copy(update={"metrics_allow": "10.0.0.0/8, fd00::/8"})
    with TestClient(create_app(allowed), client=("10.1.2.3", 50000)) as prometheus:
        assert prometheus.get("/metrics").status_code == 200
    with TestClient(create_app(allowed), client=LOOPBACK) as local:  # the list replaces the default
        assert local.get("/metrics").status_code == 404


def test_an_empty_allow_list_refuses_everyone(settings: Settings) -> None:
    closed = settings.model_copy(update={"metrics_allow": ""})
    with TestClient(create_app(closed), client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 404


def test_metrics_have_no_english_twin_and_no_place_in_the_api_schema(client: TestClient) -> None:
    assert client.get("/en/metrics").status_code == 404
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False), ("::ffff:10.0.0.1", False), ("2001:db8::1", False), ("localhost", False),
    ("", False), (None, False),
])
def test_default_allow_list_is_loopback_only(host: str | None, allowed: bool) -> None:
    assert client_may_scrape(host, Settings(_env_file=None)) is allowed


@pytest.mark.parametrize("bad", ["127.0.0.1/33", "loopback", "10.0.0.1/8"])
def test_a_malformed_allow_list_stops_start_up(bad: str) -> None:
    with pytest.raises(ValidationError, match="metrics_allow"):
        Settings(_env_file=None, metrics_allow=bad)


RECORD = "from app.metrics import observe_fallback, observe_search; observe_search('embedded', 0.01); " \
         "observe_fallback(0.2)"


def in_process(code: str, env: dict[str, str]) -> str:
    """Run `code` in a fresh Python (as a uvicorn worker is); its standard output."""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def test_workers_sharing_a_multiprocess_folder_are_scraped_as_one(tmp_path: Path) -> None:
    env = {**os.environ, MULTIPROC_ENV: str(tmp_path), "PYTHONPATH": str(PROJECT_DIR)}
    for _ in range(2):  # two workers, each recording a search and a fallback, then exiting
        in_process(RECORD, env)
    text = in_process("import sys; from app.metrics import scrape; sys.stdout.write(scrape().decode())", env)
    found = [s for family in text_string_to_metric_families(text) for s in family.samples]
    assert value(found, f"{SEARCHES}_count", engine="embedded") == 2
    assert value(found, f"{SEARCHES}_count", engine="database") == 2
    assert value(found, "cnnt_search_fallback_total") == 2


def test_serve_prepares_the_multiprocess_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    with multiprocess_dir(1):  # one worker: the plain registry
        assert MULTIPROC_ENV not in os.environ
    with multiprocess_dir(4):  # several: a temporary folder, gone when the server stops
        folder = Path(os.environ[MULTIPROC_ENV])
        assert folder.is_dir()
    assert not folder.exists() and MULTIPROC_ENV not in os.environ
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"last run")
    (given / "keep.txt").write_text("not ours")
    monkeypatch.setenv(MULTIPROC_ENV, str(given))
    with multiprocess_dir(4):  # a folder of one's own: emptied of the last run's samples
        assert sorted(p.name for p in given.iterdir()) == ["keep.txt"]
        assert os.environ[MULTIPROC_ENV] == str(given)


def test_plain_scrape_outside_multiprocess_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    names = {f.name for f in text_string_to_metric_families(scrape().decode())}
    assert {"cnnt_search_duration_seconds", "process_cpu_seconds"} <= names  # this process's registry
