"""One-edit neighbours of a typed verification code: what a forgiving lookup may suggest, no more."""

from __future__ import annotations

import pytest

from app.domain.codes import CODE_ALPHABET, normalize_code, one_edit_codes

CODE = "K7M2Q9XD"


@pytest.mark.parametrize("typed", [
    "K7M2Q9XE",  # one character wrong
    "K7M2Q9X0",  # a look-alike (0) where a code character belongs
    "K7M2Q9X",  # one missing
    "K7M2Q9XDA",  # one extra
    "K7M2Q9DX",  # two neighbours swapped
    "k7m2-q9xe ",  # case, dashes and spaces are ignored first
])
def test_one_edit_finds_the_code(typed: str) -> None:
    assert CODE in one_edit_codes(typed)


@pytest.mark.parametrize("typed", ["K7M2Q9EE", "7KM2Q9XE", "K7M2Q9", "K7M2Q9XDAB", "M7K2Q9XD", CODE])
def test_two_edits_or_the_code_itself_are_not_neighbours(typed: str) -> None:
    assert CODE not in one_edit_codes(typed)


@pytest.mark.parametrize("typed", ["", "K7M", "12/QĐ-UBND", "K7M2Q9X/", "0000000000"])
def test_not_typed_as_a_code_gives_nothing(typed: str) -> None:
    assert one_edit_codes(typed) == set()


def test_neighbours_are_well_formed_and_few() -> None:
    for typed in ("K7M2Q9XE", "K7M2Q9X", "K7M2Q9XDA", "K7M2Q9X0"):
        found = one_edit_codes(typed)
        assert 0 < len(found) <= 8 * len(CODE_ALPHABET)
        assert all(normalize_code(code) == code for code in found)
    assert len(one_edit_codes("K7M2Q9X0")) == len(CODE_ALPHABET)  # only the wrong character may change
