"""fold() and normalize() against their former, plainly Unicode implementations: the fast paths
(a translation table for Vietnamese, split() for whitespace) must never change an output."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.text import fold, normalize

_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")
VIETNAMESE = ("aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
              "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ")


def reference_fold(text: str) -> str:
    """fold() as it was: NFD, combining marks dropped, NFC, lowercase."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def reference_normalize(text: str) -> str:
    """normalize() as it was: NFC, runs of \\s+ to one space, trimmed, lowercase."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().lower()


# Vietnamese letters and their pieces (decomposed marks, ASCII, spaces) mixed with anything at all:
# the table's characters next to marks, Hangul jamo, İ, final sigma and other context-sensitive ones.
CHARACTERS = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),
    st.sampled_from(" \t\n\u00a0\u2003İΣσ\u1100\u1161\u11a8\u0b47\u0b3e"),
    st.characters(max_codepoint=0x7F),
    st.characters(),
)
MIXED = st.text(CHARACTERS)


def test_fold_equals_the_former_fold_on_every_bmp_character() -> None:
    differing = [cp for cp in range(0x10000) if fold(chr(cp)) != reference_fold(chr(cp))]
    assert differing == []


def test_fold_equals_the_former_fold_on_every_character_followed_by_a_mark() -> None:
    marks = "\u0301\u0323\u0302\u031b"  # acute, dot below, circumflex, horn: Vietnamese stacks
    differing = [cp for cp in range(0x10000) for mark in marks
                 if fold(chr(cp) + mark + "x") != reference_fold(chr(cp) + mark + "x")]
    assert differing == []


@settings(max_examples=2000)
@given(MIXED)
def test_fold_equals_the_former_fold(text: str) -> None:
    assert fold(text) == reference_fold(text)


@settings(max_examples=300)
@given(st.text(CHARACTERS, min_size=301, max_size=600))
def test_fold_of_long_texts_equals_the_former_fold(text: str) -> None:
    assert fold(text) == reference_fold(text)  # past the memo's length: not memoized


@settings(max_examples=2000)
@given(MIXED)
def test_normalize_equals_the_former_normalize(text: str) -> None:
    assert normalize(text) == reference_normalize(text)


def test_normalize_equals_the_former_normalize_on_every_character() -> None:
    differing = [cp for cp in range(sys.maxunicode + 1)
                 if normalize(f" a{chr(cp)}b ") != reference_normalize(f" a{chr(cp)}b ")]
    assert differing == []


def test_vietnamese_folds_to_ascii() -> None:
    assert fold(VIETNAMESE) == ("a" * 18 + "e" * 12 + "i" * 6 + "o" * 18 + "u" * 12 + "y" * 6 + "d") * 2
