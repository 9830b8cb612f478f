"""Vietnamese text folding for matching: people type without diacritics.

NFD + dropping combining marks handles most letters, but đ/Đ has no Unicode decomposition
(and SQLite's unicode61 tokenizer misses it), so it is mapped to d explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps \t \n \r


def _stripped(text: str) -> str:
    """đ → d, then NFD without its combining marks: what fold() keeps of a text before NFC and lower()."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _ascii_table() -> dict[int, str]:
    """Each Latin letter with diacritics (every Vietnamese one, đ/Đ too) → its ASCII base letter,
    and each combining diacritic → nothing: where _stripped() of the character alone is ASCII."""
    # NFD never moves a character without a combining class, and _stripped() keeps exactly those,
    # so _stripped() of a text is that of each character in turn: replacing characters by their
    # _stripped() beforehand changes nothing that fold() computes afterwards.
    blocks = (range(0xC0, 0x250), range(0x300, 0x370), range(0x1E00, 0x1F00))
    table = {cp: _stripped(chr(cp)) for block in blocks for cp in block}
    return {cp: base for cp, base in table.items() if base != chr(cp) and base.isascii()}


_TO_ASCII = str.maketrans(_ascii_table())


def fold(text: str) -> str:
    """Lowercase, strip diacritics and map đ → d: 'Đường Phố' → 'duong pho'."""
    # Imports fold the same names, provinces and labels many times per row: short texts are memoized.
    return _fold_short(text) if len(text) <= _MEMO_LENGTH else _fold(text)


_MEMO_LENGTH = 300  # names and labels, not descriptions (which would only fill the cache)


@lru_cache(maxsize=1 << 16)
def _fold_short(text: str) -> str:
    """fold() of a short text, memoized."""
    return _fold(text)


def _fold(text: str) -> str:
    """fold() itself: a table for Vietnamese (ASCII afterwards), Unicode's way for anything else."""
    ascii_first = text.translate(_TO_ASCII)
    if ascii_first.isascii():  # NFC leaves ASCII as it is
        return ascii_first.lower()
    return unicodedata.normalize("NFC", _stripped(ascii_first)).lower()


def normalize(text: str) -> str:
    """NFC, lowercase, single spaces: the exact (diacritic-keeping) form used for ranking."""
    # split() cuts at exactly the whitespace a \s+ regex would, and drops the ends: squash_spaces().
    return " ".join(unicodedata.normalize("NFC", text).split()).lower()


def squash_spaces(text: str) -> str:
    """Collapse runs of whitespace and trim: cleans values typed into spreadsheets."""
    # split() cuts at exactly the characters \s matches (str.isspace), drops the ends, and is
    # several times faster than the regex: an import squashes every cell of 20,000 rows.
    return " ".join(text.split())


def drop_controls(text: str) -> str:
    """Text without control characters (tab, line feed and carriage return kept): never meant, refused
    by PostgreSQL (NUL) and unwritable in XML, so they would break feeds, sitemaps and .xlsx files."""
    return _CONTROL.sub("", text)


# Vietnamese alphabetical order: each letter with a breve, circumflex, horn or stroke after its base letter
# (a ă â, d đ, e ê, o ô ơ, u ư); the tones only break ties, in the dictionaries' order (none, huyền, hỏi,
# ngã, sắc, nặng). Folding would put "Đường" before "Dương"; a Vietnamese reader expects the opposite.
_ALPHABET = {letter: 1000 + n for n, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A key that sorts names as a Vietnamese index does: letters first, then tones, then as written."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    letters = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    tones: list[int] = []
    for ch in decomposed:
        if ch in _TONES:
            tones[-1:] = [_TONES[ch]]
        elif not unicodedata.combining(ch):
            tones.append(0)
    return tuple(_ALPHABET.get(ch, ord(ch)) for ch in letters), tuple(tones), text
