"""The JSON-LD of product and producer pages validates against the schema.org vocabulary.

schema_org-py holds Pydantic models generated from schema.org itself (version 30.x): a property
the type does not have, a value of the wrong type or a malformed date fails validation, as on
validator.schema.org — offline. Strict mode is lifted only so JSON strings can stand for dates and
enumeration members, which is how JSON-LD writes them.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import schema_org
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.models import SelectionRound
from tests.factories import add_certificate, make_producer, make_product


def _graph(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, path
    scripts = BeautifulSoup(response.text, "html.parser").find_all("script", type="application/ld+json")
    assert len(scripts) == 1, path
    data = json.loads(scripts[0].string)
    assert data["@context"] == "https://schema.org"
    nodes: list[dict[str, Any]] = data["@graph"]
    return nodes


def _validate(node: dict[str, Any]) -> None:
    """Validate one top-level node against the schema.org model its @type names."""
    model = getattr(schema_org, node["@type"])
    model.model_validate_json(json.dumps(node), strict=False)


def _seed(session: Session) -> dict[str, str]:
    producer = make_producer(session, name="HTX Mây tre đan Phú Vinh", province_slug="ha-noi",
                             address="Xã Phú Nghĩa, Hà Nội", phone="0900 000 001 (ví dụ)",
                             email="lien-he@vi-du.example", website="https://vi-du.example")
    product = make_product(session, name="Giỏ mây đan", producer=producer, group="thu_cong_my_nghe",
                           description="Giỏ mây đan tay.", issued_on=date(2024, 6, 1))
    rnd = SelectionRound(level="quoc_gia", year=2025, organiser="Bộ Công Thương", decision_number="9/QĐ-BCT",
                         decision_date=date(2025, 11, 3))
    session.add(rnd)
    session.flush()
    national = add_certificate(session, product, level="quoc_gia", issued_on=date(2025, 11, 3))
    national.round_id = rnd.id
    add_certificate(session, product, level="huyen", issued_on=date(2023, 3, 1), revoked_on=date(2024, 1, 5))
    session.commit()
    return {"product": product.slug, "producer": producer.slug, "national": national.code}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_product_json_ld_is_valid_schema_org(client: TestClient, session: Session, prefix: str) -> None:
    """Product (with Certification and Organization nodes inside) and BreadcrumbList validate."""
    ids = _seed(session)
    nodes = _graph(client, f"{prefix}/san-pham/{ids['product']}")
    assert {n["@type"] for n in nodes} == {"Product", "BreadcrumbList"}
    for node in nodes:
        _validate(node)
    product = next(n for n in nodes if n["@type"] == "Product")
    assert product["manufacturer"]["@type"] == "Organization"
    certs = {c["certificationIdentification"].replace("-", ""): c for c in product["hasCertification"]}
    assert len(certs) == 3 and len(product["award"]) == 3
    national = certs[ids["national"]]
    assert national["certificationStatus"] == "https://schema.org/CertificationActive"
    assert national["issuedBy"] == {"@type": "Organization", "name": "Bộ Công Thương"}
    assert national["validFrom"] == "2025-11-03" and national["expires"] == "2028-12-31"
    assert national["url"].endswith(f"{prefix}/v/{ids['national']}")
    statuses = sorted(c["certificationStatus"].rsplit("/", 1)[1] for c in certs.values())
    assert statuses == ["CertificationActive", "CertificationActive", "CertificationInactive"]
    revoked = next(c for c in certs.values() if c["certificationStatus"].endswith("Inactive"))
    assert revoked["expires"] == "2024-01-05"  # the revocation ends it, not the printed validity


def test_producer_json_ld_is_valid_schema_org(client: TestClient, session: Session) -> None:
    """A producer's page carries its Organization (contacts as published) and a breadcrumb."""
    ids = _seed(session)
    nodes = _graph(client, f"/co-so/{ids['producer']}")
    for node in nodes:
        _validate(node)
    org = next(n for n in nodes if n["@type"] == "Organization")
    assert org["name"] == "HTX Mây tre đan Phú Vinh" and org["telephone"] == "0900 000 001 (ví dụ)"
    assert org["@id"].endswith(f"/co-so/{ids['producer']}#organization")


@pytest.mark.parametrize("broken", [
    {"@type": "Product", "name": "x", "certificateCode": "AB"},  # no such property
    {"@type": "Product", "name": "x", "manufacturer": {"@type": "Place", "name": "p"}},  # wrong type
    {"@type": "Product", "name": "x",
     "hasCertification": [{"@type": "Certification", "validFrom": "31/12/2027"}]},  # not an ISO date
])
def test_the_validator_rejects_what_schema_org_does_not_allow(broken: dict[str, Any]) -> None:
    """The check above can fail: misspelt properties, wrong node types and non-ISO dates are refused."""
    with pytest.raises(ValidationError):
        _validate(broken)
