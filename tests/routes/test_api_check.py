"""POST /api/v1/certificates/check: a list answered in order, with the page's statuses; 422s, 429, OpenAPI."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.api.schemas import ApiError, CheckResponse
from app.web.rate_limit import SiteLimits
from tests.routes.test_verify import on_day
from tests.services.bulk_data import Catalog, make_catalog

URL = "/api/v1/certificates/check"
TODAY = date(2026, 11, 1)


@pytest.fixture
def catalog(client: TestClient, session: Session) -> Catalog:
    """Certificates of every status on TODAY, the app's today set to it."""
    on_day(client, TODAY)
    return make_catalog(session)


def test_answers_in_order_with_the_pages_statuses(client: TestClient, catalog: Catalog) -> None:
    items = [*reversed(catalog.codes), "zzzz-zzzz", catalog.number, "nuoc mam", "Vải thiều sấy khô"]
    response = client.post(URL, json={"items": items})
    assert response.status_code == 200
    results = CheckResponse.model_validate(response.json()).results
    assert [r.input for r in results] == items
    expected = [{"expiring": "valid"}.get(s, s) for _, s in reversed(catalog.expected)]
    assert [r.status for r in results[:10]] == expected
    assert [r.status for r in results[10:]] == ["not_found", "valid", "ambiguous", "valid"]
    expiring = results[9]  # the first code, valid until 31/12/2026
    assert expiring.days_left == 60 and expiring.valid_until == date(2026, 12, 31)
    assert expiring.product == "Vải thiều sấy khô" and expiring.matched_by == "code"
    assert expiring.code is not None and expiring.code.replace("-", "") == catalog.codes[0]
    revoked = results[6]
    assert revoked.revoked_on == date(2025, 2, 1) and revoked.revoked_reason == "Giả mạo hồ sơ"
    assert results[11].matched_by == "number" and results[11].number == catalog.number
    assert len(results[12].candidates) == 2 and results[12].code is None
    assert {c.producer for c in results[12].candidates} == {"HTX Cá cơm Phú Quốc", "Cơ sở Nước mắm Cát Hải"}


@pytest.mark.parametrize("body", [{"items": []}, {"items": ["x"] * 5001}, {"items": ["a" * 201]}, {},
                                  {"items": "K7QM4XRT"}, {"items": [1]}])
def test_malformed_bodies_are_422_in_the_api_shape(client: TestClient, body: object) -> None:
    response = client.post(URL, json=body)
    assert response.status_code == 422
    error = ApiError.model_validate(response.json())
    assert error.errors and error.errors[0].field.startswith("body")


def test_five_thousand_items_are_accepted(client: TestClient, catalog: Catalog) -> None:
    items = (catalog.codes * 500)[:5000]
    response = client.post(URL, json={"items": items})
    assert response.status_code == 200 and len(response.json()["results"]) == 5000


def test_rate_limited_with_retry_after(client: TestClient, catalog: Catalog) -> None:
    client.app.state.limits = SiteLimits()  # type: ignore[attr-defined]
    for _ in range(SiteLimits.BULK_CHECKS_PER_HOUR):
        assert client.post(URL, json={"items": [catalog.codes[0]]}).status_code == 200
    refused = client.post(URL, json={"items": [catalog.codes[0]]})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    ApiError.model_validate(refused.json())


def test_openapi_documents_the_check(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][URL]["post"]
    assert {"200", "422", "429", "413"} <= operation["responses"].keys()
    assert "days_left" in operation["description"] and "90" in operation["description"]
    assert operation["requestBody"]["required"] is True
