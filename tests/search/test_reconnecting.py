"""The site starts and serves while the engine cannot be opened or stops answering, and picks it up
in the background when it can."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.models import OutboxEvent
from search.embedded import EmbeddedEngine
from search.engine import SearchEngine, SearchQuery, SearchUnavailable, SearchUnreachable
from search.meili import MeiliEngine
from search.reconnecting import ReconnectingEngine
from tests.factories import make_product
from tests.pg import free_port

QUERY = SearchQuery(today=date(2026, 11, 21))


def wait_for(condition: Callable[[], bool], *, timeout_s: float = 10.0) -> None:
    """Poll `condition` until it holds; fail when the deadline passes first."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.01)


def test_broken_index_is_retried_in_the_background_and_then_used(tmp_path: Path) -> None:
    index = tmp_path / "search.sqlite3"
    index.write_bytes(b"not a database " * 100)
    attempts: list[Path] = []

    def opener() -> SearchEngine:
        attempts.append(index)
        return EmbeddedEngine(index)

    engine = ReconnectingEngine(opener, retry_after_s=0.05)
    assert not engine.connect()
    assert "not a database" in engine.reason
    with pytest.raises(SearchUnavailable):
        engine.search(QUERY)  # answered at once from what is known, never by opening
    index.unlink()  # the operator removes the broken file
    wait_for(lambda: engine.reason == "")  # the background retry opened it, no request needed
    assert engine.search(QUERY).total == 0 and len(attempts) >= 2
    engine.close()
    with pytest.raises(SearchUnavailable):
        engine.search(QUERY)


def test_an_engine_that_stops_answering_is_dropped_and_no_request_waits_for_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there: every request is refused
    opened: list[MeiliEngine] = []

    def opener() -> SearchEngine:
        opened.append(MeiliEngine(url, ""))  # no health check: it opens, then fails on use
        return opened[-1]

    engine = ReconnectingEngine(opener, retry_after_s=60)
    assert engine.connect() and engine.reason == ""
    with pytest.raises(SearchUnreachable, match="refused"):
        engine.search(QUERY)
    assert "refused" in engine.reason
    for _ in range(3):
        with pytest.raises(SearchUnavailable) as caught:
            engine.upsert([])
        assert not isinstance(caught.value, SearchUnreachable)  # from memory, not from the server
    assert len(opened) == 1  # requests never reopen it; the background retry comes after 60 s
    engine.close()


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


def test_a_failed_catch_up_neither_stops_the_start_nor_the_engine(tmp_path: Path) -> None:
    """Two replicas filling one new index at once: the loser's swap check fails; it must still start."""
    engine = EmbeddedEngine(tmp_path / "index.sqlite3")

    def catch_up(opened: SearchEngine) -> None:
        raise SearchUnavailable("Meilisearch: swap task 42 did not put the new index in place")

    search = ReconnectingEngine(lambda: engine, on_open=catch_up)
    try:
        assert search.connect() is True
        assert search.search(SearchQuery(today=date(2026, 12, 6))).total == 0  # served by the engine
    finally:
        search.close()
