"""One contract for every engine: the same documents and queries, the same answers.

Both legs always run. The Meilisearch leg runs on the test session's real server (the
`meili_server` fixture: CNNT_MEILI_URL if set, else a throwaway one from the pinned binary), in
a fresh, uniquely named index per session, deleted afterwards: no stand-in server exists for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.levels import Level
from app.domain.standing import matches
from search.documents import ProductDocument
from search.embedded import EmbeddedEngine
from search.engine import SearchEngine, SearchQuery, StatusFilter
from tests.search.contract_data import (
    ADDRESS_CASES,
    ADDRESS_DOCUMENTS,
    ADDRESS_ONLY_FOR_TRA,
    CASES,
    DOCUMENTS,
    STANDING_CASES,
    STANDING_DAY,
    STANDING_DOCUMENTS,
    TODAY,
    Case,
    make_doc,
)

ENGINES = ["embedded", pytest.param("meilisearch", marks=pytest.mark.meili)]
EngineFactory = Callable[[str], SearchEngine]


@pytest.fixture(scope="module")
def open_engine(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineFactory]:
    """Opens empty engines of the parametrized kind; drops what it made at the end."""
    kind: str = request.param
    made: list[SearchEngine] = []
    url, key = request.getfixturevalue("meili_server") if kind == "meilisearch" else ("", "")
    session = uuid.uuid4().hex[:12]

    def factory(label: str) -> SearchEngine:
        if kind == "embedded":
            engine: SearchEngine = EmbeddedEngine(Path(tmp_path_factory.mktemp(label)) / "index.sqlite3")
        else:
            from search.meili import MeiliEngine

            meili = MeiliEngine(url, key, index_uid=f"cnnt_contract_{session}_{label}", timeout_s=30.0)
            meili.ensure_index()
            engine = meili
        made.append(engine)
        return engine

    yield factory
    for engine in made:
        engine.close()
    if kind == "meilisearch":
        labels = ("loaded", "scratch", "standing", "address", "validity")
        _drop_indexes(url, key, [f"cnnt_contract_{session}_{label}" for label in labels])


def _drop_indexes(url: str, key: str, uids: list[str]) -> None:
    """Delete the session's indexes from the real server."""
    import meilisearch

    client = meilisearch.Client(url, key or None)
    for uid in uids:
        client.wait_for_task(client.delete_index(uid).task_uid, timeout_in_ms=30_000)


@pytest.fixture(scope="module")
def loaded(open_engine: EngineFactory) -> SearchEngine:
    """An engine holding the 30 contract documents, shared by the read-only cases."""
    engine = open_engine("loaded")
    engine.upsert(DOCUMENTS)
    return engine


@pytest.fixture(scope="module")
def standing(open_engine: EngineFactory) -> SearchEngine:
    """An engine holding the standing set (several certificates per product)."""
    engine = open_engine("standing")
    engine.upsert(STANDING_DOCUMENTS)
    return engine


@pytest.fixture(scope="module")
def address_set(open_engine: EngineFactory) -> SearchEngine:
    """An engine holding the address set (products found by their producer's address)."""
    engine = open_engine("address")
    engine.upsert(ADDRESS_DOCUMENTS)
    return engine


@pytest.fixture
def scratch(open_engine: EngineFactory) -> SearchEngine:
    """An emptied engine for the cases that write."""
    engine = open_engine("scratch")
    engine.clear()
    return engine


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test here runs once per engine (the module-scoped `open_engine` is indirect)."""
    if "open_engine" in metafunc.fixturenames:
        metafunc.parametrize("open_engine", ENGINES, indirect=True, scope="module")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_query_case(loaded: SearchEngine, case: Case) -> None:
    result = loaded.search(case.query)
    slugs = [hit.document["slug"] for hit in result.hits]
    assert sorted(slugs) == sorted(case.slugs)
    assert tuple(slugs[:len(case.leading)]) == case.leading
    assert result.total == (len(case.slugs) if case.total is None else case.total)
    for field, counts in case.facets.items():
        assert result.facets[field] == counts, field


@pytest.mark.parametrize("case", STANDING_CASES, ids=[c.name for c in STANDING_CASES])
def test_standing_case(standing: SearchEngine, case: Case) -> None:
    test_query_case(standing, case)


@pytest.mark.parametrize("case", ADDRESS_CASES, ids=[c.name for c in ADDRESS_CASES])
def test_address_case(address_set: SearchEngine, case: Case) -> None:
    test_query_case(address_set, case)


@pytest.mark.parametrize("text", ["tra", "trà", "Trà"])
def test_name_matches_rank_above_an_address_match(address_set: SearchEngine, text: str) -> None:
    """"trà" is not taken over by a product on phố Trà Lý: it comes, but after every name match."""
    result = address_set.search(SearchQuery(today=TODAY, text=text))
    slugs = [hit.document["slug"] for hit in result.hits]
    assert {"tra-xanh-hao-dat", "tra-hoa-vang-ba-che", ADDRESS_ONLY_FOR_TRA} <= set(slugs)
    assert slugs[-1] == ADDRESS_ONLY_FOR_TRA
    assert result.total == len(slugs)


def test_address_match_leaves_highlighting_alone(address_set: SearchEngine) -> None:
    """Highlights mark the name only: an address-only hit keeps its plain name, a name hit its marks."""
    hits = {h.document["slug"]: h.name_highlighted for h in address_set.search(
        SearchQuery(today=TODAY, text="tan cuong")).hits}
    assert hits == {"che-tan-cuong": "Chè \ue000Tân\ue001 \ue000Cương\ue001",
                    "tra-xanh-hao-dat": "Trà xanh Hảo Đạt"}


DAYS = (TODAY, STANDING_DAY, date(2025, 6, 15), date(2026, 1, 1), date(2026, 12, 20), date(2019, 3, 1))
STATES = [s.value for s in StatusFilter]


def _expected(documents: list[ProductDocument], levels: tuple[str, ...], status: str, day: date) -> set[str]:
    """The slugs app.domain.standing.matches lets through."""
    return {d["slug"] for d in documents if matches(d["validity"], levels, status, on=day)}


@pytest.mark.parametrize("data", ["contract", "standing"])
def test_every_level_and_status_follows_the_domain_rule(loaded: SearchEngine, standing: SearchEngine,
                                                          data: str) -> None:
    """Every level × status × day: hits, total and the level and status counts are the rule's."""
    engine, documents = (loaded, DOCUMENTS) if data == "contract" else (standing, STANDING_DOCUMENTS)
    for day in DAYS:
        for status in STATES:
            for levels in [(), *((level.value,) for level in Level), ("quoc_gia", "tinh")]:
                query = SearchQuery(today=day, levels=levels, status=StatusFilter(status), per_page=100)
                result = engine.search(query)
                where = f"{levels} {status} {day}"
                found = {h.document["slug"] for h in result.hits}
                assert found == _expected(documents, levels, status, day), where
                level_counts = {lv.value: len(_expected(documents, (lv.value,), status, day)) for lv in Level}
                assert result.facets["level"] == {k: v for k, v in level_counts.items() if v}, where
                status_counts = {s: len(_expected(documents, levels, s, day)) for s in STATES if s != "all"}
                assert result.facets["status"] == {k: v for k, v in status_counts.items() if v}, where


