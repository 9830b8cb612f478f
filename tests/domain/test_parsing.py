"""Spreadsheet value parsers: forgiving about spelling, never raising anything but ParseError."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import parsing as p
from app.domain.groups import ProductGroup
from app.domain.levels import Level
from app.domain.regions import Region


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-12-15", date(2023, 12, 15)),
        ("2023-12-15 00:00:00", date(2023, 12, 15)),
        ("15/12/2023", date(2023, 12, 15)),
        ("5/1/2024", date(2024, 1, 5)),
        ("15-12-2023", date(2023, 12, 15)),
        (" 15.12.2023 ", date(2023, 12, 15)),
        (45275, date(2023, 12, 15)),
        (45275.0, date(2023, 12, 15)),
        ("45275", date(2023, 12, 15)),
        (datetime(2023, 12, 15, 8, 30), date(2023, 12, 15)),
        (date(2023, 12, 15), date(2023, 12, 15)),
    ],
)
def test_dates(raw: object, expected: date) -> None:
    assert p.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2023", "2023/13/01", "hôm qua", "", None, True, -5, 1e308, "12/2023",
                                 "01/01/1850", float("nan")])
def test_bad_dates(raw: object) -> None:
    with pytest.raises(p.ParseError) as info:
        p.parse_date(raw)
    assert info.value.message


def test_codes_and_labels() -> None:
    assert p.parse_level_value("Cấp Quốc gia") == Level.quoc_gia
    assert p.parse_level_value("khu vuc") == Level.khu_vuc
    assert p.parse_group_value(2) == ProductGroup.che_bien
    assert p.parse_group_value(2.0) == ProductGroup.che_bien
    assert p.parse_group_value("Thủ công mỹ nghệ") == ProductGroup.thu_cong_my_nghe
    assert p.parse_region_value("Miền Trung – Tây Nguyên") == Region.trung_tay_nguyen
    assert p.parse_province_value("TP HCM").slug == "ho-chi-minh"
    assert p.parse_province_value("Bac Giang").slug == "bac-giang"
    with pytest.raises(p.ParseError, match="Không rõ cấp"):
        p.parse_level_value("cấp thôn")


@pytest.mark.parametrize(("raw", "expected"), [("85,5", 85.5), (90, 90.0), ("0", 0.0), (100.0, 100.0)])
def test_scores(raw: object, expected: float) -> None:
    assert p.parse_score(raw) == expected


@pytest.mark.parametrize("raw", ["100,1", -1, "nhiều", True, "inf", float("nan")])
def test_bad_scores(raw: object) -> None:
    with pytest.raises(p.ParseError):
        p.parse_score(raw)


def test_contacts() -> None:
    assert p.parse_email(" lienhe@vi-du.example ") == "lienhe@vi-du.example"
    assert p.parse_website("vi-du.example/a") == "https://vi-du.example/a"
    assert p.parse_website("http://vi-du.example") == "http://vi-du.example"
    assert p.parse_phone(900000123) == "0900000123"
    assert p.parse_phone("0900 000 123") == "0900 000 123"
    for bad_email in ("a@b", "không có", "a@@b.vn", "x@y.vn, z@t.vn"):
        with pytest.raises(p.ParseError):
            p.parse_email(bad_email)
    for bad_site in ("ftp://vi-du.example", "không phải web", "http://", "javascript:alert(1)"):
        with pytest.raises(p.ParseError):
            p.parse_website(bad_site)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("HTX", p.LegalForm.htx), ("Hợp tác xã", p.LegalForm.htx), ("Tổ hợp tác", p.LegalForm.to_hop_tac),
     ("hộ kinh doanh", p.LegalForm.ho_kinh_doanh), ("Doanh nghiệp", p.LegalForm.doanh_nghiep),
     ("doanh_nghiep", p.LegalForm.doanh_nghiep)],
)
def test_legal_forms(raw: str, expected: p.LegalForm) -> None:
    assert p.parse_legal_form(raw) == expected


def test_text_and_images() -> None:
    assert p.clean_text("  Mỳ   Chũ ", max_length=10) == "Mỳ Chũ"
    assert p.clean_text("   ", max_length=10) is None
    assert p.clean_text(12.0, max_length=10) == "12"
    with pytest.raises(p.ParseError, match="tối đa 3"):
        p.clean_text("abcd", max_length=3)
    assert p.parse_image_list("a.jpg; b.png|c.jpg, a.jpg") == ["a.jpg", "b.png", "c.jpg"]
    assert p.parse_image_list(None) == []


PARSERS: list[Callable[[object], object]] = [
    p.parse_date, p.parse_level_value, p.parse_group_value, p.parse_region_value, p.parse_province_value,
    p.parse_score, p.parse_email, p.parse_website, p.parse_phone, p.parse_legal_form, p.parse_image_list,
    lambda v: p.clean_text(v, max_length=20), lambda v: p.clean_multiline(v, max_length=20),
]
CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.datetimes(), st.dates(),
    st.from_regex(r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}", fullmatch=True),
    st.from_regex(r"\d{4}-\d{1,2}-\d{1,2}", fullmatch=True),
)


@given(cell=CELLS, which=st.integers(min_value=0, max_value=len(PARSERS) - 1))
def test_parsers_only_raise_parse_errors(cell: object, which: int) -> None:
    try:
        PARSERS[which](cell)
    except p.ParseError as exc:
        assert isinstance(exc, ValueError) and exc.message


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip_in_every_format(day: date) -> None:
    for text in (day.isoformat(), f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year}", f"{day:%d-%m-%Y}"):
        assert p.parse_date(text) == day
