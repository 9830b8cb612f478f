"""The site starts and serves while the engine cannot be opened, and picks it up when it can."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.models import OutboxEvent
from search.embedded import EmbeddedEngine
from search.engine import SearchEngine, SearchQuery, SearchUnavailable
from search.reconnecting import ReconnectingEngine
from tests.factories import make_product

QUERY = SearchQuery(today=date(2026, 11, 21))


class Clock:
    """A clock the test moves by hand (time is an input here, not something to wait for)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_broken_index_is_retried_after_the_pause_and_then_used(tmp_path: Path) -> None:
    index = tmp_path / "search.sqlite3"
    index.write_bytes(b"not a database " * 100)
    clock = Clock()

    def opener() -> SearchEngine:
        return EmbeddedEngine(index)

    engine = ReconnectingEngine(opener, retry_after_s=30, clock=clock)
    assert not engine.connect()
    assert "not a database" in engine.reason
    index.unlink()  # the operator removes the broken file
    with pytest.raises(SearchUnavailable):
        engine.search(QUERY)  # still inside the pause: no new attempt
    clock.now = 31
    assert engine.search(QUERY).total == 0 and engine.reason == ""
    engine.close()
    with pytest.raises(SearchUnavailable):
        engine.search(QUERY)


def test_site_starts_with_a_broken_index_and_lists_from_the_database(settings: Settings) -> None:
    settings.search_index_path.write_bytes(b"garbage " * 500)
    with TestClient(create_app(settings)) as client:
        catalog = client.get("/san-pham")
        api = client.get("/api/v1/products")
        home = client.get("/")
    assert catalog.status_code == 200 and "cơ sở dữ liệu" in catalog.text
    assert api.status_code == 200 and api.json()["notice"]
    assert home.status_code == 200


def test_start_up_indexes_what_was_written_while_the_site_was_down(settings: Settings,
                                                                    session: Session) -> None:
    make_product(session, name="Nước mắm Thái An", province_slug="gia-lai", certified_in="binh-dinh")
    session.commit()
    assert session.exec(select(OutboxEvent)).all()
    with TestClient(create_app(settings)) as client:
        body = client.get("/api/v1/products", params={"q": "nuoc mam thai an"}).json()
    assert [hit["name"] for hit in body["hits"]] == ["Nước mắm Thái An"] and body["notice"] is None
    session.expire_all()
    assert session.exec(select(OutboxEvent)).all() == []
