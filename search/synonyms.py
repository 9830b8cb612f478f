"""Spelling variants and everyday synonyms: a query word also matches the others in its group.

Single words only, keyed on the exact (NFC, lowercase) form: folding already covers typing
without diacritics for the word itself. Unaccented input reaches a group only through
UNACCENTED, an explicit list of folded forms that mean one thing in a product catalog:
"mi" is mì/mỳ, but "my" is also mỹ (mỹ nghệ), "che" also chế (chế biến), "tra" also cá tra,
"lon" also lớn, "vung" also vùng, "me" also quả me, "ngo" also the surname Ngô: those stay
folded-only, so "che" finds chè and chế but never trà.
"""

from __future__ import annotations

from functools import cache

from app.domain.text import normalize

SYNONYM_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"mỳ", "mì"}),
    frozenset({"chè", "trà"}),
    frozenset({"lợn", "heo"}),
    frozenset({"vừng", "mè"}),
    frozenset({"ngô", "bắp"}),
    # Old and new tone-mark placement, and i/y spellings, written both ways on packaging.
    frozenset({"hòa", "hoà"}),
    frozenset({"hóa", "hoá"}),
    frozenset({"thủy", "thuỷ"}),
    frozenset({"khỏe", "khoẻ"}),
    frozenset({"mỹ", "mĩ"}),
    frozenset({"kỳ", "kì"}),
    frozenset({"lý", "lí"}),
)
# Folded form typed without diacritics → the group word it unambiguously stands for.
UNACCENTED: dict[str, str] = {"mi": "mì", "bap": "bắp"}


@cache
def _synonym_index() -> dict[str, frozenset[str]]:
    """Word → the other words of its group, built once (unaccented keys included)."""
    index: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        normalized = frozenset(normalize(word) for word in group)
        for word in normalized:
            index[word] = normalized - {word}
    for folded, word in UNACCENTED.items():
        index.setdefault(folded, (index[normalize(word)] | {normalize(word)}) - {folded})
    return index


def synonyms_of(word: str) -> frozenset[str]:
    """The configured variants of `word` (without the word itself), empty if none."""
    return _synonym_index().get(normalize(word), frozenset())

