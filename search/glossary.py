"""English product words → the Vietnamese words they mean in this catalog (app/data/glossary_en.csv).

One rule for both engines: where the typed words hold an English glossary phrase ("fish sauce",
"conical hats"), that run of words also matches its Vietnamese words ("nước mắm"), written
with diacritics as on the products; the English words still match as typed too. Phrases are
found longest first, a regular plural counting as its singular. Keys never consist only of
words that could be Vietnamese typed without diacritics ("mat" is also mật, "hat" also hạt),
so a Vietnamese query never meets a key and is parsed exactly as before
(tests/search/test_glossary.py checks both).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.domain.text import normalize

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "app" / "data" / "glossary_en.csv"
SCOPES = ("catalog", "general")  # catalog: the demo data holds such products; general: the domain does


@dataclass(frozen=True, slots=True)
class Entry:
    """One glossary row: an English phrase, the Vietnamese words it stands for, scope and note."""

    english: str
    vietnamese: tuple[str, ...]
    scope: str
    note: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of query words: `start`..`end` (exclusive), and the glossary's Vietnamese words for it
    (empty for a plain word, which is then always one word long)."""

    start: int
    end: int
    vietnamese: tuple[str, ...] = ()


@cache
def entries() -> tuple[Entry, ...]:
    """The glossary rows, read once."""
    with GLOSSARY_FILE.open(encoding="utf-8", newline="") as f:
        return tuple(Entry(english=normalize(row["english"]),
                           vietnamese=tuple(normalize(v) for v in row["vietnamese"].split(";") if v.strip()),
                           scope=row["scope"].strip(), note=row["note"].strip())
                     for row in csv.DictReader(f))


def plural(word: str) -> str:
    """The regular English plural of `word` ('' for a word already ending in s: no plural of its own)."""
    if word.endswith("s"):
        return ""
    if word.endswith(("x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def key_forms(english: str) -> list[str]:
    """The phrase as written and with its last word in the plural ("conical hat", "conical hats")."""
    *head, last = english.split(" ")
    plural_last = plural(last)
    return [english, *([" ".join([*head, plural_last])] if plural_last else [])]


@cache
def phrase_index() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every key form as a tuple of words → its Vietnamese words."""
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for entry in entries():
        for form in key_forms(entry.english):
            index.setdefault(tuple(form.split(" ")), entry.vietnamese)
    return index


@cache
def _longest_key() -> int:
    """The number of words of the longest key form."""
    return max((len(key) for key in phrase_index()), default=1)


def segments(words: Sequence[str]) -> list[Segment]:
    """The query words cut into glossary phrases (longest first, left to right) and plain words."""
    index = phrase_index()
    found: list[Segment] = []
    i = 0
    while i < len(words):
        for end in range(min(len(words), i + _longest_key()), i, -1):
            vietnamese = index.get(tuple(words[i:end]))
            if vietnamese:
                found.append(Segment(i, end, vietnamese))
                i = end
                break
        else:
            found.append(Segment(i, i + 1))
            i += 1
    return found


def glossary_words(words: Sequence[str]) -> list[str]:
    """Every Vietnamese word the glossary adds for these query words (for highlighting)."""
    phrases = [phrase for segment in segments(words) for phrase in segment.vietnamese]
    return [word for phrase in phrases for word in phrase.split(" ")]


def covered_words(words: Sequence[str]) -> set[str]:
    """The query words that are part of a glossary phrase."""
    return {words[i] for s in segments(words) if s.vietnamese for i in range(s.start, s.end)}


def synonym_settings() -> dict[str, list[str]]:
    """Meilisearch one-way synonyms: each key form → its Vietnamese words."""
    return {" ".join(key): list(vietnamese) for key, vietnamese in sorted(phrase_index().items())}
