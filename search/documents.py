"""The search document of a product: the one shape both engines index (built from the database by
search/document_builder.py; this module stays free of it, so the index builder's second process
starts without loading the database layer).

Validity is never a stored boolean: documents carry `validity`, the summary of
app/domain/standing.py (per level, the runs of days with a valid certificate and the
revocation of the one that ends last), and engines evaluate it on the query's `today`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from typing import TypedDict

import orjson

from app.domain.provinces import province_by_slug
from app.domain.standing import ANY, Summary, day_key

# Highlight markers: private-use characters the engines put around matched words and templates turn
# into <mark> after escaping. They are reserved: a name typed with them would inject <mark> elements.
MARK_START = "\ue000"
MARK_END = "\ue001"
# Words of letters only: an address's house and lot numbers would otherwise match printed
# certificate and decision numbers typed as a query.
_ADDRESS_WORD = re.compile(r"[^\W\d_]+")
# Administrative-unit and street words: nearly every address has them, so indexed they would
# make "đường" (sugar) or "số" find every product on a street. Place names stay ("Châu Thành").
_ADDRESS_UNITS = re.compile(
    r"\b(?:thành phố|thị trấn|thị xã|khu phố|tp|tx|tt|xã|phường|quận|huyện|tỉnh|đường|phố|số|thôn|xóm|"
    r"ấp|bản|tổ|khu|khóm|khối|ngõ|ngách|hẻm|kiệt|quốc lộ|ql)\b", re.IGNORECASE)


class ProductDocument(TypedDict):
    """Everything search needs about one product; dates as yyyymmdd integers for filters."""

    id: int
    slug: str
    name: str
    description: str
    group: str
    levels: list[str]  # every level the product was ever certified at
    years: list[int]
    province: str  # current province slug
    province_name: str
    certified_provinces: list[str]  # slugs of the provinces at certification
    producer_name: str
    producer_slug: str
    address: str  # the producer's address as written (commune, district …), "" if none
    certificate_numbers: list[str]
    certificate_codes: list[str]
    decision_numbers: list[str]
    validity: Summary  # app.domain.standing: what decides the status at each level on any day
    latest_issued: int  # yyyymmdd of the newest certificate, for "newest" sort
    image: str  # content hash of the cover photo, "" if none
    fingerprint: str  # hash of all fields above, for drift checks


date_key = day_key  # the engines' name for it: dates as yyyymmdd integers


def valid_through(doc: ProductDocument) -> int:
    """The last day (yyyymmdd) on which the product holds a valid certificate, 0 if never.

    Both engines break relevance ties on it, latest first: a product valid today always ends
    later than one that has expired, and a revoked certificate counts only up to its
    revocation (the runs end there), so the order never goes stale as days pass.
    """
    runs = doc["validity"].get(ANY, {"runs": []})["runs"]
    return max((last for _, last in runs), default=0)


def searchable_texts(doc: ProductDocument) -> tuple[str, str, str, str, str, str]:
    """The texts search matches: name, producer, printed numbers, description, province names
    (current, then the former ones certified in) and the address words."""
    numbers = [*doc["certificate_numbers"], *doc["certificate_codes"], *doc["decision_numbers"]]
    province_names = [doc["province_name"]]
    for slug in doc["certified_provinces"]:
        former = province_by_slug(slug)
        if former is not None and former.name not in province_names:
            province_names.append(former.name)
    return (doc["name"], doc["producer_name"], " ".join(numbers), doc["description"],
            " ".join(province_names), address_words(doc["address"]))


def without_markers(text: str) -> str:
    """`text` without the reserved mark characters (replace finds none quickly; translate with a
    table looked up every character, a tenth of a rebuild's document building)."""
    return text.replace(MARK_START, "").replace(MARK_END, "")


@lru_cache(maxsize=1 << 16)  # a producer's products share its address: a rebuild splits each once
def address_words(address: str) -> str:
    """The words of an address that search indexes (at a low weight): the place names, without
    numbers or the words for units and streets."""
    return " ".join(_ADDRESS_WORD.findall(_ADDRESS_UNITS.sub(" ", unicodedata.normalize("NFC", address))))


def document_fingerprint(fields: dict[str, object]) -> str:
    """sha1 of the canonical JSON of every field but the fingerprint: equal documents, equal hashes."""
    payload = {k: v for k, v in fields.items() if k != "fingerprint"} if "fingerprint" in fields else fields
    # orjson's sorted compact UTF-8 is byte for byte json.dumps(sort_keys=True, ensure_ascii=False,
    # separators=(",", ":")), the form fingerprints were always taken of: stored ones stay equal.
    try:
        canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson cannot write (an integer past 64 bits) the standard library can
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha1(canonical, usedforsecurity=False).hexdigest()
