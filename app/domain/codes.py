"""Public verification codes and printed-number keys.

Codes are random (never sequential or derived from public facts), 8 characters from an
alphabet without look-alikes (no 0/O, 1/I/L, U), shown as XXXX-XXXX and accepted in any
case, with or without spaces and dashes.
"""

from __future__ import annotations

import re
import secrets

from app.domain.text import fold

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_NOT_CODE_CHARS = re.compile(r"[\s\-_.]+")
_NUMBER_NOISE = re.compile(r"[^0-9a-z]+")


def new_code() -> str:
    """A fresh random code: 30^8 ≈ 6.6·10^11 possibilities, drawn from `secrets`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """The stored form of a typed code ('abcd-efgh ' → 'ABCDEFGH'), or None if it cannot be one."""
    candidate = _NOT_CODE_CHARS.sub("", text).upper()
    if len(candidate) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in candidate):
        return None
    return candidate


def display_code(code: str) -> str:
    """'ABCDEFGH' → 'ABCD-EFGH', easier to read aloud and type."""
    return f"{code[:4]}-{code[4:]}"


_LOOK_ALIKES = str.maketrans("OIL", "011")


def number_key(number: str) -> str:
    """A printed number reduced for lookup: case, diacritics, punctuation and look-alikes ignored.

    '12/GCN-SCT' → '12GCNSCT'; O reads as 0 and I, L as 1, so 'IO/QĐ' and '10/qd' are one key.
    """
    return _NUMBER_NOISE.sub("", fold(number)).upper().translate(_LOOK_ALIKES)


_TYPED_CODE = re.compile(r"[0-9A-Z]+")


def one_edit_codes(text: str) -> set[str]:
    """Every well-formed code one edit from a typed one: a character wrong, missing or extra, or two swapped.

    Case, spaces and dashes are ignored first. Only for something typed as a whole code (7 to 9
    letters and digits): at most 8 × 30 candidates, looked up at once by the caller. A look-alike
    typed for a code character (0 for O, 1 for I or L) is one wrong character like any other.
    """
    typed = _NOT_CODE_CHARS.sub("", text).upper()
    if not CODE_LENGTH - 1 <= len(typed) <= CODE_LENGTH + 1 or not _TYPED_CODE.fullmatch(typed):
        return set()
    edits = {typed[:i] + typed[i + 1:] for i in range(len(typed))}  # an extra character
    edits |= {typed[:i] + ch + typed[i:] for i in range(len(typed) + 1) for ch in CODE_ALPHABET}  # missing
    edits |= {typed[:i] + ch + typed[i + 1:] for i in range(len(typed)) for ch in CODE_ALPHABET}  # wrong
    edits |= {typed[:i] + typed[i + 1] + typed[i] + typed[i + 2:] for i in range(len(typed) - 1)}  # swapped
    edits.discard(typed)
    return {code for code in edits if normalize_code(code) == code}
