"""CNNT_MEILI_INDEX: the site reads and writes the index it is given, so two sites can share a server."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from app.config import Settings
from search.engine import SearchQuery
from search.factory import open_search_engine
from tests.meili import MeiliServer
from tests.search.contract_data import make_doc
from tests.search.test_contract import _drop_indexes


@pytest.mark.meili
def test_staging_and_production_share_a_server_apart(meili_server: MeiliServer, tmp_path: Path) -> None:
    names = [f"cnnt_{site}_{uuid.uuid4().hex[:8]}" for site in ("staging", "production")]
    staging, production = (open_search_engine(Settings(
        _env_file=None, data_dir=tmp_path, meili_url=meili_server.url, meili_key=meili_server.key,
        meili_index=name)) for name in names)
    try:
        staging.upsert([make_doc(1, "Bánh tráng Trảng Bàng")])
        query = SearchQuery(today=date(2025, 12, 31), text="bánh tráng")
        assert staging.search(query).total == 1
        assert production.search(query).total == 0
    finally:
        staging.close()
        production.close()
        _drop_indexes(meili_server.url, meili_server.key, names)


@pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 401, "x" * 387])
def test_an_index_name_meilisearch_would_refuse_is_refused_at_start(name: str) -> None:
    with pytest.raises(ValueError, match="meili_index"):
        Settings(_env_file=None, meili_index=name)
