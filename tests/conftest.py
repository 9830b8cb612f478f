"""Shared fixtures: real databases (SQLite and a throwaway PostgreSQL), settings, the app.

Tests that take `engine`, `session`, `settings` or `client` run once per database backend.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.services.upkeep.provinces import sync_provinces
from tests.meili import MEILI_BIN, MeiliServer, throwaway_meilisearch
from tests.pg import throwaway_postgres

_db_numbers = itertools.count()


@pytest.fixture(scope="session")
def meili_server() -> Iterator[MeiliServer]:
    """The Meilisearch the Meilisearch leg runs on, started once, by the first test that asks.

    CNNT_MEILI_URL (and CNNT_MEILI_KEY), when set, name a server of your own; otherwise a
    throwaway one starts from the pinned binary (`make meili-deps`). It never enters the
    environment, so the app under test keeps the embedded engine unless a test gives it this one.
    """
    url = os.environ.get("CNNT_MEILI_URL", "")
    if url:
        yield MeiliServer(url, os.environ.get("CNNT_MEILI_KEY", ""))
        return
    if not MEILI_BIN.is_file():  # a failure, not a skip: a skipped leg would prove nothing
        pytest.fail(f"{MEILI_BIN} is missing: `make meili-deps` installs the pinned Meilisearch "
                    "(or set CNNT_MEILI_URL to a server of your own)", pytrace=False)
    with throwaway_meilisearch() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """Base URL of the session's throwaway PostgreSQL server."""
    with throwaway_postgres() as url:
        yield url


def new_postgres_database(base_url: str) -> str:
    """Create an empty database on the throwaway server; return its URL."""
    name = f"cnnt_test_{next(_db_numbers)}"
    admin = sa.create_engine(f"{base_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base_url}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cnnt.sqlite3'}"
    base: str = request.getfixturevalue("postgres_base_url")
    return new_postgres_database(base)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database holding the schema and the provinces."""
    eng = make_engine(db_url)
    SQLModel.metadata.create_all(eng)
    with Session(eng) as session:
        sync_provinces(session=session)
        session.commit()
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database; tests commit as services' callers would."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path, db_url: str, engine: Engine) -> Settings:
    """Settings pointing every file (database, search index, media) into the test's folder."""
    return Settings(data_dir=tmp_path, database_url=db_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient on the app built from `settings` (lifespan run)."""
    with TestClient(create_app(settings)) as c:
        yield c


# CI: with CI=true any skipped test fails the run; see tests/conftest_ci.py.
from tests.conftest_ci import pytest_configure  # noqa: E402, F401
