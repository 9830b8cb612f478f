"""Every list of provinces is in Vietnamese alphabetical order (a, ă, â, b, c, d, đ, e, …, tones after)."""

from __future__ import annotations

from app.domain.provinces import all_provinces, current_provinces


def test_current_provinces_read_as_a_vietnamese_index() -> None:
    names = [p.name for p in current_provinces()]
    assert names[:4] == ["An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng"]  # "Cà" before "Cao": letters first
    assert names.index("Hà Nội") < names.index("Hà Tĩnh") < names.index("Hải Phòng") < names.index("Huế")
    d_words = [n for n in names if n.startswith("Đ")]
    assert d_words == ["Đà Nẵng", "Đắk Lắk", "Điện Biên", "Đồng Nai", "Đồng Tháp"]
    assert names.index("Cần Thơ") < names.index("Đà Nẵng") < names.index("Gia Lai")  # đ after d, not after v
    assert names[-1] == "Vĩnh Long"


def test_former_provinces_follow_in_the_same_order() -> None:
    every = all_provinces()
    former = [p.name for p in every if not p.is_current]
    assert [p.is_current for p in every] == [True] * 34 + [False] * len(former)
    assert former.index("Bạc Liêu") < former.index("Bắc Giang")  # a before ă
    assert former.index("Bình Dương") < former.index("Đắk Nông") < former.index("Hà Giang")
