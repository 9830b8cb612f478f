"""The synthetic catalog: coverage of every facet value, domain rules, and search over it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.domain.illustrations import illustration_for
from app.domain.levels import DISTRICTS_ABOLISHED
from app.domain.provinces import current_provinces
from app.models import Certificate, Producer, Product, Province
from app.services.demo.synthetic import SYNTHETIC_SEED, SyntheticCatalog, SyntheticRows, insert_synthetic
from app.services.demo.words import COMMUNES
from search.embedded import EmbeddedEngine
from search.engine import SearchQuery, StatusFilter
from search.indexer import reindex_all

COUNT = 500


def test_synthetic_catalog_covers_every_facet_and_rule(session: Session) -> None:
    insert_synthetic(session=session, count=COUNT)
    session.commit()
    products = session.exec(select(Product)).all()
    assert len(products) == COUNT
    provinces = dict(session.exec(select(Province.id, Province.slug)).all())
    assert {provinces[p.province_id] for p in products} == {p.slug for p in current_provinces()}
    assert {p.group for p in products} == {"thu_cong_my_nghe", "che_bien", "co_khi", "khac"}
    certs = session.exec(select(Certificate)).all()
    assert {c.level for c in certs} == {"huyen", "xa", "tinh", "khu_vuc", "quoc_gia"}
    assert {c.issued_on.year for c in certs} >= set(range(2012, 2027))
    assert all(c.issued_on < DISTRICTS_ABOLISHED for c in certs if c.level == "huyen")
    assert all(c.issued_on >= DISTRICTS_ABOLISHED for c in certs if c.level == "xa")
    assert all(c.valid_until == date(c.issued_on.year + 3, 12, 31) for c in certs)
    assert any(c.revoked_on is not None for c in certs)
    certified_in = {provinces[c.province_id] for c in certs}
    assert certified_in - {p.slug for p in current_provinces()}, "some certified in a former province"
    producers = session.exec(select(func.count(col(Producer.id)))).one()
    assert producers < COUNT, "some producers make several products"


def test_search_over_the_synthetic_catalog(session: Session, tmp_path: Path) -> None:
    insert_synthetic(session=session, count=COUNT)
    session.commit()
    engine = EmbeddedEngine(tmp_path / "search.sqlite3")
    try:
        assert reindex_all(session=session, engine=engine) == COUNT
        today = date(2026, 11, 21)
        everything = engine.search(SearchQuery(today=today))
        assert everything.total == COUNT
        assert len(everything.facets["province"]) == 34
        assert set(everything.facets["status"]) == {"valid", "expired", "revoked"}
        found = engine.search(SearchQuery(today=today, text="gom", status=StatusFilter.valid))
        assert found.total > 0
        assert all("gốm" in hit.document["name"].lower() or "gốm" in hit.document["description"].lower()
                   or "gốm" in hit.document["producer_name"].lower() for hit in found.hits)
        typo = engine.search(SearchQuery(today=today, text="quangg ninh"))
        assert typo.total > 0 and typo.suggestion == "quang ninh"
    finally:
        engine.close()


def test_only_into_an_empty_catalog(session: Session) -> None:
    insert_synthetic(session=session, count=10)
    session.commit()
    with pytest.raises(ValueError, match="empty"):
        insert_synthetic(session=session, count=10)


def test_synthetic_producers_make_one_kind_and_the_data_is_deterministic(session: Session) -> None:
    """Each synthetic producer makes one trade's products (so one kind), in a real commune of its
    province; the same seed gives the same rows."""
    provinces = {slug: pid for pid, slug in session.exec(select(Province.id, Province.slug)).all()
                 if pid is not None}
    first_ids = {"producer": 0, "product": 0, "round": 0, "certificate": 0}

    def build() -> SyntheticRows:
        catalog = SyntheticCatalog(2000, seed=SYNTHETIC_SEED, province_ids=provinces, first_ids=first_ids)
        return catalog.build()

    rows = build()
    producers = {p["id"]: p for p in rows.producers}
    kinds: dict[int, set[str]] = {}
    for product in rows.products:
        kind = illustration_for(product["name"], product["group"])
        kinds.setdefault(product["producer_id"], set()).add(kind.code)
    assert all(len(found) == 1 for found in kinds.values())
    assert sum(len([p for p in rows.products if p["producer_id"] == pid]) > 1 for pid in kinds) > 100
    slug_of = {pid: slug for slug, pid in provinces.items()}
    for producer in producers.values():
        house, commune, _province = producer["address"].split(", ")
        assert house == "Số 00" and commune in COMMUNES[slug_of[producer["province_id"]]]
    again = build()
    strip = lambda table: [{k: v for k, v in row.items() if k not in ("created_at", "updated_at")}  # noqa: E731
                           for row in table]
    assert strip(again.producers) == strip(rows.producers) and strip(again.products) == strip(rows.products)
