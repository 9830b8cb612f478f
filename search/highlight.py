"""Highlight markers around the words of a name that match the query, for <mark> in templates.

Comparison is folded (typing without diacritics still highlights), synonyms included, and
the last query word matches as a prefix, as it does in the search itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.domain.text import fold
from search.engine import MARK_END, MARK_START
from search.synonyms import synonyms_of

# Letters and digits: the characters SQLite's unicode61 tokenizer keeps in a token.
WORD_PATTERN = re.compile(r"[^\W_]+")


def _folded_variants(word: str) -> set[str]:
    """A query word and its synonyms, folded."""
    return {fold(word), *(fold(s) for s in synonyms_of(word))}


def highlight_name(name: str, words: Sequence[str]) -> str:
    """`name` with MARK_START/MARK_END around each word matching a query word."""
    if not words:
        return name
    whole: set[str] = set()
    for word in words[:-1]:
        whole |= _folded_variants(word)
    prefixes = tuple(_folded_variants(words[-1]))
    pieces: list[str] = []
    last_end = 0
    for match in WORD_PATTERN.finditer(name):
        token = fold(match.group())
        if token in whole or token.startswith(prefixes):
            pieces.append(name[last_end:match.start()])
            pieces.append(f"{MARK_START}{match.group()}{MARK_END}")
            last_end = match.end()
    pieces.append(name[last_end:])
    return "".join(pieces)
