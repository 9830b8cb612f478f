"""Meilisearch keys on the real server: the site reads with a search-only key, writes with an
index-limited admin key, and never holds the master key (`cnnt search create-keys` makes both)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import date

import meilisearch
import pytest
from fastapi.testclient import TestClient
from meilisearch.errors import MeilisearchApiError
from sqlmodel import Session

from app.cli import run_create_keys, run_reindex
from app.config import Settings
from app.main import create_app
from search.engine import SearchQuery
from search.factory import SearchConfigurationError, open_search_engine
from search.meili import MeiliEngine
from search.meili_keys import SiteKeys
from tests.factories import make_product
from tests.meili import MeiliServer
from tests.search.contract_data import make_doc

pytestmark = pytest.mark.meili
TODAY = date(2025, 12, 31)


def master_client(server: MeiliServer) -> meilisearch.Client:
    """The test's own client with the master key: it creates and inspects, the site never does."""
    return meilisearch.Client(server.url, server.key)


def key_named(server: MeiliServer, name: str) -> str:
    """The value of one of the server's built-in keys (e.g. 'Default Admin API Key')."""
    return next(str(k.key) for k in master_client(server).get_keys({"limit": 100}).results if k.name == name)


@pytest.fixture
def index_uid(meili_server: MeiliServer) -> Iterator[str]:
    """A fresh index name; the index, any leftover rebuild index and keys made for it go afterwards."""
    uid = f"cnnt_keys_{uuid.uuid4().hex[:8]}"
    yield uid
    master = master_client(meili_server)
    for index in master.get_indexes({"limit": 1000})["results"]:
        if index.uid.startswith(uid):
            master.wait_for_task(master.delete_index(index.uid).task_uid, timeout_in_ms=30_000)
    for key in master.get_keys({"limit": 1000}).results:
        if key.name and key.name.endswith(f": {uid}"):
            master.delete_key(key.uid)


def create_keys(server: MeiliServer, index_uid: str) -> tuple[SiteKeys, list[str]]:
    """Run `cnnt search create-keys` with the master key; the keys it printed, and all it printed."""
    printed: list[str] = []
    settings = Settings(_env_file=None, meili_url=server.url, meili_index=index_uid)
    assert run_create_keys(settings, server.key, echo=printed.append, complain=pytest.fail) == 0
    values = dict(line.split("=", 1) for line in printed if not line.startswith("#"))
    assert set(values) == {"CNNT_MEILI_KEY", "CNNT_MEILI_SEARCH_KEY"}
    return SiteKeys(admin=values["CNNT_MEILI_KEY"], search=values["CNNT_MEILI_SEARCH_KEY"]), printed


def site_settings(server: MeiliServer, index_uid: str, keys: SiteKeys,
                  base: Settings | None = None) -> Settings:
    """`base` (default settings if None) for a site on the test server with the given keys."""
    return (base or Settings(_env_file=None)).model_copy(update={
        "meili_url": server.url, "meili_index": index_uid,
        "meili_key": keys.admin, "meili_search_key": keys.search})


def open_meili(settings: Settings) -> MeiliEngine:
    """The engine the site would open with these settings, which must be Meilisearch's."""
    engine = open_search_engine(settings)
    assert isinstance(engine, MeiliEngine)
    return engine


def test_create_keys_prints_env_lines_and_reuses_its_keys(meili_server: MeiliServer, index_uid: str) -> None:
    keys, printed = create_keys(meili_server, index_uid)
    assert printed[0].startswith("#") and "vừa tạo" in printed[0]
    assert printed[1:] == keys.env_lines()
    again, printed_again = create_keys(meili_server, index_uid)
    assert again == keys and "đã có" in printed_again[0]
    master = master_client(meili_server)
    admin, search = (master.get_key(key) for key in (keys.admin, keys.search))
    assert (admin.indexes, search.indexes) == ([index_uid, f"{index_uid}_next_*"], [index_uid])
    assert search.actions == ["search"] and "keys.get" not in admin.actions and "*" not in admin.actions
    assert meili_server.key not in (keys.admin, keys.search)


