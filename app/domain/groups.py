"""The four product groups, numbered the same way in every round."""

from __future__ import annotations

import re
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


# Words that name a group inside the phrases offices publish ("Nhóm sản phẩm chế biến nông, lâm,
# thủy sản và thực phẩm", "Chế biến nông lâm thủy sản", "Thiết bị, máy móc, dụng cụ, phụ tùng cơ khí").
_GROUP_WORDS: tuple[tuple[tuple[str, ...], ProductGroup], ...] = (
    (("thu cong", "my nghe"), ProductGroup.thu_cong_my_nghe),
    (("che bien", "thuc pham", "nong lam", "nong san", "thuy san"), ProductGroup.che_bien),
    (("co khi", "may moc", "thiet bi", "dung cu", "phu tung"), ProductGroup.co_khi),
)
# "I.", "II)", "1.", "A.", "Nhóm 2:" before a group's name in sub-header rows.
_NUMBERING = re.compile(r"^(?:[ivx]{1,4}|\d{1,2}|[a-d])\s*[.):-]\s*")
_PHRASE_PREFIXES = ("nhom san pham ", "nhom sp ", "nhom ", "linh vuc ", "nganh hang ")
_MAX_PHRASE_WORDS = 16


def group_phrase_key(value: str) -> tuple[str, bool]:
    """The phrase folded without punctuation, numbering or 'Nhóm sản phẩm', and whether it had one."""
    key = " ".join(re.sub(r"[^a-z0-9.):-]+", " ", fold(value)).split())
    numbered = bool(_NUMBERING.match(key))
    key = _NUMBERING.sub("", key)
    prefixed = False
    for prefix in _PHRASE_PREFIXES:
        if key.startswith(prefix) or key == prefix.strip():
            key, prefixed = key.removeprefix(prefix.strip()).strip(), True
            break
    key = _NUMBERING.sub("", key)  # "Nhóm 2: …" → "…"
    return " ".join(re.sub(r"[^a-z0-9]+", " ", key).split()), numbered or prefixed


def parse_group_phrase(value: str) -> ProductGroup | None:
    """A group as offices publish it: code, number, label, short or long, with or without 'Nhóm sản phẩm'."""
    exact = parse_group(value)
    if exact is not None:
        return exact
    key, _marked = group_phrase_key(value)
    if not key or len(key.split()) > _MAX_PHRASE_WORDS:
        return None
    known = _groups_by_key().get(key)
    if known is not None:
        return known
    if key.split()[0] in {"1", "2", "3", "4"}:
        return list(ProductGroup)[int(key.split()[0]) - 1]
    for words, group in _GROUP_WORDS:
        if any(word in key for word in words):
            return group
    if key in {"khac", "san pham khac"} or key.startswith(("khac ", "san pham khac ")):
        return ProductGroup.khac
    return None


def group_of_subheader(text: str) -> ProductGroup | None:
    """The group a sub-header row names ('I. Nhóm thủ công mỹ nghệ', 'NHÓM 2: …'); None for other text."""
    key, marked = group_phrase_key(text)
    if not marked:
        return None
    return parse_group_phrase(text)
