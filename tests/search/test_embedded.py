"""The embedded engine on a real SQLite file, fed with hand-built documents."""

from __future__ import annotations

import fcntl
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyroaring import BitMap

from app.domain.text import fold
from search import embedded_build, embedded_terms
from search.documents import ProductDocument, date_key
from search.embedded import EmbeddedEngine
from search.embedded_terms import NUMBER_COLUMNS, SAME_NUMBER, indexed_text, number_words, read_as, text_words
from search.engine import (
    MARK_END,
    MARK_START,
    MAX_QUERY_LENGTH,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    SortOrder,
    StatusFilter,
)
from search.text_query import COLUMNS, COMPACT, EXACT, FOLDED, compact_number, query_words
from tests.search.contract_data import DOCUMENTS, Cert, make_doc

TODAY = date(2025, 8, 1)




@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    """An empty engine on a fresh file."""
    eng = EmbeddedEngine(tmp_path / "search.sqlite3")
    yield eng
    eng.close()


def search(engine: EmbeddedEngine, text: str = "", **kwargs: Any) -> SearchResult:
    """Run a query on TODAY unless told otherwise."""
    kwargs.setdefault("today", TODAY)
    return engine.search(SearchQuery(text=text, **kwargs))


def names(result: SearchResult) -> list[str]:
    """The hit names, in order."""
    return [hit.document["name"] for hit in result.hits]


def test_folded_query_finds_diacritics_and_d(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Đường phèn Quảng Ngãi"), make_doc(2, "Nước mắm Phú Quốc")])
    assert names(search(engine, "duong phen")) == ["Đường phèn Quảng Ngãi"]
    assert names(search(engine, "NUOC MAM")) == ["Nước mắm Phú Quốc"]


def test_exact_diacritics_rank_above_folded_matches(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Dương xỉ cảnh", latest_issued=20250101),
                   make_doc(2, "Đường phèn", latest_issued=20200101)])
    assert names(search(engine, "đường")) == ["Đường phèn", "Dương xỉ cảnh"]
    assert names(search(engine, "dương")) == ["Dương xỉ cảnh", "Đường phèn"]


def test_words_side_by_side_rank_above_words_apart(engine: EmbeddedEngine) -> None:
    apart = make_doc(1, "Miến dong Lộc Điền", description="Chế biến thủ công, phơi nắng.",
                     latest_issued=20250101)
    together = make_doc(2, "Chè shan tuyết", province="dien-bien", province_name="Điện Biên",
                        certified_provinces=["dien-bien"], latest_issued=20150101)
    engine.upsert([apart, together])
    assert names(search(engine, "dien bien")) == ["Chè shan tuyết", "Miến dong Lộc Điền"]
    assert names(search(engine, "điện bi"))[0] == "Chè shan tuyết"  # last word still a prefix


def test_last_word_is_a_prefix_others_are_whole_words(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Gốm Bát Tràng"), make_doc(2, "Bát gỗ")])
    assert names(search(engine, "gốm bát tr")) == ["Gốm Bát Tràng"]
    assert search(engine, "tràn bát").total == 0  # only the last word is a prefix
    assert search(engine, "bát tràn").total == 1


def test_synonyms_match_both_ways(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Mỳ Chũ Bắc Giang"), make_doc(2, "Chè Shan tuyết")])
    assert names(search(engine, "mì chũ")) == ["Mỳ Chũ Bắc Giang"]
    assert names(search(engine, "trà shan")) == ["Chè Shan tuyết"]
    hit = search(engine, "mì").hits[0]
    assert hit.name_highlighted == f"{MARK_START}Mỳ{MARK_END} Chũ Bắc Giang"


def test_every_searchable_field(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Chiếu cói", producer_name="HTX Kim Sơn", description="dệt thủ công bằng tay",
                            certificate_numbers=["123/QĐ-UBND"], decision_numbers=["45/QĐ-SCT"],
                            province="ninh-binh", province_name="Ninh Bình",
                            certified_provinces=["nam-dinh"]),
                   make_doc(2, "Nón lá")])
    for text in ["kim son", "det thu cong", "123/QĐ-UBND", "123/QD-UBND", "123QDUBND", "45 qđ sct",
                 "ninh binh", "nam định", "code0001"]:
        assert names(search(engine, text)) == ["Chiếu cói"], text


