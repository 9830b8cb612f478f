"""`level=L&status=S` on the demo catalog, checked hit by hit against the database, on both engines.

The bug this guards: a product with a revoked national certificate and a valid provincial one
was listed under `level=quoc_gia&status=valid`. Here every level × status combination is
asked of each engine (and of the database fallback), and each hit is checked with plain ORM
queries over its certificates, independent of app/domain/standing.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import make_engine
from app.domain.levels import Level
from app.domain.validity import today_in
from app.models import Certificate, Product
from app.services.catalog.fallback import fallback_search
from search.engine import SearchEngine, SearchQuery, StatusFilter
from search.factory import open_search_engine
from search.indexer import reindex_all
from tests.meili import MeiliServer
from tests.search.relevance_judgments import load_demo_catalog

PER_PAGE = 1000  # the demo catalog is a few hundred products: one page holds every hit


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo catalog (SQLite, embedded index) in a temporary folder."""
    return load_demo_catalog(tmp_path_factory.mktemp("levels"))


def _in_force(cert: Certificate, day: date) -> bool:
    """Issued by `day`, not ended, not revoked by `day`: read straight off the row."""
    revoked = cert.revoked_on is not None and cert.revoked_on <= day
    return cert.issued_on <= day <= cert.valid_until and not revoked


def _last_ending(certs: list[Certificate]) -> Certificate:
    """The certificate that ends last (revocation the day before it counts), then the newest."""
    def end(cert: Certificate) -> date:
        if cert.revoked_on is not None:
            return min(cert.valid_until, cert.revoked_on - timedelta(days=1))
        return cert.valid_until
    return max(certs, key=lambda c: (end(c), c.issued_on, c.revoked_on or date.min))


def _status_at_level(certs: list[Certificate], level: str, day: date) -> str | None:
    """The product's status at `level` from its certificate rows; None if never certified there."""
    here = [c for c in certs if c.level == level]
    if not here:
        return None
    if any(_in_force(c, day) for c in here):
        return "valid"
    last = _last_ending(here)
    return "revoked" if last.revoked_on is not None and last.revoked_on <= day else "expired"


def _walk(engine: SearchEngine, settings: Settings, day: date) -> int:
    """Every level × status: each hit qualifies and none is missing; returns how many hits it saw."""
    db = make_engine(settings.sqlalchemy_url)
    seen = 0
    try:
        with Session(db) as session:
            certs: dict[int, list[Certificate]] = {}
            for cert in session.exec(select(Certificate)).all():
                certs.setdefault(cert.product_id, []).append(cert)
            published = select(Product).where(col(Product.state) == "published")
            slugs = {p.slug: p.id or 0 for p in session.exec(published)}
            for level in Level:
                for status in (StatusFilter.valid, StatusFilter.expired, StatusFilter.revoked):
                    query = SearchQuery(today=day, levels=(level.value,), status=status, per_page=PER_PAGE)
                    result = engine.search(query)
                    found = {h.document["slug"] for h in result.hits}
                    assert result.total == len(found), (level, status)
                    qualifying = {slug for slug, pid in slugs.items()
                                  if _status_at_level(certs.get(pid, []), level.value, day) == status.value}
                    assert found == qualifying, (level, status, sorted(found ^ qualifying)[:5])
                    fallback = fallback_search(session=session, query=query)
                    assert {h.document["slug"] for h in fallback.hits} == qualifying, (level, status)
                    seen += len(found)
    finally:
        db.dispose()
    return seen


DAYS = [today_in(), date(2025, 12, 31), date(2026, 1, 1)]


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_embedded_levels_and_statuses_match_the_database(demo_settings: Settings, day: date) -> None:
    engine = open_search_engine(demo_settings)
    try:
        assert _walk(engine, demo_settings, day) > 100  # the walk saw a real catalog, not an empty one
    finally:
        engine.close()


@pytest.fixture(scope="module")
def meili_engine(demo_settings: Settings, meili_server: MeiliServer) -> Iterator[SearchEngine]:
    """The demo database indexed into a fresh index of the session's real Meilisearch."""
    index = f"cnnt_levels_{uuid.uuid4().hex[:12]}"
    settings = demo_settings.model_copy(update={"meili_url": meili_server.url, "meili_key": meili_server.key,
                                                "meili_index": index})
    engine = open_search_engine(settings)
    db = make_engine(settings.sqlalchemy_url)
    try:
        with Session(db) as session:
            reindex_all(session=session, engine=engine)
        yield engine
    finally:
        engine.close()
        db.dispose()
        import meilisearch

        client = meilisearch.Client(meili_server.url, meili_server.key)
        client.wait_for_task(client.delete_index(index).task_uid, timeout_in_ms=30_000)


@pytest.mark.meili
@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_meilisearch_levels_and_statuses_match_the_database(demo_settings: Settings,
                                                            meili_engine: SearchEngine, day: date) -> None:
    assert _walk(meili_engine, demo_settings, day) > 100
