"""Operators' probes: /healthz answers while the process runs; /readyz says whether it can serve.

The reverse proxy of the reference deployment keeps them, and /metrics, from the public.
"""

from __future__ import annotations

import re

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import PROJECT_DIR
from app.models import OutboxEvent
from app.services.upkeep.readiness import OUTBOX_BACKLOG_LIMIT
from tests.factories import make_product


def test_healthz_answers_without_asking_any_store(client: TestClient) -> None:
    client.app.state.search.close()  # type: ignore[attr-defined]
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_is_ready_with_both_stores_answering(client: TestClient, session: Session) -> None:
    make_product(session, name="Nón lá Phú Cam", province_slug="hue")
    session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready" and body["database"] == "ok" and body["search"] == "ok"
    assert body["outbox_backlog"] == 1 and body["outbox_backlog_limit"] == OUTBOX_BACKLOG_LIMIT


def test_readyz_reports_the_database_fallback_when_search_is_down(client: TestClient) -> None:
    client.app.state.search.close()  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["search"] == "fallback" and body["database"] == "ok" and body["search_problem"]
    assert client.get("/san-pham").status_code == 200  # the site itself still serves, from the database


def test_readyz_is_not_ready_while_indexing_falls_behind(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Gốm Bát Tràng", province_slug="ha-noi")
    session.add_all(OutboxEvent(product_id=product.id) for _ in range(OUTBOX_BACKLOG_LIMIT + 1))
    session.commit()
    body = client.get("/readyz").json()
    assert body["status"] == "not ready" and body["outbox_backlog"] > OUTBOX_BACKLOG_LIMIT


def test_probes_have_no_english_twin_and_no_place_in_the_api_schema(client: TestClient) -> None:
    assert client.get("/en/healthz").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" not in paths and "/readyz" not in paths


def nginx_refusals() -> list[re.Pattern[str]]:
    """The `location ~ REGEX { return 404; }` rules of the nginx config in docker-compose.yml."""
    compose = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
    conf = compose["configs"]["nginx_conf"]["content"]
    return [re.compile(rule) for rule in re.findall(r"location ~ (\S+) \{ return 404; \}", conf)]


@pytest.mark.parametrize(("path", "refused"), [
    ("/healthz", True), ("/readyz", True), ("/metrics", True),
    ("/", False), ("/san-pham/metrics", False), ("/api/v1/products", False),
])
def test_nginx_answers_404_for_the_operators_paths(path: str, refused: bool) -> None:
    """nginx matches locations on the normalized path (decoded, slashes merged), as here."""
    assert any(rule.search(path) for rule in nginx_refusals()) is refused
