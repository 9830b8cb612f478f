"""Provinces (63 → 34), typed-name resolution, verification codes."""

from __future__ import annotations

import pytest

from app.domain.codes import CODE_ALPHABET, display_code, new_code, normalize_code, number_key
from app.domain.provinces import (
    all_provinces,
    current_provinces,
    display_name,
    formers_of,
    resolve_province,
    successor_of,
)


def test_34_current_and_63_before_the_merger() -> None:
    assert len(current_provinces()) == 34
    before = {p.name for p in all_provinces() if not p.is_current} | {
        p.name for p in current_provinces() if p.name != "Huế"
    } | {"Thừa Thiên Huế"}
    assert len(before) == 63
    assert all(p.code for p in current_provinces())


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("Bac Giang", "bac-giang"),
        ("TP HCM", "ho-chi-minh"),
        ("TP. Hồ Chí Minh", "ho-chi-minh"),
        ("Thành phố Đà Nẵng", "da-nang"),
        ("Tỉnh Quảng Nam", "quang-nam"),
        ("Thừa Thiên Huế", "thua-thien-hue"),
        ("quang-nam", "quang-nam"),
        ("79", "ho-chi-minh"),
        ("01", "ha-noi"),
        ("dak lak", "dak-lak"),
        ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
    ],
)
def test_resolve_typed_names(typed: str, slug: str) -> None:
    found = resolve_province(typed)
    assert found is not None and found.slug == slug


@pytest.mark.parametrize("typed", ["", "Atlantis", "x" * 10_000, "'; DROP TABLE province; --"])
def test_unknown_names_resolve_to_none(typed: str) -> None:
    assert resolve_province(typed) is None


def test_former_province_points_to_its_successor() -> None:
    bac_giang = resolve_province("Bắc Giang")
    assert bac_giang is not None and not bac_giang.is_current
    assert successor_of(bac_giang).slug == "bac-ninh"
    assert display_name(bac_giang) == "Bắc Giang (nay thuộc Bắc Ninh)"
    bac_ninh = successor_of(bac_giang)
    assert {p.slug for p in formers_of(bac_ninh)} == {"bac-giang"}
    da_nang = resolve_province("Đà Nẵng")
    assert da_nang is not None and {p.slug for p in formers_of(da_nang)} == {"quang-nam"}


def test_codes_are_random_unambiguous_and_tolerant() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01ILOU") & set(CODE_ALPHABET)
    code = next(iter(codes))
    assert normalize_code(f" {display_code(code).lower()} ") == code
    assert normalize_code("ABC") is None
    assert normalize_code("ABCDEFG0") is None


def test_number_key_ignores_case_diacritics_and_punctuation() -> None:
    assert number_key("12/GCN-SCT") == number_key("12 gcn sct") == "12GCNSCT"
    assert number_key("Số 5/QĐ-UBND") == "S05QDUBND"
    assert number_key("IO/QĐ-BCT") == number_key("10/qd-bct") == number_key("lO qđ bct")