def test_hostile_inputs_never_raise(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nón lá")])
    for text in ['"', 'NEAR(a b', "*", "-", "OR", "a OR b", ":", "name:x", "^x", '"" AND', "x" * 10_000,
                 "(", ")", "{name}", "NOT", "\x00", "\ue000"]:
        result = search(engine, text)
        assert result.total >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_never_raises(engine: EmbeddedEngine, text: str) -> None:
    engine.upsert([make_doc(1, "Nón lá Huế")])
    result = search(engine, text, provinces=("ha-noi", "bac-giang"), levels=("tinh",),
                    status=StatusFilter.valid)
    assert 0 <= result.total <= 1


def test_very_long_query_is_truncated(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nón lá")])
    assert search(engine, "nón " + "x" * MAX_QUERY_LENGTH * 5).total == 0
    assert search(engine, "nón" + " " * MAX_QUERY_LENGTH + "zzz").total == 1


def merger_docs() -> list[ProductDocument]:
    """Bắc Giang merged into Bắc Ninh: one product certified in each, one elsewhere."""
    return [
        make_doc(1, "Vải thiều Lục Ngạn", province="bac-ninh", province_name="Bắc Ninh",
                 certified_provinces=["bac-giang"]),
        make_doc(2, "Tranh Đông Hồ", province="bac-ninh", province_name="Bắc Ninh",
                 certified_provinces=["bac-ninh"]),
        make_doc(3, "Nón lá", province="hue", province_name="Huế", certified_provinces=["thua-thien-hue"]),
    ]


def test_current_province_includes_former_former_alone_does_not(engine: EmbeddedEngine) -> None:
    engine.upsert(merger_docs())
    assert sorted(names(search(engine, provinces=("bac-ninh",)))) == ["Tranh Đông Hồ", "Vải thiều Lục Ngạn"]
    assert names(search(engine, provinces=("bac-giang",))) == ["Vải thiều Lục Ngạn"]
    assert search(engine, provinces=("bac-giang", "hue")).total == 2
    assert search(engine, provinces=("no-such-province",)).total == 0


def test_group_level_and_year_filters(engine: EmbeddedEngine) -> None:
    engine.upsert([
        make_doc(1, "A", group="co_khi", level="quoc_gia", levels=["quoc_gia", "tinh"], years=[2021, 2023]),
        make_doc(2, "B", group="che_bien", level="tinh", levels=["tinh"], years=[2024]),
        make_doc(3, "C", group="khac", level="xa", levels=["xa"], years=[2025]),
    ])
    assert names(search(engine, groups=("co_khi", "khac"), sort=SortOrder.name)) == ["A", "C"]
    assert names(search(engine, levels=("tinh",), sort=SortOrder.name)) == ["A", "B"]
    assert names(search(engine, years=(2021,))) == ["A"]
    assert names(search(engine, years=(2023, 2025), levels=("xa",))) == ["C"]


def status_docs() -> list[ProductDocument]:
    """A product valid through 31/12/2025, one revoked mid-2025, one expired end of 2024."""
    return [
        make_doc(1, "Hết hạn cuối năm", valid_until="2025-12-31"),
        make_doc(2, "Bị thu hồi", valid_until="2026-12-31", revoked_on=20250615),
        make_doc(3, "Đã hết hạn", valid_until="2024-12-31"),
    ]


@pytest.mark.parametrize(("today", "valid", "expired", "revoked"), [
    (date(2025, 6, 14), ["Bị thu hồi", "Hết hạn cuối năm"], ["Đã hết hạn"], []),
    (date(2025, 12, 31), ["Hết hạn cuối năm"], ["Đã hết hạn"], ["Bị thu hồi"]),
    (date(2026, 1, 1), [], ["Hết hạn cuối năm", "Đã hết hạn"], ["Bị thu hồi"]),
])
def test_status_is_evaluated_on_the_query_day(engine: EmbeddedEngine, today: date, valid: list[str],
                                              expired: list[str], revoked: list[str]) -> None:
    engine.upsert(status_docs())
    for status, expected in ((StatusFilter.valid, valid), (StatusFilter.expired, expired),
                             (StatusFilter.revoked, revoked)):
        result = search(engine, today=today, status=status, sort=SortOrder.name)
        assert sorted(names(result)) == sorted(expected), status
    facets = search(engine, today=today).facets["status"]
    assert facets == {k: len(v) for k, v in (("valid", valid), ("expired", expired),
                                             ("revoked", revoked)) if v}
    assert date_key(today) > 0


def test_facets_are_disjunctive(engine: EmbeddedEngine) -> None:
    engine.upsert([*merger_docs(), make_doc(4, "Gốm", province="ha-noi", group="thu_cong_my_nghe",
                                             levels=["tinh", "quoc_gia"], level="quoc_gia", years=[2025])])
    result = search(engine, provinces=("bac-ninh",))
    assert result.total == 2
    assert result.facets["province"] == {"bac-ninh": 2, "hue": 1, "ha-noi": 1}
    assert result.facets["group"] == {"che_bien": 2}
    assert result.facets["level"] == {"tinh": 2}
    assert result.facets["year"] == {"2023": 2}
    assert result.facets["status"] == {"valid": 2}
    both = search(engine, provinces=("ha-noi",), levels=("quoc_gia",))
    assert both.facets["level"] == {"tinh": 1, "quoc_gia": 1}
    assert both.facets["province"] == {"ha-noi": 1}


def test_facets_follow_the_text(engine: EmbeddedEngine) -> None:
    engine.upsert(merger_docs())
    assert search(engine, "nón").facets["province"] == {"hue": 1}


def test_sorts_and_pagination(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(i, name, latest_issued=issued) for i, (name, issued) in enumerate(
        [("Bánh đa", 20230101), ("Ấm tích", 20250101), ("Đèn lồng", 20240101), ("Cói", 20220101)], start=1)])
    assert names(search(engine, sort=SortOrder.name)) == ["Ấm tích", "Bánh đa", "Cói", "Đèn lồng"]
    assert names(search(engine, sort=SortOrder.newest)) == ["Ấm tích", "Đèn lồng", "Bánh đa", "Cói"]
    assert names(search(engine)) == ["Ấm tích", "Đèn lồng", "Bánh đa", "Cói"]
    page = search(engine, sort=SortOrder.newest, page=2, per_page=3)
    assert (page.total, names(page)) == (4, ["Cói"])


def test_relevance_ties_break_on_newest(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nón lá", latest_issued=20200101),
                   make_doc(2, "Nón lá", latest_issued=20240101)])
    assert [h.document["id"] for h in search(engine, "nón lá").hits] == [2, 1]


