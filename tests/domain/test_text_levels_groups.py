"""Text folding, levels, groups and regions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.groups import ProductGroup, parse_group
from app.domain.levels import Level, highest_level, level_allowed_on, parse_level
from app.domain.regions import Region, parse_region
from app.domain.text import fold, normalize


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường phèn", "duong phen"),
        ("ĐẮK LẮK", "dak lak"),
        ("Bánh tráng", "banh trang"),
        ("Cơm sấy Nhật Quỳnh", "com say nhat quynh"),
        ("Thừa Thiên Huế", "thua thien hue"),
    ],
)
def test_fold_drops_diacritics_and_maps_d(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent_and_has_no_d_with_stroke(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert "đ" not in once and "Đ" not in once


def test_normalize_keeps_diacritics() -> None:
    assert normalize("  Đường   Phèn ") == "đường phèn"


@pytest.mark.parametrize(
    ("value", "level"),
    [("quoc_gia", Level.quoc_gia), ("Cấp quốc gia", Level.quoc_gia), ("cap tinh", Level.tinh),
     ("Khu vực", Level.khu_vuc), ("huyện", Level.huyen), ("XA", Level.xa)],
)
def test_parse_level(value: str, level: Level) -> None:
    assert parse_level(value) is level


def test_unknown_level_is_none() -> None:
    assert parse_level("cấp vũ trụ") is None


def test_level_order_and_district_to_commune_switch() -> None:
    assert highest_level([Level.tinh, Level.quoc_gia, Level.huyen]) is Level.quoc_gia
    assert Level.xa.rank == Level.huyen.rank < Level.tinh.rank < Level.khu_vuc.rank < Level.quoc_gia.rank
    assert level_allowed_on(Level.huyen, date(2025, 6, 30))
    assert level_allowed_on(Level.xa, date(2025, 7, 1))
    assert not level_allowed_on(Level.huyen, date(2025, 7, 1))
    assert not level_allowed_on(Level.xa, date(2025, 6, 30))
    assert level_allowed_on(Level.tinh, date(2012, 1, 1))


@pytest.mark.parametrize(
    ("value", "group"),
    [("1", ProductGroup.thu_cong_my_nghe), ("che_bien", ProductGroup.che_bien),
     ("Nhóm 3", ProductGroup.co_khi), ("Sản phẩm khác", ProductGroup.khac),
     ("Thủ công mỹ nghệ", ProductGroup.thu_cong_my_nghe),
     ("Chế biến nông, lâm, thủy sản và thực phẩm", ProductGroup.che_bien)],
)
def test_parse_group(value: str, group: ProductGroup) -> None:
    assert parse_group(value) is group
    assert group.number == list(ProductGroup).index(group) + 1


def test_parse_region() -> None:
    assert parse_region("phía Nam") is Region.nam
    assert parse_region("Miền Trung – Tây Nguyên") is Region.trung_tay_nguyen
    assert parse_region("bac") is Region.bac
    assert parse_region("Tây Bắc Bộ") is None
