"""SearchQuery filters → Meilisearch filter expressions, every value quoted and escaped.

Values within one facet are OR-ed, facets AND-ed; status is compared with the query's
`today` exactly as search.documents.document_status does, never read from a stored flag.

Escaping follows Meilisearch's filter parser (milli `filter-parser`, `quoted_by`): inside
double quotes a backslash consumes the next character, and only `\\"` is turned back into
`"`. So a quote is written `\\"` and other backslashes are left alone; a value whose quote
or end would follow an odd run of backslashes cannot be written at all. Such a value can
equal no stored slug or code, so it becomes a clause that matches nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.provinces import province_by_slug
from search.documents import date_key
from search.engine import SearchQuery, StatusFilter

# A clause no document satisfies: valid_through is a yyyymmdd integer or 0.
MATCH_NOTHING = "valid_through < 0"
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


def status_clause(status: StatusFilter, today_key: int) -> str:
    """The status condition on a yyyymmdd day, as in document_status (revoked_on 0 = never)."""
    day = int(today_key)
    if status == StatusFilter.valid:
        return f"valid_through >= {day}"
    if status == StatusFilter.revoked:
        return f"(valid_through < {day} AND revoked_on > 0 AND revoked_on <= {day})"
    return f"(valid_through < {day} AND (revoked_on = 0 OR revoked_on > {day}))"


def filter_clauses(query: SearchQuery) -> dict[str, str]:
    """Facet field → its filter clause, for the filters the query sets."""
    clauses: dict[str, str] = {}
    if query.provinces:
        clauses["province"] = province_clause(query.provinces)
    if query.groups:
        clauses["group"] = "(" + in_clause("group", query.groups) + ")"
    if query.levels:
        clauses["level"] = "(" + in_clause("levels", query.levels) + ")"
    if query.years:
        clauses["year"] = f"(years IN [{', '.join(str(int(y)) for y in query.years)}])"
    if query.status != StatusFilter.all:
        clauses["status"] = status_clause(query.status, date_key(query.today))
    return clauses


def combine(clauses: dict[str, str], *, skip: str | None = None, extra: str | None = None) -> str | None:
    """AND of every clause but `skip`'s (plus `extra`); None when nothing filters."""
    parts = [clause for field, clause in clauses.items() if field != skip]
    if extra is not None:
        parts.append(extra)
    return " AND ".join(parts) or None
