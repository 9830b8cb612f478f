"""Crash tests' fixtures: a migrated database (SQLite file or a fresh PostgreSQL database) for the `cnnt`
processes to work on, and a Meilisearch server of a module's own that its tests may kill or stop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.migrate import upgrade_database
from tests.meili import MEILI_BIN, MeiliProcess, meilisearch_process


@pytest.fixture
def crash_settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for the test's own database, migrated as `cnnt db upgrade` does; files under tmp_path/data."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=db_url, meili_url="")
    upgrade_database(settings)
    return settings


@pytest.fixture(scope="module")
def own_meili() -> Iterator[MeiliProcess]:
    """The module's own server: killed and stopped by its tests, so never the session's."""
    if not MEILI_BIN.is_file():  # a failure, not a skip, as for the session's server (tests/conftest.py)
        pytest.fail(f"{MEILI_BIN} is missing: `make meili-deps` installs the pinned Meilisearch",
                    pytrace=False)
    with meilisearch_process() as process:
        yield process


@pytest.fixture
def meili(own_meili: MeiliProcess) -> Iterator[MeiliProcess]:
    """The module's server, running again after the test whatever the test did to it."""
    yield own_meili
    if own_meili.frozen:
        own_meili.thaw()
    if not own_meili.running:
        own_meili.start()
