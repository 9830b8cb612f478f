"""The query sets the search benchmarks share: the fixed set of typical searches and the cold mix.

scripts/bench_search.py times both engines in-process on both sets; scripts/bench_load.py drives
the site with the cold mix under wrk. One definition, so "the cold mix" names the same queries in
every section of BENCHMARKS.md. Queries are written as catalog URL parameters and turned into a
SearchQuery by the app's own parser (app/web/search_params.py), so a benchmarked query means
exactly what the same link means on the site and the API.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from urllib.parse import parse_qs

from bench import BenchError  # scripts/bench.py: the error every benchmark reports as one line

from app.domain.provinces import current_provinces
from app.web.search_params import RawSearchParams, build_search_query
from search.engine import SearchQuery
from search.result_cache import DEFAULT_MAX_ENTRIES

# Typical searches of the synthetic catalog's vocabulary (app/services/demo/words.py), labelled:
# no text, words with and without diacritics, a typo, current and former provinces, group, level,
# year, status and a sort. Timed many times each: the popular queries a site sees again and again.
FIXED: tuple[tuple[str, str], ...] = (
    ("no text", ""),
    ("one word: gốm", "q=gốm"),
    ("two words: nước mắm", "q=nước+mắm"),
    ("unaccented: banh trang", "q=banh+trang"),
    ("typo: gạo thơmm", "q=gạo+thơmm"),
    ("province: ha-noi", "province=ha-noi"),
    ("status=valid", "status=valid"),
    ("group + level", "group=che_bien&level=tinh"),
    ("year + level", "year=2023&level=quoc_gia"),
    ("mật ong + province + valid", "q=mật+ong&province=lam-dong&status=valid"),
    ("former province + gom, newest", "q=gom&province=bac-giang&sort=newest"),
)
WORDS = ("gốm", "nước mắm", "mật ong", "bánh tráng", "chè")
GROUPS = ("thu_cong_my_nghe", "che_bien", "co_khi", "khac")


def cold_mix() -> tuple[str, ...]:
    """Distinct typical queries (province × group, word × province, word × page, year × group), more
    than the result cache holds, so that going through them once, or in rotation, computes every one."""
    provinces = [p.slug for p in current_provinces()]
    mix = [f"province={p}&group={g}" for p in provinces for g in GROUPS]
    mix += [f"q={w.replace(' ', '+')}&province={p}" for w in WORDS for p in provinces]
    mix += [f"q={w.replace(' ', '+')}&page={n}" for w in WORDS for n in range(1, 41)]
    mix += [f"year={y}&group={g}" for y in range(2012, 2027) for g in GROUPS]
    if len(mix) <= DEFAULT_MAX_ENTRIES:
        raise BenchError(f"the cold mix has {len(mix)} queries, no more than the cache holds")
    return tuple(mix)


COLD_MIX = cold_mix()


def shuffled(mix: Sequence[str], *, seed: int) -> list[str]:
    """`mix` in a random order that depends only on `seed`: both engines get the same sequence."""
    order = list(mix)
    random.Random(seed).shuffle(order)  # noqa: S311 - an order of benchmark queries, not a secret
    return order


def search_query(params: str, *, today: date) -> SearchQuery:
    """The SearchQuery the site builds from these URL parameters (`q=gốm&province=ha-noi`)."""
    values = parse_qs(params)

    def many(name: str) -> tuple[str, ...]:
        return tuple(values.get(name, ()))

    def one(name: str) -> str:
        return values.get(name, [""])[0]

    raw = RawSearchParams(q=one("q"), province=many("province"), group=many("group"), level=many("level"),
                          year=many("year"), status=one("status"), sort=one("sort"), page=one("page"),
                          per_page=one("per_page"))
    return build_search_query(raw, today=today)
