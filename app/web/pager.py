"""The catalog pager's numbers: first, last, the current page ± 2, and gaps shown as ellipses."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.facet_links import page_url
from search.engine import SearchQuery

AROUND = 2  # pages shown on each side of the current one


@dataclass(frozen=True, slots=True)
class PageLink:
    """One pager item: a page number with its URL, or an ellipsis (`number` None) for skipped pages."""

    number: int | None
    url: str = ""
    current: bool = False


def page_numbers(current: int, last: int, *, around: int = AROUND) -> list[int | None]:
    """Page numbers to show, None where pages are skipped; a gap of one page shows that page instead."""
    wanted = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        previous = shown[-1] if shown else None
        if previous is not None and number - previous == 2:
            shown.append(number - 1)
        elif previous is not None and number - previous > 2:
            shown.append(None)
        shown.append(number)
    return shown


def page_links(query: SearchQuery, page_count: int) -> list[PageLink]:
    """The pager of a results page: each number links to that page with the same filters and sort."""
    return [PageLink(None) if n is None else PageLink(n, page_url(query, n), current=n == query.page)
            for n in page_numbers(query.page, page_count)]