def test_valid_products_rank_before_expired_and_revoked_among_equals(open_engine: EngineFactory) -> None:
    """Equally relevant matches (same name, nothing else matching): valid on the day first, even
    when an expired or revoked one holds the newer certificate; the order does not go stale."""
    engine = open_engine("validity")
    engine.upsert([
        make_doc(1, "Mật ong bạc hà", valid_until="2025-06-30", latest_issued=20250101),  # expired
        make_doc(2, "Mật ong bạc hà", valid_until="2027-12-31", latest_issued=20211201),  # valid
        make_doc(3, "Mật ong bạc hà", valid_until="2029-12-31", revoked_on=20250301,
                 latest_issued=20241201),  # revoked before the day
        make_doc(4, "Mật ong bạc hà", valid_until="2026-06-30", latest_issued=20220601),  # valid
    ])
    ids = [h.document["id"] for h in engine.search(SearchQuery(today=TODAY, text="mật ong bạc hà")).hits]
    assert sorted(ids[:2]) == [2, 4] and sorted(ids[2:]) == [1, 3], ids
    later = engine.search(SearchQuery(today=date(2027, 1, 1), text="mat ong")).hits
    assert later[0].document["id"] == 2, [h.document["id"] for h in later]


def test_highlight_marks_matched_words(loaded: SearchEngine) -> None:
    hit = loaded.search(SearchQuery(today=TODAY, text="duong phen")).hits[0]
    assert hit.name_highlighted == "\ue000Đường\ue001 \ue000phèn\ue001 Quảng Ngãi"
    first = loaded.search(SearchQuery(today=TODAY, text="", per_page=1)).hits[0]
    assert first.name_highlighted == "Lụa Vạn Phúc"


def test_documents_come_back_whole(loaded: SearchEngine) -> None:
    hit = loaded.search(SearchQuery(today=TODAY, text="KS7H2Q")).hits[0]
    assert hit.document == next(d for d in DOCUMENTS if d["slug"] == "chieu-coi")


def test_upsert_replaces_delete_removes_and_fingerprints(scratch: SearchEngine) -> None:
    first, second = make_doc(1, "Nón lá"), make_doc(2, "Chiếu cói")
    scratch.upsert([first, second])
    renamed = make_doc(1, "Nón bài thơ")
    scratch.upsert([renamed])
    assert scratch.fingerprints() == {1: renamed["fingerprint"], 2: second["fingerprint"]}
    assert scratch.search(SearchQuery(today=TODAY, text="lá")).total == 0
    assert [h.document["name"] for h in scratch.search(SearchQuery(today=TODAY, text="bài thơ")).hits] == \
        ["Nón bài thơ"]
    scratch.delete([2, 99])
    assert scratch.fingerprints() == {1: renamed["fingerprint"]}
    assert scratch.search(SearchQuery(today=TODAY)).facets["year"] == {"2023": 1}
    scratch.clear()
    assert scratch.fingerprints() == {}
    assert scratch.search(SearchQuery(today=TODAY)).total == 0


def test_replace_all_leaves_exactly_the_new_documents(scratch: SearchEngine) -> None:
    scratch.upsert([make_doc(1, "Nón lá"), make_doc(2, "Chiếu cói")])
    renamed, third, fourth = make_doc(1, "Nón bài thơ"), make_doc(3, "Mật ong"), make_doc(4, "Gốm Chu Đậu")
    assert scratch.replace_all(iter([[third], [], [fourth, renamed]])) == 3
    assert scratch.fingerprints() == {d["id"]: d["fingerprint"] for d in (renamed, third, fourth)}
    assert scratch.search(SearchQuery(today=TODAY, text="chiếu")).total == 0
    assert [h.document["name"] for h in scratch.search(SearchQuery(today=TODAY, text="gom")).hits] == \
        ["Gốm Chu Đậu"]


def test_fingerprints_page_through_many_documents(scratch: SearchEngine) -> None:
    documents = [make_doc(i, f"Sản phẩm {i}") for i in range(1, 1201)]
    scratch.upsert(documents)
    assert scratch.fingerprints() == {d["id"]: d["fingerprint"] for d in documents}
