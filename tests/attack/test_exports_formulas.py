"""Exports of hostile data: spreadsheet formulas reach Excel as text, the JSON keeps the raw text.

A cell starting with = + - @ (or tab, CR) would run as a formula in Excel or LibreOffice
(CSV formula injection); every such cell of the CSV and XLSX downloads starts with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.config import Settings
from app.services.catalog.exports import COLUMNS
from search.indexer import apply_outbox
from tests.attack.poison import FORMULA_CELLS, FORMULA_ROW, XSS_ROW, Poisoned, poison
from tests.factories import make_producer, make_product

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TAB_NAME, CR_PRODUCER = "\t=1+1 trà", "\r@SUM(1) HTX"


@pytest.fixture
def poisoned(client: TestClient, session: Session, settings: Settings) -> Poisoned:
    """The hostile catalog, and a product stored with a leading tab and CR (as older data may be)."""
    found = poison(client, session, settings)
    producer = make_producer(session, name=CR_PRODUCER, province_slug="ha-noi")
    make_product(session, name=TAB_NAME, producer=producer, province_slug="ha-noi")
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
    return found


def _csv_rows(client: TestClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(client: TestClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{path}: formula cell {cell.coordinate} = {cell.value!r}"
    header = [str(c.value) for c in rows[0]]
    return [dict(zip(header, ["" if c.value is None else str(c.value) for c in row], strict=True))
            for row in rows[1:]]


def _assert_neutralised(rows: list[dict[str, str]], where: str) -> None:
    """No cell starts a formula; the hostile values are there, each behind an apostrophe."""
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], where
    for formula in (*FORMULA_CELLS, TAB_NAME, CR_PRODUCER):
        assert f"'{formula}" in cells, f"{where}: {formula!r} missing or not neutralised"


def test_search_shortlist_and_open_data_spreadsheets_neutralise_formulas(
        client: TestClient, poisoned: Poisoned) -> None:
    chosen = f"chon={poisoned.formula_slug},{poisoned.product_slug},{poisoned.plain_slug}"
    found = client.get("/api/v1/products", params={"q": "trà", "province": "ha-noi"}).json()
    tab_slug = found["hits"][0]["slug"]
    for query in ("province=ha-noi", f"{chosen},{tab_slug}", "q=sum"):
        _assert_neutralised(_csv_rows(client, f"/san-pham.csv?{query}"), f"csv {query}")
        _assert_neutralised(_xlsx_rows(client, f"/san-pham.xlsx?{query}"), f"xlsx {query}")
    rows = _csv_rows(client, "/du-lieu-mo/cnnt-san-pham.csv")
    _assert_neutralised(rows, "open data csv")
    assert list(rows[0]) == list(COLUMNS)
    names = {row["Tên sản phẩm"] for row in rows}
    assert XSS_ROW["product_name"] in names  # HTML payloads are plain text in a spreadsheet: kept as typed


def test_open_data_json_keeps_the_raw_text(client: TestClient, poisoned: Poisoned) -> None:
    response = client.get("/du-lieu-mo/cnnt-san-pham.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    products = {p["slug"]: p for p in json.loads(response.content)}
    formula, hostile = products[poisoned.formula_slug], products[poisoned.product_slug]
    assert formula["name"] == FORMULA_ROW["product_name"]
    assert formula["producer"] == {"name": "+SUM(1,2)", "legal_form": "htx", "address": "-1+2",
                                   "phone": "@SUM(1) 0900", "email": "=1+1@vi-du.example",
                                   "website": "https://vi-du.example"}
    assert formula["certificates"][0]["number"] == "=1+2"
    assert hostile["name"] == XSS_ROW["product_name"]
    assert hostile["producer"]["name"] == XSS_ROW["producer_name"]
    assert {c["number"] for c in hostile["certificates"]} >= {XSS_ROW["certificate_number"]}