def test_create_keys_without_the_master_key_says_so(meili_server: MeiliServer) -> None:
    said: list[str] = []
    settings = Settings(_env_file=None, meili_url=meili_server.url)
    assert run_create_keys(settings, "", echo=pytest.fail, complain=said.append) == 1
    assert "MEILI_MASTER_KEY" in said[0]
    assert run_create_keys(settings, "not-the-master-key", echo=pytest.fail, complain=said.append) == 1
    assert "invalid_api_key" in said[1]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_site_with_the_created_keys_indexes_and_searches(
    meili_server: MeiliServer, index_uid: str, settings: Settings, session: Session,
) -> None:
    make_product(session, name="Bánh tráng Trảng Bàng")
    session.commit()
    keys, _ = create_keys(meili_server, index_uid)
    site = site_settings(meili_server, index_uid, keys, base=settings)
    said: list[str] = []
    assert run_reindex(site, echo=said.append) == 0, said  # a full reindex: new index, swap, delete
    with TestClient(create_app(site)) as client:
        answer = client.get("/api/v1/products", params={"q": "banh trang"}).json()
    assert answer["total"] == 1 and answer.get("notice") is None  # from Meilisearch, not the fallback
    engine = open_meili(site)
    try:
        assert engine.api_keys == (keys.admin, keys.search)
        assert meili_server.key not in engine.api_keys
        engine.upsert([make_doc(99, "Nón lá Chuông")])
        assert engine.search(SearchQuery(today=TODAY, text="nón lá")).total == 1
    finally:
        engine.close()


def test_the_search_key_cannot_write_and_the_admin_key_stays_in_its_index(
    meili_server: MeiliServer, index_uid: str,
) -> None:
    keys, _ = create_keys(meili_server, index_uid)
    engine = open_meili(site_settings(meili_server, index_uid, keys))
    engine.close()  # the index now exists, made with the admin key
    reader = meilisearch.Client(meili_server.url, keys.search)
    for write in (lambda: reader.index(index_uid).add_documents([{"id": 1}]),
                  lambda: reader.index(index_uid).update_settings({"synonyms": {}}),
                  lambda: reader.delete_index(index_uid)):
        with pytest.raises(MeilisearchApiError) as refused:
            write()
        assert refused.value.status_code == 403
    writer = meilisearch.Client(meili_server.url, keys.admin)
    with pytest.raises(MeilisearchApiError) as refused:
        writer.create_index(f"other_{index_uid}")
    assert refused.value.status_code == 403


def test_without_a_search_key_the_site_finds_one_with_a_key_listing_admin_key(
    meili_server: MeiliServer, index_uid: str,
) -> None:
    """Meilisearch's Default Admin API Key may list keys: the narrowest search-only key is chosen."""
    default_admin = key_named(meili_server, "Default Admin API Key")
    lone = SiteKeys(admin=default_admin, search="")
    engine = open_meili(site_settings(meili_server, index_uid, lone))
    try:
        assert engine.api_keys == (default_admin, key_named(meili_server, "Default Search API Key"))
    finally:
        engine.close()
    made, _ = create_keys(meili_server, index_uid)
    engine = open_meili(site_settings(meili_server, index_uid, lone))
    try:
        assert engine.api_keys == (default_admin, made.search)
    finally:
        engine.close()


def test_without_a_findable_search_key_reads_use_the_admin_key_after_one_warning(
    meili_server: MeiliServer, index_uid: str, caplog: pytest.LogCaptureFixture,
) -> None:
    made, _ = create_keys(meili_server, index_uid)  # this admin key may not list keys
    with caplog.at_level(logging.WARNING, logger="search.meili_keys"):
        engine = open_meili(site_settings(meili_server, index_uid, SiteKeys(made.admin, "")))
    try:
        assert engine.api_keys == (made.admin, made.admin)
        assert engine.search(SearchQuery(today=TODAY)).total == 0
    finally:
        engine.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "CNNT_MEILI_SEARCH_KEY" in warnings[0] and "create-keys" in warnings[0]


def test_a_wrong_search_key_stops_the_engine_opening(meili_server: MeiliServer, index_uid: str) -> None:
    made, _ = create_keys(meili_server, index_uid)
    with pytest.raises(SearchConfigurationError, match="searching index .* invalid_api_key"):
        open_search_engine(site_settings(meili_server, index_uid, SiteKeys(made.admin, "0" * 64)))
