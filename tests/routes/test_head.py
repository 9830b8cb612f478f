"""HEAD on every GET route of the app (RFC 9110 §9.3.2): the GET's status and headers, no body.

The routes are walked from the assembled app, so a new page is covered the day it is added;
parameterised paths are filled from seeded data (a product, its producer, certificate and round).
"""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Certificate, Producer, RoundCall, SelectionRound, WatchList, utcnow
from tests.factories import make_product, province
from tests.routes.walk import app_routes

# Headers that differ between any two requests, GET or HEAD: the clock, the CSP's script nonce.
PER_REQUEST = {"date", "content-security-policy", "set-cookie"}


def _values(session: Session) -> dict[str, str]:
    """A concrete value for each path parameter name (and per path prefix where names repeat)."""
    product = make_product(session, name="Nón lá Huế", province_slug="hue", issued_on=date(2024, 5, 1))
    selection_round = SelectionRound(level="tinh", year=2024, province_id=province(session, "hue").id,
                                     decision_number="1/QĐ", decision_date=date(2024, 5, 1))
    session.add(selection_round)
    session.flush()
    assert selection_round.id is not None
    session.add(RoundCall(round_id=selection_round.id, opens_on=date(2024, 3, 1), closes_on=date(2024, 4, 1)))
    watch = WatchList(feed_key="k" * 32, email="nguoi.mua@example.vn", confirmed_at=utcnow())
    session.add(watch)
    session.commit()
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    producer = session.get(Producer, product.producer_id)
    assert producer is not None
    return {"slug": product.slug, "/co-so/{slug}": producer.slug, "/tinh/{slug}": "hue", "code": cert.code,
            "kind": "csv", "number": "1", "round_id": str(selection_round.id), "product_id": str(product.id),
            "certificate_id": str(cert.id), "batch_id": "1", "image_id": "1", "report_id": "1",
            "token": "0" * 32, "feed_key": watch.feed_key, "claim_id": "1",
            "application_id": "1", "file_id": "1", "table": "nam-cap", "correction_id": "1",
            "name": "cnnt-san-pham-2026-12.csv", "card": "tea.vi"}


def get_paths(client: TestClient, values: dict[str, str]) -> list[str]:
    """Every GET route of the app as a concrete path."""
    paths = []
    for route in app_routes(client.app):  # type: ignore[arg-type]
        if "GET" in route.methods:
            fill = lambda m, p=route.path: values.get(p, values[m[1]])  # noqa: E731 - one-line filler
            paths.append(re.sub(r"\{(\w+)\}", fill, route.path))
    return paths


def test_head_answers_every_get_route_with_its_headers(client: TestClient, session: Session) -> None:
    paths = get_paths(client, _values(session))
    assert {"/", "/feeds/moi.atom", "/sitemap.xml", "/openapi.json"} <= set(paths) and len(paths) > 30
    problems = []
    for path in paths:
        for encoding in ("identity", "gzip, br, zstd"):
            got = client.get(path, follow_redirects=False, headers={"Accept-Encoding": encoding})
            head = client.head(path, follow_redirects=False, headers={"Accept-Encoding": encoding})
            # Compressed, a page with a fresh token or nonce varies in length from one GET to the next.
            varies = PER_REQUEST | ({"content-length"} if encoding != "identity" else set())
            same = {k: v for k, v in got.headers.items() if k not in varies}
            head_headers = {k: v for k, v in head.headers.items() if k not in varies}
            if head.status_code != got.status_code or head.content or head_headers != same:
                problems.append(f"{path} ({encoding}): GET {got.status_code}, HEAD {head.status_code} "
                                f"{set(same.items()) ^ set(head_headers.items())}")
    assert not problems, "\n".join(problems)


def test_head_of_the_qr_image_and_feed_is_not_405(client: TestClient, session: Session) -> None:
    values = _values(session)
    for path in ("/", f"/ma/{values['code']}/qr.svg", "/feeds/moi.atom", "/sitemap.xml"):
        response = client.head(path)
        assert response.status_code == 200 and response.content == b"", path
        assert int(response.headers["content-length"]) > 0
