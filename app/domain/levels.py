"""Certification levels and their order.

District (huyen) rounds ended on 30/06/2025 when districts were abolished; commune (xa)
rounds replace them from 01/07/2025. Both rank lowest.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from app.domain.messages import N_
from app.domain.text import fold

DISTRICTS_ABOLISHED = date(2025, 7, 1)


class Level(StrEnum):
    """A certification level, stored by its code."""

    huyen = "huyen"
    xa = "xa"
    tinh = "tinh"
    khu_vuc = "khu_vuc"
    quoc_gia = "quoc_gia"

    @property
    def label(self) -> str:
        """Vietnamese label shown on pages."""
        return LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """Order for "highest level": quoc_gia > khu_vuc > tinh > xa = huyen."""
        return LEVEL_RANKS[self]


LEVEL_LABELS: dict[Level, str] = {
    Level.huyen: N_("Cấp huyện"),
    Level.xa: N_("Cấp xã"),
    Level.tinh: N_("Cấp tỉnh"),
    Level.khu_vuc: N_("Cấp khu vực"),
    Level.quoc_gia: N_("Cấp quốc gia"),
}
LEVEL_RANKS: dict[Level, int] = {
    Level.huyen: 1,
    Level.xa: 1,
    Level.tinh: 2,
    Level.khu_vuc: 3,
    Level.quoc_gia: 4,
}
# Levels listed from the highest down, for facets and timelines.
LEVELS_DESCENDING: tuple[Level, ...] = (
    Level.quoc_gia,
    Level.khu_vuc,
    Level.tinh,
    Level.xa,
    Level.huyen,
)

_ALIASES: dict[str, Level] = {
    "huyen": Level.huyen,
    "cap huyen": Level.huyen,
    "district": Level.huyen,
    "xa": Level.xa,
    "cap xa": Level.xa,
    "commune": Level.xa,
    "tinh": Level.tinh,
    "cap tinh": Level.tinh,
    "province": Level.tinh,
    "provincial": Level.tinh,
    "khu vuc": Level.khu_vuc,
    "khu_vuc": Level.khu_vuc,
    "cap khu vuc": Level.khu_vuc,
    "regional": Level.khu_vuc,
    "quoc gia": Level.quoc_gia,
    "quoc_gia": Level.quoc_gia,
    "cap quoc gia": Level.quoc_gia,
    "national": Level.quoc_gia,
}


def parse_level(value: str) -> Level | None:
    """A level from its code or Vietnamese label, with or without diacritics; None if unknown."""
    key = " ".join(fold(value).replace("-", " ").split())
    return _ALIASES.get(key)


# "Sản phẩm CNNT tiêu biểu cấp tỉnh", "SP CNNT tiêu biểu cấp khu vực phía Bắc", "Cấp quốc gia".
_LEVEL_IN_PHRASE = re.compile(r"\bcap (huyen|xa|tinh|khu vuc|quoc gia|mien|vung)\b")
_PHRASE_WORDS = {"huyen": Level.huyen, "xa": Level.xa, "tinh": Level.tinh, "khu vuc": Level.khu_vuc,
                 "mien": Level.khu_vuc, "vung": Level.khu_vuc, "quoc gia": Level.quoc_gia}


def parse_level_phrase(value: str) -> Level | None:
    """A level from its code, label, or a published phrase that says 'cấp …'; None if unknown."""
    exact = parse_level(value)
    if exact is not None:
        return exact
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(value)).split())
    found = {_PHRASE_WORDS[m] for m in _LEVEL_IN_PHRASE.findall(key)}
    return found.pop() if len(found) == 1 else None


def highest_level(levels: list[Level]) -> Level | None:
    """The highest of several levels (None for none)."""
    return max(levels, key=lambda level: level.rank, default=None)


def level_allowed_on(level: Level, day: date) -> bool:
    """False for a district certificate after districts were abolished, or a commune one before."""
    if level == Level.huyen:
        return day < DISTRICTS_ABOLISHED
    if level == Level.xa:
        return day >= DISTRICTS_ABOLISHED
    return True
