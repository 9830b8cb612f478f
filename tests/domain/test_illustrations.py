"""The illustration of a product without a photo: one kind per product, from its name and group."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from PIL import Image

from app.config import PACKAGE_DIR
from app.domain.groups import ProductGroup
from app.domain.illustrations import ALL_KINDS, BACKGROUNDS, GROUP_KINDS, illustration_for, is_specific
from app.domain.provinces import DATA_DIR
from app.services.demo.words import BRANDS, PRODUCTS

STATIC = PACKAGE_DIR / "static"
# The 27 real sample products (app/data/sample_products.csv), as a person would illustrate them.
SAMPLES = {
    "Cơm sấy Nhật Quỳnh": "rice", "Vải lụa tơ tằm Mã Châu": "textile",
    "Sọt đựng rác cây nấm bằng mây tre": "basketry", "Chè xanh Quyết Thắng": "tea",
    "Tiêu Tiên Phước": "spices", "Bộ sản phẩm rổ, rá": "basketry", "Nước cốt dừa cấp đông": "fruit",
    "Bánh tráng IMEXTRAVINH": "rice-paper", "Gạo Long Hiệp (Hạt Ngọc Rồng)": "rice",
    "Nước khoáng thiên nhiên đóng chai Sao Biển": "food", "Nhất diệp hảo trà": "tea", "Hương sơn trà": "tea",
    "Chè móc câu": "tea", "Miến tỏi đen Việt Cường": "noodles", "Vạn lộc trà": "tea",
    "Sầu riêng sấy thăng hoa": "fruit", "Hạt điều sấy tỏi ớt Cagachi": "nuts",
    "Lạp xưởng Chín Trọng": "meat", "Tủ thờ truyền thống Gò Công": "wood",
    "Bộ kích thích mọc tóc đặc biệt": "other", "Giá treo khăn": "crafts",
    "Nước rửa chén quế Trà My Minh Phúc": "soap", "Trà Ô Long": "tea", "Cửa cuốn": "mechanical",
    "Máy tuốt lúa": "machinery", "Nón ngựa Phú Gia": "hat", "Nước mắm Thái An": "fish-sauce",
}


def test_the_27_sample_products() -> None:
    with (DATA_DIR / "sample_products.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(SAMPLES) == 27
    found = {r["product_name"]: illustration_for(r["product_name"], r["group"].split("(")[0].strip()).code
             for r in rows}
    assert found == SAMPLES


@pytest.mark.parametrize(("name", "group", "kind"), [
    ("Bún gạo lứt", "che_bien", "noodles"), ("Phở khô Nam Định", "che_bien", "noodles"),
    ("Mỳ gạo Chũ", "che_bien", "noodles"), ("Mi gao Chu", "che_bien", "noodles"),  # without diacritics
    ("Bánh tráng phơi sương Trảng Bàng", "che_bien", "rice-paper"),
    ("Bánh pía Sóc Trăng", "che_bien", "cakes"),
    ("Gốm Bát Tràng men rạn", "thu_cong_my_nghe", "pottery"),
    ("Bộ ấm trà gốm", "thu_cong_my_nghe", "pottery"),
    ("Chè Shan tuyết", "che_bien", "tea"), ("Giỏ lục bình", "thu_cong_my_nghe", "basketry"),
    ("Tranh sơn mài Tương Bình Hiệp", "thu_cong_my_nghe", "picture"),
    ("Khăn thổ cẩm", "thu_cong_my_nghe", "textile"), ("Mật ong bạc hà", "che_bien", "honey"),
    ("Nước mắm Phú Quốc", "che_bien", "fish-sauce"), ("Máy gặt lúa mini", "co_khi", "machinery"),
    ("Nhang trầm", "khac", "incense"), ("Rượu Bàu Đá", "che_bien", "wine"),
    ("Cà phê Buôn Ma Thuột", "che_bien", "coffee"),
    ("Kẹo dừa Bến Tre", "che_bien", "cakes"), ("Tượng gỗ mỹ nghệ", "thu_cong_my_nghe", "wood"),
    ("Dao Đa Sỹ", "co_khi", "knives"), ("Kéo cắt cành", "co_khi", "knives"),
    ("Tinh dầu tràm", "khac", "essential-oil"), ("Nấm linh chi", "che_bien", "mushrooms"),
    # the product's own group decides between words that fold alike
    ("Giò lụa", "che_bien", "meat"), ("Lụa tơ tằm", "thu_cong_my_nghe", "textile"),
    ("Giỏ mây", "thu_cong_my_nghe", "basketry"), ("Máy ép mía", "co_khi", "machinery"),
    # English names, and names that name no kind: the group's own illustration
    ("Rattan basket", "thu_cong_my_nghe", "basketry"), ("Forest honey", "che_bien", "honey"),
    ("Stainless knives", "co_khi", "knives"), ("Cashew nuts", "che_bien", "nuts"),
    ("Sản phẩm mới", "thu_cong_my_nghe", "crafts"), ("Sản phẩm mới", "che_bien", "food"),
    ("Cửa cuốn", "co_khi", "mechanical"), ("Sản phẩm mới", "khac", "other"),
])
def test_names_map_to_kinds(name: str, group: str, kind: str) -> None:
    assert illustration_for(name, group).code == kind


def test_brands_never_change_the_kind_of_a_demo_name() -> None:
    """Place and brand words ("Mộc Lan", "Quê Hương", "Cẩm Tú") must not pull a name to another kind."""
    for group, stems in PRODUCTS.items():
        for stem, trade in stems:
            kind = illustration_for(stem, group)
            assert illustration_for(trade, group) == kind, (stem, trade)  # the producer's trade: same kind
            assert all(illustration_for(f"{stem} {brand}", group) == kind for brand in BRANDS), stem


def test_every_kind_has_its_vendored_files_and_credit() -> None:
    credits = (STATIC / "illustrations" / "CREDITS.md").read_text(encoding="utf-8")
    assert "OpenMoji" in credits and "CC BY-SA 4.0" in credits and "openmoji@17.0.0" in credits
    licence = (STATIC / "illustrations" / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Attribution-ShareAlike 4.0" in licence
    for kind in ALL_KINDS:
        svg = (STATIC / kind.svg_path).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and "<script" not in svg, kind.code
        with Image.open(STATIC / kind.png_path) as png:
            assert png.size == (480, 480) and png.mode == "RGBA", kind.code
        assert f"U+{kind.codepoint}" in credits and kind.code in credits, kind.code
    assert len({kind.code for kind in ALL_KINDS}) == len(ALL_KINDS)
    vendored = {p.stem for p in (STATIC / "illustrations" / "openmoji").glob("*.svg")}
    assert vendored == {kind.codepoint for kind in ALL_KINDS}  # only the files the kinds use


def test_group_fallbacks_and_css_colours_agree() -> None:
    assert set(GROUP_KINDS) == set(ProductGroup) and not any(is_specific(k) for k in GROUP_KINDS.values())
    css = Path(STATIC / "app.css").read_text(encoding="utf-8")
    for group, colour in BACKGROUNDS.items():
        assert re.search(rf"\.illus--{group.value} {{ background: {colour}; }}", css), group
