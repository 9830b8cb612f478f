"""The query sets the search benchmarks share: the fixed set of typical searches and the cold mix.

scripts/bench_search.py times both engines in-process on both sets; scripts/bench_load.py drives
the site with the cold mix under wrk. One definition, so "the cold mix" names the same queries in
every section of BENCHMARKS.md. Queries are written as catalog URL parameters and turned into a
SearchQuery by the app's own parser (app/web/search_params.py), so a benchmarked query means
exactly what the same link means on the site and the API.

The cold mix is generated from the synthetic catalog's vocabulary (app/services/demo/words.py) with
a fixed seed: the same distinct queries on every machine and run, each labelled with its shape.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs

from bench import BenchError  # scripts/bench.py: the error every benchmark reports as one line

from app.domain.levels import Level
from app.domain.provinces import all_provinces
from app.domain.text import fold
from app.services.demo.synthetic import VARIANTS
from app.services.demo.words import BRANDS, PRODUCTS
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

# Shapes of the cold mix, and how many distinct queries of each: more in all than the result
# cache holds, so going through them once, or in rotation, computes every one.
SHAPES: dict[str, int] = {
    "text": 130, "text + filters": 130, "filters": 100, "deep page": 60, "prefix": 60, "typo": 60,
    "sort": 40,
}
SEED = 16  # issue 16
TODAY = date(2026, 11, 21)  # parsing only; a query's status filter is evaluated on the engine's side
GROUPS = ("thu_cong_my_nghe", "che_bien", "co_khi", "khac")
LEVELS = tuple(level.value for level in Level)
YEARS = tuple(range(2012, 2027))
STATUSES = ("valid", "expired", "revoked")
SORTS = ("newest", "name")
# Listings with at least 1,000 products in a synthetic catalog of 20,000 or more (≥ 50 pages of 20):
# where someone pages deep.
DEEP_BASES = ("", "q=gốm", "q=gom", "q=máy", "q=may", "group=che_bien", "group=thu_cong_my_nghe",
              "group=co_khi", "status=valid", "status=expired", "level=tinh", "level=huyen",
              "group=che_bien&status=valid", "group=thu_cong_my_nghe&level=tinh")
MIN_TYPO_WORD = 5  # the engines correct one edit in words of 5+ letters
TYPO_LETTERS = "aeioudghnmtcr"  # plain letters, as a slip of the finger types them


@dataclass(frozen=True, slots=True)
class ColdQuery:
    """One query of the cold mix: its shape and its URL parameters (`q=gốm&province=ha-noi`)."""

    shape: str
    params: str


def _words(text: str) -> list[str]:
    return text.lower().split()


def _stems() -> list[list[str]]:
    """Every product stem and trade word of the vocabulary, as lists of lowercase words."""
    texts = {text for group in PRODUCTS.values() for pair in group for text in pair}
    return [_words(text) for text in sorted(texts)]


def _phrases(size: int) -> list[str]:
    """Runs of `size` consecutive words of the stems; for three words also stem + brand word."""
    runs = {" ".join(s[i:i + size]) for s in _stems() for i in range(len(s) - size + 1)}
    if size == 3:
        runs |= {" ".join(s[:2]) + " " + _words(b)[0] for s in _stems() if len(s) >= 2 for b in BRANDS}
    return sorted(runs)


def _as_typed(rng: random.Random, text: str) -> str:
    """`text` with its diacritics or without, as people type either."""
    return text if rng.random() < 0.5 else fold(text)


def _q(text: str) -> str:
    return "q=" + text.replace(" ", "+")


class _Filters:
    """Random filter parameters: current and former provinces, group, level, year, status."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        provinces = all_provinces()
        self.current = [p.slug for p in provinces if p.is_current]
        self.former = [p.slug for p in provinces if not p.is_current]

    def one(self, kind: str) -> str:
        """One parameter of `kind`."""
        rng = self.rng
        choices: dict[str, Callable[[], str]] = {
            "province": lambda: "province=" + rng.choice(self.current),
            "former": lambda: "province=" + rng.choice(self.former),
            "group": lambda: "group=" + rng.choice(GROUPS),
            "level": lambda: "level=" + rng.choice(LEVELS),
            "year": lambda: f"year={rng.choice(YEARS)}",
            "status": lambda: "status=" + rng.choice(STATUSES),
        }
        return choices[kind]()

    def some(self, count: int) -> str:
        """`count` parameters of different kinds (a current and a former province never together)."""
        kinds = self.rng.sample(["province", "former", "group", "level", "year", "status"], count)
        if "province" in kinds and "former" in kinds:
            kinds.remove("former")
        return "&".join(self.one(kind) for kind in kinds)


