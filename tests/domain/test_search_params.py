"""Catalog and API parameters: accepted forms and clear refusals."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import InvalidInput
from app.web.search_params import RawSearchParams, build_search_query
from search.engine import SortOrder, StatusFilter

TODAY = date(2026, 11, 21)


def test_forgiving_values_become_codes() -> None:
    query = build_search_query(
        RawSearchParams(q="  bánh   tráng ", province=("Da Nang", "bac-giang,79"), group=("2",),
                        level=("Cấp quốc gia",), year=("2023",), status="valid", sort="newest"),
        today=TODAY,
    )
    assert query.text == "bánh tráng"
    assert query.provinces == ("da-nang", "bac-giang", "ho-chi-minh")
    assert query.groups == ("che_bien",)
    assert query.levels == ("quoc_gia",)
    assert query.years == (2023,)
    assert query.status is StatusFilter.valid and query.sort is SortOrder.newest
    assert query.today == TODAY


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (RawSearchParams(province=("Atlantis",)), "province"),
        (RawSearchParams(group=("9",)), "group"),
        (RawSearchParams(level=("cap vu tru",)), "level"),
        (RawSearchParams(year=("20x3",)), "year"),
        (RawSearchParams(status="valid OR 1=1"), "status"),
        (RawSearchParams(sort="price"), "sort"),
        (RawSearchParams(page="-1"), "page"),
        (RawSearchParams(per_page="1000000"), "per_page"),
        (RawSearchParams(q="x" * 10_000), "q"),
    ],
)
def test_bad_values_name_the_parameter(raw: RawSearchParams, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        build_search_query(raw, today=TODAY)
    assert info.value.field == field
    assert info.value.message
