"""Vietnamese text folding for matching: people type without diacritics.

NFD + dropping combining marks handles most letters, but đ/Đ has no Unicode decomposition
(and SQLite's unicode61 tokenizer misses it), so it is mapped to d explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps \t \n \r


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
    """fold() itself."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def normalize(text: str) -> str:
    """NFC, lowercase, single spaces: the exact (diacritic-keeping) form used for ranking."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().lower()


def squash_spaces(text: str) -> str:
    """Collapse runs of whitespace and trim: cleans values typed into spreadsheets."""
    # split() cuts at exactly the characters \s matches (str.isspace), drops the ends, and is
    # several times faster than the regex: an import squashes every cell of 20,000 rows.
    return " ".join(text.split())


def drop_controls(text: str) -> str:
    """Text without control characters (tab, line feed and carriage return kept): never meant, refused
    by PostgreSQL (NUL) and unwritable in XML, so they would break feeds, sitemaps and .xlsx files."""
    return _CONTROL.sub("", text)
