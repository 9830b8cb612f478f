"""The benchmarks' cold mix: at least 500 distinct queries of every shape, each one a valid search."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path

from sqlmodel import Session

from app.services.demo.synthetic import insert_synthetic
from search.embedded import EmbeddedEngine
from search.indexer import reindex_all

sys.path.append(str(Path(__file__).resolve().parent.parent / "scripts"))  # the benchmark scripts

import bench_queries  # noqa: E402  (scripts/bench_queries.py)

SHAPES = {"text", "text + filters", "filters", "deep page", "prefix", "typo", "sort"}


def test_cold_mix_is_large_distinct_and_covers_every_shape() -> None:
    mix = bench_queries.COLD
    assert len(mix) >= 500
    assert len({q.params for q in mix}) == len(mix)
    parsed = [bench_queries.search_query(q.params, today=date(2026, 11, 21)) for q in mix]
    assert len(set(parsed)) == len(mix), "two URLs that mean the same search"
    assert set(Counter(q.shape for q in mix)) == SHAPES
    assert len(mix) > bench_queries.DEFAULT_MAX_ENTRIES, "more than the result cache holds"
    assert bench_queries.cold_queries() == mix, "deterministic"
    by_shape = {shape: [q for q, c in zip(parsed, mix, strict=True) if c.shape == shape] for shape in SHAPES}
    assert all(5 <= q.page <= 50 for q in by_shape["deep page"])
    assert all(q.text and (q.provinces or q.groups or q.levels or q.years or q.status != "all")
               for q in by_shape["text + filters"])
    assert all(not q.text for q in by_shape["filters"])
    assert {len(q.text.split()) for q in by_shape["text"]} >= {1, 2, 3}
    assert {len(q.text) for q in by_shape["prefix"]} >= {1, 2}
    assert {q.text.isascii() for q in by_shape["text"]} == {True, False}, "with and without diacritics"
    assert {q.sort.value for q in by_shape["sort"]} == {"newest", "name"}


def test_every_cold_query_runs_on_the_embedded_engine(session: Session, tmp_path: Path) -> None:
    insert_synthetic(session=session, count=400)
    session.commit()
    engine = EmbeddedEngine(tmp_path / "search.sqlite3")
    try:
        assert reindex_all(session=session, engine=engine) == 400
        today = date(2026, 11, 21)
        found = Counter[str]()
        for cold in bench_queries.COLD:
            result = engine.search(bench_queries.search_query(cold.params, today=today))
            assert result.total >= len(result.hits), cold.params
            found[cold.shape] += result.total > 0
        assert all(found[shape] for shape in SHAPES - {"deep page"}), found  # 400 products: no page 5
    finally:
        engine.close()
