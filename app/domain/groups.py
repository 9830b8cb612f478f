"""The four product groups, numbered the same way in every round."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from app.domain.messages import N_
from app.domain.text import fold


class ProductGroup(StrEnum):
    """A product group, stored by its code."""

    thu_cong_my_nghe = "thu_cong_my_nghe"
    che_bien = "che_bien"
    co_khi = "co_khi"
    khac = "khac"

    @property
    def label(self) -> str:
        """Vietnamese label shown on pages."""
        return GROUP_LABELS[self]

    @property
    def number(self) -> int:
        """The group's number in every round (1–4)."""
        return list(ProductGroup).index(self) + 1


GROUP_LABELS: dict[ProductGroup, str] = {
    ProductGroup.thu_cong_my_nghe: N_("Thủ công mỹ nghệ"),
    ProductGroup.che_bien: N_("Chế biến nông, lâm, thủy sản và thực phẩm"),
    ProductGroup.co_khi: N_("Thiết bị, máy móc, dụng cụ và phụ tùng cơ khí"),
    ProductGroup.khac: N_("Sản phẩm khác"),
}
GROUP_SHORT_LABELS: dict[ProductGroup, str] = {
    ProductGroup.thu_cong_my_nghe: N_("Thủ công mỹ nghệ"),
    ProductGroup.che_bien: N_("Chế biến thực phẩm"),
    ProductGroup.co_khi: N_("Cơ khí"),
    ProductGroup.khac: N_("Sản phẩm khác"),
}


def parse_group(value: str) -> ProductGroup | None:
    """A group from its code, number (1–4) or Vietnamese label, diacritics optional."""
    key = " ".join(fold(value).replace("_", " ").split())
    if key.startswith("nhom "):
        key = key.removeprefix("nhom ")
    return _groups_by_key().get(key)


@cache
def _groups_by_key() -> dict[str, ProductGroup]:
    """Every accepted spelling → its group (the first group in order, should two share one)."""
    keys: dict[str, ProductGroup] = {}
    for group in ProductGroup:
        for candidate in (group.value.replace("_", " "), str(group.number), fold(group.label),
                          fold(GROUP_SHORT_LABELS[group])):
            keys.setdefault(candidate, group)
    return keys
