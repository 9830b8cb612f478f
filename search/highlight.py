"""Highlight markers around the words of a name that match the query, for <mark> in templates.

Comparison is folded (typing without diacritics still highlights), synonyms compare in their
exact form (as they match), so do the Vietnamese words of an English glossary phrase,
typo corrections folded, and the last query word matches as a
prefix, as it does in the search itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from app.domain.text import fold, normalize
from search.engine import MARK_END, MARK_START
from search.glossary import glossary_words
from search.synonyms import synonyms_of

# Letters and digits: the characters SQLite's unicode61 tokenizer keeps in a token.
WORD_PATTERN = re.compile(r"[^\W_]+")


def _forms(words: Sequence[str], typos: Mapping[str, Sequence[str]]) -> tuple[set[str], set[str]]:
    """(folded forms, exact forms) that a token must equal (or, for the last word, start with)."""
    folded: set[str] = set()
    exact: set[str] = set()
    for word in words:
        folded.add(fold(word))
        folded.update(typos.get(word, ()))
        exact.update(synonyms_of(word))
    return folded, exact


def _matches(token: str, whole: tuple[set[str], set[str]], prefix: tuple[set[str], set[str]]) -> bool:
    """True if the token equals a whole-word form or starts with a last-word form."""
    folded_token, exact_token = fold(token), normalize(token)
    if folded_token in whole[0] or exact_token in whole[1]:
        return True
    return folded_token.startswith(tuple(prefix[0])) or exact_token.startswith(tuple(prefix[1]))


def highlight_name(name: str, words: Sequence[str], typos: Mapping[str, Sequence[str]] | None = None) -> str:
    """`name` with MARK_START/MARK_END around each word matching a query word."""
    if not words:
        return name
    corrections = typos or {}
    whole = _forms(words[:-1], corrections)
    last_folded, last_exact = _forms(words[-1:], {})
    whole[0].update(corrections.get(words[-1], ()))
    whole[1].update(glossary_words(words))
    prefix = (last_folded, last_exact)
    pieces: list[str] = []
    last_end = 0
    for match in WORD_PATTERN.finditer(name):
        if _matches(match.group(), whole, prefix):
            pieces.append(name[last_end:match.start()])
            pieces.append(f"{MARK_START}{match.group()}{MARK_END}")
            last_end = match.end()
    pieces.append(name[last_end:])
    return "".join(pieces)
