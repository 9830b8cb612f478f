"""Schemathesis against the app's own OpenAPI schema (scratch)."""

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
from app.rate_limit import SiteLimits
from search.indexer import apply_outbox
from tests.factories import add_certificate, make_product

CONFIG = {
    "seed": 6,
    "generation": {"max-examples": 500, "deterministic": True, "database": "none"},
}


def _openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cnnt-openapi-") as data_dir:
        return create_app(Settings(data_dir=Path(data_dir))).openapi()


schema = schemathesis.openapi.from_dict(_openapi_document(), config=SchemathesisConfig.from_dict(CONFIG))


@pytest.fixture
def api_app(settings: Settings, session: Session) -> Iterator[FastAPI]:
    app = create_app(settings)
    with TestClient(app) as client:
        banh = make_product(session, name="Bánh tráng", province_slug="vinh-long", certified_in="tra-vinh",
                            level="quoc_gia", issued_on=date(2023, 12, 1), number="3116/QĐ-BCT-07")
        add_certificate(session, banh, level="tinh", issued_on=date(2021, 5, 1), certified_in="tra-vinh")
        make_product(session, name="Dao rèn", group="co_khi", province_slug="da-nang",
                     revoked_on=date(2025, 1, 10))
        session.commit()
        apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
        yield app


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api(case: schemathesis.Case, api_app: FastAPI) -> None:
    api_app.state.limits = SiteLimits()
    case.call_and_validate(app=api_app)
