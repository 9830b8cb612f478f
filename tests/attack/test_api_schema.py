"""Schemathesis against the API's own OpenAPI schema, in-process (ASGI), on a small seeded catalog.

Every default check runs (server errors, status codes, content types, response schemas, headers,
schema-valid data accepted, schema-invalid data rejected, undeclared methods answered 405 with
`Allow`). Generation is deterministic and bounded, so the run costs the same every time.

The schema is loaded at collection from the app itself (the document /openapi.json serves; a
test below checks they are the same), because schemathesis' lazy `from_fixture` loader does not
run under pytest 9; each generated case is then sent to the test's own app and database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.services.api.schemas import ApiError
from app.web.rate_limit import SiteLimits
from tests.attack.poison import PLAIN_ROW, import_rows
from tests.factories import make_product
from tests.services.sheets import jpeg_bytes, row

EXAMPLES_PER_OPERATION = 60
CONFIG = SchemathesisConfig.from_dict({
    "seed": 20251121,
    "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none"},
})


def _openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document; describing the API needs no database, only a place for media."""
    with tempfile.TemporaryDirectory(prefix="cnnt-openapi-") as data_dir:
        return create_app(Settings(data_dir=Path(data_dir))).openapi()


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@pytest.fixture
def api_app(settings: Settings, session: Session) -> Iterator[FastAPI]:
    """The app on a small catalog: imported rows with a photo, a regional round, a revoked certificate."""
    app = create_app(settings)
    with TestClient(app) as client:
        regional = row(product_name="Nón lá Chuông", producer_name="HTX Nón Chuông", province="Hà Nội",
                       level="khu_vuc", region="phía Bắc", issued_on="20/11/2024", images="non.jpg")
        import_rows(client, session, settings, [row(), regional, PLAIN_ROW], photos={"non.jpg": jpeg_bytes()})
        make_product(session, name="Dao rèn Phước Sơn", group="co_khi", province_slug="da-nang",
                     revoked_on=date(2025, 1, 10))
        session.commit()
        yield app


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # read-only GETs: sharing is safe
def test_api_conforms_to_its_schema(case: schemathesis.Case, api_app: FastAPI) -> None:
    api_app.state.limits = SiteLimits()  # each case gets the lookup allowance a visitor has
    case.call_and_validate(app=api_app)


def test_real_records_conform_to_the_schema(api_app: FastAPI) -> None:
    """Generated slugs and codes rarely exist: the catalog's own ones check the 200 answers."""
    with TestClient(api_app) as client:
        served = client.get("/openapi.json").json()
        assert served == DOCUMENT and all(path.startswith("/api/v1/") for path in served["paths"])
        hits = client.get("/api/v1/products?per_page=100").json()["hits"]
        details = [client.get(f"/api/v1/products/{hit['slug']}").json() for hit in hits]
    certificates = [c for detail in details for c in detail["certificates"]]
    assert len(hits) == 4 and any(detail["images"] for detail in details)
    search, product = schema["/api/v1/products"]["GET"], schema["/api/v1/products/{slug}"]["GET"]
    by_code, by_number = schema["/api/v1/certificates/{code}"]["GET"], schema["/api/v1/certificates"]["GET"]
    cases = [search.Case(query={"q": "nón", "province": ["ha-noi"], "sort": "name"}),
             search.Case(query={"updated_since": "2000-01-01T00:00:00+07:00"})]
    cases += [product.Case(path_parameters={"slug": hit["slug"]}) for hit in hits]
    cases += [by_code.Case(path_parameters={"code": c["code"]}, query={"on": "2030-01-01"})
              for c in certificates]
    cases += [by_number.Case(query={"number": c["number"]}) for c in certificates if c["number"]]
    for case in cases:
        api_app.state.limits = SiteLimits()
        response = case.call_and_validate(app=api_app)
        assert response.status_code == 200, case.path


def test_every_api_operation_documents_the_long_url_refusal(client: TestClient) -> None:
    """A URL over 16 KiB is refused before routing, on every path: the schema says so, with its body."""
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            assert "414" in operation["responses"], (method, path)
    response = client.get("/api/v1/products", params={"q": "bánh " * 4000})
    assert response.status_code == 414
    ApiError.model_validate(response.json())
