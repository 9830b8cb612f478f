"""Regions of the regional rounds. Stored on the round, never as a constant of a province."""

from __future__ import annotations

from enum import StrEnum

from app.domain.messages import N_
from app.domain.text import fold


class Region(StrEnum):
    """A region of a regional (khu_vuc) round."""

    bac = "bac"
    trung_tay_nguyen = "trung_tay_nguyen"
    nam = "nam"

    @property
    def label(self) -> str:
        """Vietnamese label shown on pages (a msgid, translated where shown)."""
        return REGION_LABELS[self]


REGION_LABELS: dict[Region, str] = {
    Region.bac: N_("Phía Bắc"),
    Region.trung_tay_nguyen: N_("Miền Trung – Tây Nguyên"),
    Region.nam: N_("Phía Nam"),
}


def parse_region(value: str) -> Region | None:
    """A region from its code or label ("phía Nam", "mien trung - tay nguyen"); None if unknown."""
    key = " ".join(fold(value).replace("–", " ").replace("-", " ").replace("_", " ").split())
    key = key.removeprefix("phia ").removeprefix("mien ").removeprefix("khu vuc ")
    aliases = {
        "bac": Region.bac,
        "trung tay nguyen": Region.trung_tay_nguyen,
        "trung": Region.trung_tay_nguyen,
        "nam": Region.nam,
    }
    return aliases.get(key)