def _typo(rng: random.Random, word: str) -> str:
    """`word` with one edit: a letter deleted, doubled, replaced or two neighbours swapped."""
    i = rng.randrange(1, len(word) - 1)  # not the first letter: people rarely miss that one
    edit = rng.choice(("delete", "insert", "replace", "swap"))
    if edit == "delete":
        return word[:i] + word[i + 1:]
    if edit == "insert":
        return word[:i] + rng.choice((word[i], rng.choice(TYPO_LETTERS))) + word[i:]
    if edit == "replace":
        return word[:i] + rng.choice(TYPO_LETTERS.replace(word[i], "")) + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


class _Generator:
    """Draws candidate queries of each shape from the vocabulary, all from one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.filters = _Filters(self.rng)
        self.one, self.two, self.three = (_phrases(n) for n in (1, 2, 3))
        vocabulary = {w for s in _stems() for w in s} | {w for b in BRANDS for w in _words(b)} \
            | {w for v in VARIANTS for w in _words(v)}
        self.vocabulary = vocabulary | {fold(w) for w in vocabulary}
        self.long_words = sorted(w for w in vocabulary if len(w) >= MIN_TYPO_WORD)

    def text(self) -> str:
        """One, two or three words of the vocabulary, with or without diacritics."""
        pool = self.rng.choice((self.one, self.two, self.two, self.three))
        return _as_typed(self.rng, self.rng.choice(pool))

    def shape(self, name: str) -> str:
        """A candidate query of shape `name` (URL parameters)."""
        method: Callable[[], str] = getattr(self, "_" + name.replace(" + ", "_").replace(" ", "_"))
        return method()

    def _text(self) -> str:
        return _q(self.text())

    def _text_filters(self) -> str:
        return _q(_as_typed(self.rng, self.rng.choice(self.one + self.two))) + "&" \
            + self.filters.some(self.rng.choice((1, 1, 2)))

    def _filters(self) -> str:
        return self.filters.some(self.rng.choice((1, 2, 2, 3)))

    def _deep_page(self) -> str:
        base = self.rng.choice(DEEP_BASES)
        return (base + "&" if base else "") + f"page={self.rng.randint(5, 50)}"

    def _prefix(self) -> str:
        words = self.rng.choice(self.two).split()
        typed = words[0][: self.rng.choice((1, 2))] if self.rng.random() < 0.5 \
            else f"{words[0]} {words[1][: self.rng.choice((1, 2))]}"
        return _q(_as_typed(self.rng, typed))

    def _typo(self) -> str:
        word = self.rng.choice(self.long_words)
        wrong = _typo(self.rng, _as_typed(self.rng, word))
        if wrong in self.vocabulary:
            return ""  # an edit that made another real word is no typo: drawn again
        partner = self.rng.choice(self.one)
        return _q(self.rng.choice((wrong, f"{wrong} {partner}", f"{partner} {wrong}")))

    def _sort(self) -> str:
        base = _q(self.text()) if self.rng.random() < 0.6 else self.filters.some(1)
        return f"{base}&sort={self.rng.choice(SORTS)}"


def cold_queries(seed: int = SEED) -> tuple[ColdQuery, ...]:
    """The cold mix: SHAPES[shape] distinct queries of each shape, distinct as URLs and as parsed
    SearchQuery alike (so no two share a cached result), in a fixed order for `seed`."""
    generator = _Generator(seed)
    seen_params: set[str] = set()
    seen_queries: set[SearchQuery] = set()
    mix: list[ColdQuery] = []
    for shape, wanted in SHAPES.items():
        made, attempts = 0, 0
        while made < wanted:
            attempts += 1
            if attempts > wanted * 200:
                raise BenchError(f"cannot draw {wanted} distinct {shape!r} queries from the vocabulary")
            params = generator.shape(shape)
            if not params or params in seen_params:
                continue
            query = search_query(params, today=TODAY)
            if query in seen_queries:
                continue
            seen_params.add(params)
            seen_queries.add(query)
            mix.append(ColdQuery(shape, params))
            made += 1
    if len(mix) <= DEFAULT_MAX_ENTRIES:
        raise BenchError(f"the cold mix has {len(mix)} queries, no more than the cache holds")
    return tuple(mix)


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


COLD: tuple[ColdQuery, ...] = cold_queries()
COLD_MIX: tuple[str, ...] = tuple(q.params for q in COLD)  # URL parameters, as wrk and the engines get them
COLD_SHAPE: dict[str, str] = {q.params: q.shape for q in COLD}  # URL parameters → shape
