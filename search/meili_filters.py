"""SearchQuery filters → Meilisearch filter expressions, every value quoted and escaped.

Values within one facet are OR-ed, facets AND-ed; level and status filter together, as in
app/domain/standing.py `matches`: a status is decided on the query's `today` from the runs
of valid days each document carries per level (`valid_runs`, search/meili_settings.py),
never read from a stored flag.

Escaping follows Meilisearch's filter parser (milli `filter-parser`, `quoted_by`): inside
double quotes a backslash consumes the next character, and only `\\"` is turned back into
`"`. So a quote is written `\\"` and other backslashes are left alone; a value whose quote
or end would follow an odd run of backslashes cannot be written at all. Such a value can
equal no stored slug or code, so it becomes a clause that matches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.levels import Level
from app.domain.provinces import province_by_slug
from app.domain.standing import ANY, MAX_RUNS
from search.documents import date_key
from search.engine import LEVEL_STATUS, SearchQuery, StatusFilter

# A clause no document satisfies: ids are positive.
MATCH_NOTHING = "id < 0"
# Facet field of the query model → the Meilisearch document field it filters and counts.
FACET_ATTRIBUTES = {"province": "province", "group": "group", "level": "levels", "year": "years"}


def _backslash_run_before(value: str, index: int) -> int:
    """How many backslashes end `value[:index]`."""
    run = 0
    while index - run > 0 and value[index - run - 1] == "\\":
        run += 1
    return run


def is_quotable(value: str) -> bool:
    """True if `value` can be written as a Meilisearch quoted string and read back unchanged."""
    if _backslash_run_before(value, len(value)) % 2:
        return False
    return all(_backslash_run_before(value, i) % 2 == 0 for i, ch in enumerate(value) if ch == '"')


def quote_value(value: str) -> str | None:
    """`value` as a double-quoted filter string (quotes escaped), or None if it cannot be written."""
    if not is_quotable(value):
        return None
    return '"' + value.replace('"', '\\"') + '"'


def in_clause(attribute: str, values: Sequence[str]) -> str:
    """`attribute IN ["a", "b"]` over the writable values; MATCH_NOTHING if none is."""
    quoted = [q for q in (quote_value(v) for v in values) if q is not None]
    if not quoted:
        return MATCH_NOTHING
    return f"{attribute} IN [{', '.join(quoted)}]"


def province_clause(slugs: Sequence[str]) -> str:
    """A current province matches products now in it; a former one, products certified there."""
    former = [s for s in slugs if (p := province_by_slug(s)) is not None and not p.is_current]
    current = [s for s in slugs if s not in former]
    parts = []
    if current:
        parts.append(in_clause("province", current))
    if former:
        parts.append(in_clause("certified_provinces", former))
    return "(" + " OR ".join(parts) + ")"


def _valid_clause(key: str, day: int) -> str:
    """Some run of `key` (a level or ANY) holds `day`; a missing run compares false."""
    runs = (f"(valid_runs.{key}.r{n}.first <= {day} AND valid_runs.{key}.r{n}.last >= {day})"
            for n in range(MAX_RUNS))
    return "(" + " OR ".join(runs) + ")"


def _status_at_clause(key: str, status: StatusFilter, day: int) -> str:
    """app.domain.standing.status_at of `key` on `day` equals `status`.

    `key` is a known level code or ANY, never user text: it becomes part of a field name.
    """
    valid = _valid_clause(key, day)
    if status == StatusFilter.valid:
        return valid
    revoked = f"(valid_runs.{key}.revoked_on >= 1 AND valid_runs.{key}.revoked_on <= {day})"
    if status == StatusFilter.revoked:
        return f"({revoked} AND NOT {valid})"
    certified = [] if key == ANY else [in_clause("levels", [key])]
    return "(" + " AND ".join([*certified, f"NOT {valid}", f"NOT {revoked}"]) + ")"


def level_status_clause(levels: Sequence[str], status: StatusFilter, day: int) -> str:
    """A certificate at one of `levels` has `status` on `day` (status all: certified there);
    without levels, the product's own status. Unknown level codes match nothing."""
    if status == StatusFilter.all:
        return "(" + in_clause("levels", levels) + ")"
    keys = [level for level in levels if level in Level.__members__] if levels else [ANY]
    if not keys:
        return MATCH_NOTHING
    return "(" + " OR ".join(_status_at_clause(key, status, day) for key in keys) + ")"


def filter_clauses(query: SearchQuery) -> dict[str, str]:
    """Facet field → its filter clause, for the filters the query sets."""
    clauses: dict[str, str] = {}
    if query.provinces:
        clauses["province"] = province_clause(query.provinces)
    if query.groups:
        clauses["group"] = "(" + in_clause("group", query.groups) + ")"
    if query.years:
        clauses["year"] = f"(years IN [{', '.join(str(int(y)) for y in query.years)}])"
    if query.levels or query.status != StatusFilter.all:
        clauses[LEVEL_STATUS] = level_status_clause(query.levels, query.status, date_key(query.today))
    return clauses


def combine(clauses: dict[str, str], *, skip: str | None = None, extra: str | None = None) -> str | None:
    """AND of every clause but `skip`'s (plus `extra`); None when nothing filters."""
    parts = [clause for field, clause in clauses.items() if field != skip]
    if extra is not None:
        parts.append(extra)
    return " AND ".join(parts) or None
