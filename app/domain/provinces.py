"""Provinces before (63) and after (34) the merger of 01/07/2025, and resolving typed names.

Every certificate keeps the province at certification; every product has its current
province. A former province is an alias of its successor: filtering by Bắc Ninh includes
former Bắc Giang, filtering by Bắc Giang gives only those. Old names equal to a current
name (Hà Nội → Hà Nội) are the same province. Reference data is packaged in app/data/.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from slugify import slugify

from app.domain.messages import N_
from app.domain.text import fold, vietnamese_sort_key

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_PREFIXES = ("thanh pho ", "tinh ", "tp ")
# How a former province is named: its name, then the current province it now belongs to.
FORMER_PROVINCE = N_("%(former)s (nay thuộc %(current)s)")
_PUNCTUATION = re.compile(r"[.,\-–_/()]+")
# Everyday names that are neither the official name nor a prefix away from it.
_EXTRA_ALIASES: dict[str, str] = {
    "hcm": "ho-chi-minh",
    "tphcm": "ho-chi-minh",
    "hcmc": "ho-chi-minh",
    "sai gon": "ho-chi-minh",
    "ho chi minh city": "ho-chi-minh",
    "brvt": "ba-ria-vung-tau",
    "vung tau": "ba-ria-vung-tau",
    "hn": "ha-noi",
    "hanoi": "ha-noi",
    "tth": "thua-thien-hue",
    "dak nong": "dak-nong",
    "dac lac": "dak-lak",
    "daklak": "dak-lak",
}


@dataclass(frozen=True, slots=True)
class ProvinceInfo:
    """One province: current (with its official code) or former (with its successor)."""

    slug: str
    name: str
    code: str | None
    official_name: str
    successor_slug: str | None

    @property
    def is_current(self) -> bool:
        """True for the 34 provinces in force since 01/07/2025."""
        return self.successor_slug is None


def province_slug(name: str) -> str:
    """The URL slug of a province name: 'Bà Rịa - Vũng Tàu' → 'ba-ria-vung-tau'."""
    return str(slugify(name.replace("đ", "d").replace("Đ", "D")))


def _lookup_key(text: str) -> str:
    """Folded name without punctuation or administrative prefix."""
    key = " ".join(_PUNCTUATION.sub(" ", fold(text)).split())
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key.removeprefix(prefix)
            break
    return key


@cache
def all_provinces() -> tuple[ProvinceInfo, ...]:
    """The 34 current provinces followed by the former ones, each in Vietnamese alphabetical order.

    Every list of provinces (facets, selects, the map's table, templates) comes from here, so this is
    the one place that orders them: "Đà Nẵng" after "Cao Bằng", "Hà Nội" before "Huế".
    """
    current: list[ProvinceInfo] = []
    with (DATA_DIR / "provinces_2025_codes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["new_province"].strip()
            current.append(
                ProvinceInfo(
                    slug=province_slug(name),
                    name=name,
                    code=f"{int(row['gso_code']):02d}",
                    official_name=row["official_name"].strip(),
                    successor_slug=None,
                )
            )
    current_names = {p.name for p in current}
    former: list[ProvinceInfo] = []
    with (DATA_DIR / "provinces_2025.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            old, new = row["old_province"].strip(), row["new_province"].strip()
            if old in current_names:
                continue
            former.append(
                ProvinceInfo(
                    slug=province_slug(old),
                    name=old,
                    code=None,
                    official_name=old,
                    successor_slug=province_slug(new),
                )
            )
    return (tuple(sorted(current, key=lambda p: vietnamese_sort_key(p.name)))
            + tuple(sorted(former, key=lambda p: vietnamese_sort_key(p.name))))


@cache
def _by_slug() -> dict[str, ProvinceInfo]:
    return {p.slug: p for p in all_provinces()}


@cache
def _by_key() -> dict[str, ProvinceInfo]:
    index: dict[str, ProvinceInfo] = {}
    for p in all_provinces():
        index[_lookup_key(p.name)] = p
        index[_lookup_key(p.official_name)] = p
        index[p.slug.replace("-", " ")] = p
        index[p.slug.replace("-", "")] = p
        if p.code is not None:
            index[p.code] = p
            index[str(int(p.code))] = p
    for alias, slug in _EXTRA_ALIASES.items():
        index[alias] = _by_slug()[slug]
    return index


def current_provinces() -> tuple[ProvinceInfo, ...]:
    """The 34 provinces in force since 01/07/2025, in official code order."""
    return tuple(p for p in all_provinces() if p.is_current)


def province_by_slug(slug: str) -> ProvinceInfo | None:
    """The province with exactly this slug, or None."""
    return _by_slug().get(slug)


def resolve_province(text: str) -> ProvinceInfo | None:
    """A province from a typed name, slug or code: 'TP HCM', 'Bac Giang', 'Thừa Thiên Huế', '79'."""
    if not text or len(text) > 100:
        return None
    key = _lookup_key(text)
    found = _by_key().get(key) or _by_key().get(key.replace(" ", ""))
    return found


def successor_of(province: ProvinceInfo) -> ProvinceInfo:
    """The current province a former one now belongs to (a current one is its own successor)."""
    if province.successor_slug is None:
        return province
    return _by_slug()[province.successor_slug]


def formers_of(province: ProvinceInfo) -> tuple[ProvinceInfo, ...]:
    """The former provinces merged into a current one."""
    return tuple(p for p in all_provinces() if p.successor_slug == province.slug)


def display_name(province: ProvinceInfo, *, translate: Callable[[str], str] = str) -> str:
    """'Bắc Giang (nay thuộc Bắc Ninh)' for a former province, the plain name otherwise.

    The words around the names are the FORMER_PROVINCE pattern passed through `translate`: the
    web layer passes its gettext ('Bắc Giang (now part of Bắc Ninh)' on English pages); the
    default keeps them Vietnamese, so the domain needs no translations of its own.
    """
    if province.is_current:
        return province.name
    return translate(FORMER_PROVINCE) % {"former": province.name, "current": successor_of(province).name}