def test_highlights_folded_and_prefix(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Đường phèn (Quảng Ngãi)")])
    hit = search(engine, "duong quang").hits[0]
    assert hit.name_highlighted == f"{MARK_START}Đường{MARK_END} phèn ({MARK_START}Quảng{MARK_END} Ngãi)"
    assert search(engine, "").hits[0].name_highlighted == "Đường phèn (Quảng Ngãi)"


def test_suggestion_for_a_typo_only_when_nothing_matches(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nước mắm Phan Thiết")])
    assert search(engine, "mắm thiếtt").suggestion == "mắm thiết"
    assert search(engine, "mam thiett").suggestion == "mam thiet"
    assert search(engine, "phan thiet").suggestion is None
    assert search(engine, "qqqqqq").suggestion is None


def test_upsert_replaces_delete_clear_and_fingerprints(engine: EmbeddedEngine) -> None:
    first, second = make_doc(1, "Nón lá"), make_doc(2, "Chiếu cói")
    engine.upsert([first, second])
    renamed = make_doc(1, "Nón bài thơ")
    engine.upsert([renamed])
    assert engine.fingerprints() == {1: renamed["fingerprint"], 2: second["fingerprint"]}
    assert search(engine, "lá").total == 0
    assert names(search(engine, "bài thơ")) == ["Nón bài thơ"]
    engine.delete([2, 99])
    assert list(engine.fingerprints()) == [1]
    assert search(engine, years=(2023,)).facets["year"] == {"2023": 1}
    engine.clear()
    assert engine.fingerprints() == {}
    assert search(engine).total == 0


def _bitmap_tables(path: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every stored bitmap row (key and the ids it holds), per table."""
    with closing(sqlite3.connect(path)) as conn:
        return {table: {(*key, tuple(BitMap.deserialize(bits)))
                        for *key, bits in conn.execute(f"SELECT * FROM {table}")}  # noqa: S608 - our tables
                for table in ("term_bits", "pair_bits", "facet_bits")}


_WORDS = st.sampled_from(["Nón", "lá", "bài", "thơ", "Chiếu", "cói", "Mật", "ong", "gốm", "Bát", "x7"])
_STEP = st.tuples(st.integers(1, 6), st.lists(_WORDS, max_size=4), st.sampled_from(["ha-noi", "lam-dong"]),
                  st.booleans())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_STEP, min_size=1, max_size=12))
def test_writes_leave_exactly_the_bitmaps_of_a_rebuild(tmp_path: Path,
                                                       steps: list[tuple[int, list[str], str, bool]]) -> None:
    """Upserts and deletes in any order leave the same word, pair and facet bitmaps as a full
    rebuild from the final documents: nothing stale, nothing missing, no empty row left."""
    folder = tmp_path / str(uuid.uuid4())
    incremental = EmbeddedEngine(folder / "a.sqlite3")
    rebuilt = EmbeddedEngine(folder / "b.sqlite3")
    final: dict[int, ProductDocument] = {}
    try:
        for doc_id, words, province, delete in steps:
            if delete:
                incremental.delete([doc_id])
                final.pop(doc_id, None)
            else:
                doc = make_doc(doc_id, " ".join(words) or "Sản phẩm", province=province,
                               description=" ".join(reversed(words)))
                incremental.upsert([doc])
                final[doc_id] = doc
        rebuilt.replace_all(iter([list(final.values())]))
        assert _bitmap_tables(incremental.path) == _bitmap_tables(rebuilt.path)
    finally:
        incremental.close()
        rebuilt.close()


def test_a_reindex_that_fails_part_way_leaves_the_old_index(engine: EmbeddedEngine) -> None:
    """Readers see the old index while it refills; an error after some batches rolls it all back."""
    old = [make_doc(1, "Nón lá"), make_doc(2, "Chiếu cói")]
    engine.upsert(old)
    before = engine.fingerprints()
    seen_meanwhile: list[dict[int, str]] = []

    def batches() -> Iterator[list[ProductDocument]]:
        yield [make_doc(3, "Mật ong")]
        reader = EmbeddedEngine(engine.path)  # another process's view, as the site's
        try:
            seen_meanwhile.append(reader.fingerprints())
            assert names(search(reader, "chieu")) == ["Chiếu cói"]
        finally:
            reader.close()
        raise RuntimeError("the database went away mid-reindex")

    with pytest.raises(RuntimeError):
        engine.replace_all(batches())
    assert seen_meanwhile == [before]
    assert engine.fingerprints() == before
    assert names(search(engine, "mat ong")) == []
    assert names(search(engine, "non")) == ["Nón lá"]


@pytest.mark.parametrize("bad_batch", [0, 1])
def test_a_batch_whose_rows_cannot_be_written_rolls_the_rebuild_back(engine: EmbeddedEngine,
                                                                     bad_batch: int) -> None:
    """Bodies and validity rows are written beside the next batch's building: a write that fails,
    in the last batch or one before, fails the rebuild and leaves the old index whole."""
    engine.upsert([make_doc(1, "Nón lá")])
    before = engine.fingerprints()
    batches = [[make_doc(2, "Mật ong")], [make_doc(3, "Chiếu cói")]]
    run_without_end = {"all": {"runs": [[1]], "ends": 0, "revoked_on": 0}}
    batches[bad_batch][0]["validity"] = run_without_end  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match="unpack"):
        engine.replace_all(iter(batches))
    assert engine.fingerprints() == before
    assert names(search(engine, "non la")) == ["Nón lá"]
    engine.replace_all(iter([[make_doc(2, "Mật ong")]]))  # the lock was released: a rebuild goes through
    assert names(search(engine, "mat ong")) == ["Mật ong"]


class _RecordedChild(embedded_build.ChildBuilder):
    """The second process of a large rebuild, kept to look at afterwards."""

    started: list[embedded_build.ChildBuilder] = []

    def __init__(self) -> None:
        super().__init__()
        self.started.append(self)


@pytest.fixture
def second_process(monkeypatch: pytest.MonkeyPatch) -> list[embedded_build.ChildBuilder]:
    """Rebuilds of 25 documents or more build their text index in a second process, recorded."""
    monkeypatch.setattr(embedded_build, "SECOND_PROCESS_FROM", 25)
    monkeypatch.setattr(embedded_build, "ChildBuilder", _RecordedChild)
    _RecordedChild.started = []
    return _RecordedChild.started


def _rebuild_documents() -> list[ProductDocument]:
    """Sixty documents sharing provinces, producers and decisions, as a round's winners do."""
    names = ["Nón lá bài thơ", "Chiếu cói Kim Sơn", "Mật ong bạc hà", "Gốm Bát Tràng", "Nước mắm Phú Quốc"]
    return [make_doc(n, f"{names[n % 5]} {n}", description=f"Làng nghề {names[(n + 1) % 5]}",
                     province=["ha-noi", "lam-dong"][n % 2], producer_name=f"Cơ sở {n % 7}",
                     address=f"Xã Đông Hòa {n % 3}", decision_numbers=[f"{n % 4}/QĐ-UBND"],
                     certificate_numbers=[f"{n:03d}/2023/GCN-SCT"]) for n in range(1, 61)]


def _doc_rows(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM doc ORDER BY id").fetchall()


def test_a_large_rebuild_computes_in_a_second_process_to_the_same_index(
        tmp_path: Path, second_process: list[embedded_build.ChildBuilder],
        monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _rebuild_documents()
    in_process = EmbeddedEngine(tmp_path / "in-process.sqlite3", cache_entries=0)
    with monkeypatch.context() as small:
        small.setattr(embedded_build, "SECOND_PROCESS_FROM", 61)  # 60 documents: one process
        in_process.replace_all(iter([documents[:20], documents[20:]]))
    assert second_process == []
    split = EmbeddedEngine(tmp_path / "split.sqlite3", cache_entries=0)
    split.replace_all(iter([documents[:20], documents[20:40], documents[40:]]))
    assert len(second_process) == 1 and second_process[0]._process.returncode == 0
    assert _bitmap_tables(split.path) == _bitmap_tables(in_process.path)
    assert _doc_rows(split.path) == _doc_rows(in_process.path)  # lengths in words too
    for text in ("non la", "dong hoa", "qd ubnd", "042/2023"):
        assert search(split, text).hits == search(in_process, text).hits
    in_process.close()
    split.close()


@pytest.mark.parametrize("mark_from", [1, 10_000])
def test_a_rebuild_gathering_many_texts_leaves_the_bitmaps_of_upserts(
        tmp_path: Path, mark_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word's products gathered from many texts at once, by marking (`mark_from` 1) or by
    sorting, are exactly those the upserts note one by one: words, pairs and first letters."""
    monkeypatch.setattr(embedded_terms, "MANY_TEXTS", 2)  # every word of two texts or more gathers
    monkeypatch.setattr(embedded_terms, "MARK_FROM", mark_from)
    documents = _rebuild_documents()
    rebuilt = EmbeddedEngine(tmp_path / "rebuilt.sqlite3", cache_entries=0)
    rebuilt.replace_all(iter([documents]))
    upserted = EmbeddedEngine(tmp_path / "upserted.sqlite3", cache_entries=0)
    for doc in documents:
        upserted.upsert([doc])
    tables = _bitmap_tables(rebuilt.path)
    assert tables == _bitmap_tables(upserted.path)
    assert any(len(row[-1]) == len(documents) for row in tables["term_bits"])  # a word in every one
    rebuilt.close()
    upserted.close()


def test_a_second_process_that_fails_rolls_the_rebuild_back(
        engine: EmbeddedEngine, second_process: list[embedded_build.ChildBuilder]) -> None:
    engine.upsert([make_doc(1, "Nón lá")])
    before = engine.fingerprints()
    documents = _rebuild_documents()
    documents[40]["description"] = 5  # type: ignore[typeddict-item]  # splits in the second process only
    with pytest.raises(SearchUnavailable, match="TypeError"):
        engine.replace_all(iter([documents[:30], documents[30:]]))
    assert engine.fingerprints() == before
    assert names(search(engine, "non la")) == ["Nón lá"]
    assert second_process[0]._process.returncode is not None  # ended, not left behind


def test_a_rebuild_that_fails_ends_its_second_process(
        engine: EmbeddedEngine, second_process: list[embedded_build.ChildBuilder]) -> None:
    documents = _rebuild_documents()

    def batches() -> Iterator[list[ProductDocument]]:
        yield documents[:30]
        yield documents[30:]
        raise RuntimeError("the database went away mid-reindex")

    with pytest.raises(RuntimeError):
        engine.replace_all(batches())
    assert engine.fingerprints() == {}
    assert second_process[0]._process.returncode == 0  # saw the pipe close and ended by itself


def test_index_survives_reopening(tmp_path: Path) -> None:
    first = EmbeddedEngine(tmp_path / "index.sqlite3")
    first.upsert([make_doc(1, "Nón lá")])
    first.close()
    again = EmbeddedEngine(tmp_path / "index.sqlite3")
    assert names(search(again, "non")) == ["Nón lá"]
    again.close()


def test_closed_engine_is_unavailable(engine: EmbeddedEngine) -> None:
    engine.close()
    with pytest.raises(SearchUnavailable):
        search(engine, "nón")


def test_threads_share_the_index(engine: EmbeddedEngine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine.upsert([make_doc(i, f"Sản phẩm {i}") for i in range(1, 51)])
    with ThreadPoolExecutor(max_workers=8) as pool:
        totals = list(pool.map(lambda i: search(engine, f"sản phẩm {i}").total, range(1, 51)))
    assert all(total >= 1 for total in totals)


@pytest.mark.parametrize("typed", ["truyeenn", "truyeen", "truyn", "trayen", "tryuen", "TRUYÊNN"])
def test_one_edit_in_a_long_word_still_finds(engine: EmbeddedEngine, typed: str) -> None:
    engine.upsert([make_doc(1, "Rượu nếp truyền thống"), make_doc(2, "Nón lá")])
    result = search(engine, f"rượu {typed}")
    if typed == "truyeenn":  # two edits: too far
        assert result.total == 0
        return
    assert names(result) == ["Rượu nếp truyền thống"], typed
    assert result.suggestion is not None  # results came from a correction: say which


def test_known_words_are_not_widened_to_their_neighbours(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Tranh sơn mài"), make_doc(2, "Bánh tráng"), make_doc(3, "Thanh long sấy")])
    assert names(search(engine, "tranh")) == ["Tranh sơn mài"]
    assert names(search(engine, "trang")) == ["Bánh tráng"]
    assert names(search(engine, "tranhh")) == ["Tranh sơn mài"]
    assert search(engine, "thanh").suggestion is None


def test_short_words_get_no_typo_tolerance(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nước mắm")])
    assert search(engine, "nuoc mamm").total == 0


def test_typo_correction_is_highlighted_and_the_suggestion_kept(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nước mắm Phan Thiết")])
    result = search(engine, "phan thiêtt")
    assert result.total == 1
    assert result.hits[0].name_highlighted == (
        f"Nước mắm {MARK_START}Phan{MARK_END} {MARK_START}Thiết{MARK_END}")
    assert result.suggestion == "phan thiêt" or result.suggestion == "phan thiet"


def test_typos_find_only_live_terms(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Rượu truyền thống")])
    engine.delete([1])
    engine.upsert([make_doc(2, "Nón lá")])
    assert search(engine, "truyeen").total == 0
    assert search(engine, "truyeen").suggestion is None


def test_unaccented_synonyms_only_where_unambiguous(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Mỳ Chũ"), make_doc(2, "Gốm mỹ nghệ"), make_doc(3, "Ngô nếp"),
                   make_doc(4, "Trà xanh"), make_doc(5, "Tương bần chế biến")])
    assert names(search(engine, "mi chu")) == ["Mỳ Chũ"]
    assert names(search(engine, "bap")) == ["Ngô nếp"]
    assert "Gốm mỹ nghệ" not in names(search(engine, "mì"))
    assert "Trà xanh" not in names(search(engine, "che"))  # che is also chế
    assert names(search(engine, "chè"))[0] == "Trà xanh"  # the synonym, exact, before the folded chế


def random_docs(count: int, seed: int) -> list[ProductDocument]:
    """Documents with random facet values, for comparing the engine with a plain computation."""
    import random

    rng = random.Random(seed)
    provinces = [("ha-noi", ["ha-noi"]), ("bac-ninh", ["bac-ninh"]), ("bac-ninh", ["bac-giang"]),
                 ("hue", ["thua-thien-hue"])]
    docs = []
    for i in range(1, count + 1):
        province, certified = rng.choice(provinces)
        levels = sorted(rng.sample(["xa", "tinh", "khu_vuc", "quoc_gia"], rng.randint(1, 2)))
        certs = []
        for level in [*levels, *rng.sample(levels, 1)]:  # sometimes two certificates at one level
            year = rng.choice([2019, 2021, 2022, 2023, 2025, 2026])
            issued = date(year, rng.randint(1, 12), rng.randint(1, 28))
            revoked = rng.choice([None, None, None, issued + timedelta(days=rng.randint(0, 1500))])
            certs.append(Cert(level, issued, date(issued.year + 3, 12, 31), revoked))
        docs.append(make_doc(
            i * 3, f"{rng.choice(['Gốm', 'Nón', 'Chè'])} {rng.choice(['Bát Tràng', 'Huế', 'Thái'])} {i}",
            province=province, certified_provinces=certified, group=rng.choice(["co_khi", "che_bien"]),
            levels=levels, level=levels[-1], years=sorted(rng.sample(range(2019, 2026), 2)),
            certs=certs,
            latest_issued=rng.choice([20230101, 20240601, 20250301])))
    return docs


def expected(docs: list[ProductDocument], query: SearchQuery) -> tuple[list[int], dict[str, dict[str, int]]]:
    """Ids and facets computed plainly in Python from the documents (no text)."""
    from collections import Counter

    from app.domain.standing import matches

    def level_status(doc: ProductDocument, levels: tuple[str, ...], status: str) -> bool:
        return matches(doc["validity"], levels, status, on=query.today)

    def passes(doc: ProductDocument, skip: str = "") -> bool:
        checks = {
            "province": not query.provinces or doc["province"] in query.provinces
            or bool(set(doc["certified_provinces"]) & {"bac-giang"} & set(query.provinces)),
            "group": not query.groups or doc["group"] in query.groups,
            "year": not query.years or bool(set(doc["years"]) & set(query.years)),
            "level_status": level_status(doc, query.levels, query.status.value),
        }
        return all(ok for field, ok in checks.items() if field != skip)

    facets: dict[str, dict[str, int]] = {}
    for field in ("province", "group", "level", "year", "status"):
        counts: Counter[str] = Counter()
        skip = "level_status" if field in ("level", "status") else field
        for doc in (d for d in docs if passes(d, skip=skip)):
            if field == "level":
                values = [lv for lv in doc["levels"] if level_status(doc, (lv,), query.status.value)]
            elif field == "status":
                values = [s.value for s in StatusFilter
                          if s != StatusFilter.all and level_status(doc, query.levels, s.value)]
            else:
                values = {"province": [doc["province"]], "group": [doc["group"]],
                          "year": [str(y) for y in doc["years"]]}[field]
            counts.update(values)
        facets[field] = dict(counts)
    order = sorted((d for d in docs if passes(d)), key=lambda d: (-d["latest_issued"], -d["id"]))
    return [d["id"] for d in order], facets


@pytest.mark.parametrize("filters", [
    {}, {"provinces": ("bac-ninh",)}, {"provinces": ("bac-giang", "hue")}, {"groups": ("co_khi",)},
    {"levels": ("quoc_gia",), "years": (2020, 2021)}, {"status": StatusFilter.valid},
    {"status": StatusFilter.revoked, "groups": ("che_bien",)}, {"status": StatusFilter.expired},
    {"provinces": ("ha-noi",), "levels": ("xa",), "years": (2025,), "status": StatusFilter.valid},
    {"levels": ("tinh", "khu_vuc"), "status": StatusFilter.revoked},
    {"levels": ("quoc_gia",), "status": StatusFilter.expired},
    {"levels": ("xa",), "status": StatusFilter.valid, "groups": ("co_khi",)},
])
def test_filters_facets_and_pages_match_a_plain_computation(engine: EmbeddedEngine,
                                                            filters: dict[str, Any]) -> None:
    docs = random_docs(400, seed=len(filters))
    engine.upsert(docs[:250])
    engine.upsert(docs[250:])
    engine.delete([docs[0]["id"]])
    docs = docs[1:]
    query = SearchQuery(today=TODAY, sort=SortOrder.newest, **filters)
    ids, facets = expected(docs, query)
    result = engine.search(query)
    assert result.total == len(ids)
    assert result.facets == facets
    for page in (1, 2, 7):
        paged = engine.search(SearchQuery(today=TODAY, sort=SortOrder.newest, page=page, per_page=15,
                                          **filters))
        assert [h.document["id"] for h in paged.hits] == ids[(page - 1) * 15:page * 15]


def test_a_second_engine_on_the_same_file_sees_writes(tmp_path: Path) -> None:
    writer, reader = EmbeddedEngine(tmp_path / "i.sqlite3"), EmbeddedEngine(tmp_path / "i.sqlite3")
    try:
        writer.upsert([make_doc(1, "Nón lá", group="khac")])
        assert search(reader).facets["group"] == {"khac": 1}
        writer.upsert([make_doc(1, "Nón lá", group="co_khi"), make_doc(2, "Chiếu")])
        assert search(reader).facets["group"] == {"co_khi": 1, "che_bien": 1}
        assert search(reader, groups=("khac",)).total == 0
    finally:
        writer.close()
        reader.close()


def test_sqlite_errors_become_unavailable(engine: EmbeddedEngine) -> None:
    engine.upsert([make_doc(1, "Nón lá")])
    conn = engine._connection()
    conn.execute("DROP TABLE facet_bits")
    engine._bits = None
    with pytest.raises(SearchUnavailable):
        search(engine, "nón")


def _has(indexed: set[tuple[str, int]], word: str, *, prefix: bool) -> bool:
    """True if the word is among the indexed (word, column) keys: exact in an exact column or
    folded in a folded one, or starting one with `prefix`."""
    forms = [(word, EXACT), (fold(word), FOLDED)]
    return any((term == form or (prefix and term.startswith(form))) and column in columns
               for term, column in indexed for form, columns in forms)


def _reference_match(text: str) -> set[int]:
    """Products matching `text` by brute force over the documents' indexed words: every word whole,
    the last as a prefix, or the words typed together as the start of a compact number."""
    words = query_words(text)
    compact = fold("".join(words))
    found: set[int] = set()
    for doc in DOCUMENTS:
        indexed = {(term, read)
                   for term, column in indexed_text(doc).keys(pairs=False) for read in read_as(column)}
        typed = all(_has(indexed, w, prefix=i == len(words) - 1) for i, w in enumerate(words))
        number = len(words) > 1 and any(c == COMPACT and t.startswith(compact) for t, c in indexed)
        if typed or number:
            found.add(doc["id"])
    return found


@pytest.mark.parametrize("text", ["g", "đ", "d", "m", "T", "gốm b", "che t", "mật o", "ks7h2q k", "123 q",
                                  "gố", "go", "đư", "du", "ch", "ma", "Ph", "n1", "gốm", "nuoc ma"])
@pytest.mark.parametrize("write", ["upsert", "replace_all"])
def test_a_prefix_matches_the_indexed_words(engine: EmbeddedEngine, text: str, write: str) -> None:
    """A lone word of one or two letters, or a last word of one, is answered from first-letter
    bitmaps, longer ones from ranges of the word bitmaps: the same products as a brute-force match
    of the documents' words, whether the bitmaps were written by upserts or by a full reindex."""
    if write == "upsert":
        engine.upsert(DOCUMENTS[:10])
        engine.upsert(DOCUMENTS[5:])
    else:
        engine.replace_all(iter([DOCUMENTS[:10], DOCUMENTS[10:]]))
    result = search(engine, text, per_page=100)
    expected = _reference_match(text)
    assert {hit.document["id"] for hit in result.hits} == expected
    assert result.total == len(expected)
    if text in ("g", "đ", "m", "gố", "đư", "ch", "gốm"):
        assert expected, text


def test_a_lone_letter_ranks_name_words_first_then_valid_then_newest(engine: EmbeddedEngine) -> None:
    engine.upsert([
        make_doc(1, "Chè xanh", description="Gói giấy", latest_issued=20250101),  # g only in the description
        make_doc(2, "Gạo thơm", valid_until="2024-12-31", latest_issued=20240101),  # expired
        make_doc(3, "Gốm men", latest_issued=20230101),
        make_doc(4, "Giỏ mây", latest_issued=20240601),
    ])
    assert [h.document["id"] for h in search(engine, "g").hits] == [4, 3, 2, 1]
    assert [h.document["id"] for h in search(engine, "g", per_page=2, page=2).hits] == [2, 1]
    assert [h.document["id"] for h in search(engine, "gi").hits] == [4, 1]
    valid = StatusFilter.valid
    assert [h.document["id"] for h in search(engine, "g", status=valid).hits] == [4, 3, 1]
    assert [h.document["id"] for h in search(engine, "g", status=valid, per_page=1, page=3).hits] == [1]
    assert [h.document["id"] for h in search(engine, "g", status=valid, per_page=2, page=2).hits] == [1]
    assert search(engine, "g", status=valid, per_page=2, page=3).hits == []


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12))
def test_a_code_is_read_as_its_words_in_the_three_number_columns(code: str) -> None:
    """The quick way for a verification code gives what splitting and folding it would."""
    columns, words = number_words(code)
    spelled = [*text_words(code), [compact_number(code)]]
    assert [(read, found) for column, found in zip(columns, words, strict=True) for read in read_as(column)] \
        == list(zip(NUMBER_COLUMNS, spelled, strict=True))


@pytest.mark.parametrize("write", ["upsert", "replace_all"])
def test_a_one_word_number_is_stored_once_and_found_in_each_of_its_columns(
        engine: EmbeddedEngine, write: str) -> None:
    documents = [make_doc(1, "Nón lá", certificate_codes=["KS7H2Q"], certificate_numbers=["123/QĐ-UBND"]),
                 make_doc(2, "Chiếu cói", certificate_codes=["AB12CD"], decision_numbers=["Đ45"])]
    if write == "upsert":
        engine.upsert(documents)
    else:
        engine.replace_all(iter([documents]))
    with closing(sqlite3.connect(engine.path)) as conn:
        rows = conn.execute("SELECT term, col FROM term_bits WHERE term IN ('ks7h2q', 'đ45', 'd45', '123')")
        stored = sorted(rows.fetchall())
    assert stored == [("123", COLUMNS.index("numbers")), ("123", COLUMNS.index("numbers_f")),
                      ("d45", COLUMNS.index("numbers_f")), ("d45", COMPACT), ("ks7h2q", SAME_NUMBER),
                      ("đ45", COLUMNS.index("numbers"))]
    for typed, expected in (("KS7H2Q", ["Nón lá"]), ("ks7h", ["Nón lá"]), ("đ45", ["Chiếu cói"]),
                            ("ab12cd", ["Chiếu cói"]), ("a", ["Chiếu cói"])):  # a code's first letter too
        assert names(search(engine, typed)) == expected, typed


def test_a_rebuild_leaves_every_index_of_a_new_file(tmp_path: Path) -> None:
    """A rebuild creates the row tables' indexes only once their rows are in: all of them."""
    def indexes(path: Path) -> list[tuple[str, str]]:
        with closing(sqlite3.connect(path)) as conn:
            sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            return conn.execute(sql).fetchall()

    rebuilt = EmbeddedEngine(tmp_path / "rebuilt.sqlite3")
    rebuilt.replace_all(iter([DOCUMENTS[:10], DOCUMENTS[10:]]))
    fresh = EmbeddedEngine(tmp_path / "fresh.sqlite3")
    assert len(indexes(fresh.path)) >= 6
    assert indexes(rebuilt.path) == indexes(fresh.path)
    rebuilt.close()
    fresh.close()


def test_a_large_rebuild_sends_whole_batches_and_gets_its_rows_in_key_order() -> None:
    """The pipes hold a batch's message (neither process waits for the other's batch), and the
    text rows come in primary-key order (each written after the last)."""
    written: dict[str, list[tuple[str, int]]] = {"term_bits": [], "pair_bits": []}
    child = embedded_build.ChildBuilder()
    try:
        for stream in (child._to, child._from):
            assert fcntl.fcntl(stream.fileno(), fcntl.F_GETPIPE_SZ) == embedded_build.PIPE_BYTES
        child.add([embedded_build.sent(doc) for doc in _rebuild_documents()])
        child.docs()
        child.finish(lambda table, rows: written[table].extend((term, column) for term, column, _ in rows))
    finally:
        child.close()
    assert written["term_bits"] and written["pair_bits"]
    assert all(keys == sorted(set(keys)) for keys in written.values())
