"""Spelling variants and everyday synonyms: a query word also matches the others in its group.

Single words only, keyed on the exact (NFC, lowercase) form: folded keys would be ambiguous
("che" is both chè and chế), and folding already covers typing without diacritics.
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


@cache
def _synonym_index() -> dict[str, frozenset[str]]:
    """Word → the other words of its group, built once."""
    index: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        normalized = frozenset(normalize(word) for word in group)
        for word in normalized:
            index[word] = normalized - {word}
    return index


def synonyms_of(word: str) -> frozenset[str]:
    """The configured variants of `word` (without the word itself), empty if none."""
    return _synonym_index().get(normalize(word), frozenset())
