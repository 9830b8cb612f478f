"""Operators' probes: /healthz answers while the process runs; /readyz says whether it can serve."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

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
