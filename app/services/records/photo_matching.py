"""Match a photo's file name to a product: by printed certificate number, verification code or product name.

Names are compared folded (case, diacritics, đ → d) with spaces, dashes, underscores and every
other mark ignored, so "Nuoc mam Nam O (2).jpg" finds "Nước mắm Nam Ô". A copy suffix ("-1",
"_2", " (3)") is tried only when the whole name finds nothing, so several photos of one product
match it. Only products the account manages are candidates; a name that fits more than one
product matches none of them (ambiguous).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlmodel import Session, col, select

from app.domain.codes import normalize_code, number_key
from app.domain.text import fold
from app.models import Certificate, Product, Province
from app.services.office.account import Account

BY_NUMBER = "số giấy chứng nhận"
BY_CODE = "mã tra cứu"
BY_NAME = "tên sản phẩm"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_COPY_SUFFIX = re.compile(r"^(?P<stem>.*?)(?:[\s_.-]*\(\d{1,3}\)|[\s_.-]+\d{1,3})\s*$")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A product a key leads to, and what of it matched (kind and stored text)."""

    product_id: int
    product_name: str
    kind: str
    text: str


@dataclass(slots=True)
class PhotoIndex:
    """The account's products under each kind of key."""

    by_number: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    by_code: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))

    def lookup(self, stem: str) -> list[Candidate]:
        """Every candidate whose number, code or name has the key of `stem`."""
        found: list[Candidate] = []
        code = normalize_code(stem)
        if code:
            found += self.by_code.get(code, [])
        if key := number_key(stem):
            found += self.by_number.get(key, [])
        if key := name_key(stem):
            found += self.by_name.get(key, [])
        return found


@dataclass(frozen=True, slots=True)
class PhotoMatch:
    """What one file name matched: one product, several (ambiguous) or none."""

    candidates: list[Candidate]

    @property
    def product_ids(self) -> list[int]:
        """The distinct products matched, in order of first match."""
        return list(dict.fromkeys(c.product_id for c in self.candidates))

    @property
    def state(self) -> str:
        """'matched', 'ambiguous' or 'unmatched'."""
        count = len(self.product_ids)
        return "unmatched" if count == 0 else "matched" if count == 1 else "ambiguous"


def name_key(text: str) -> str:
    """A product name reduced for matching a file name: folded, letters and digits only."""
    return _NOT_ALNUM.sub("", fold(text))


def managed_province_ids(*, session: Session, account: Account) -> list[int] | None:
    """Province rows whose products the account manages (its own and the former ones merged in); None: all."""
    if account.is_admin:
        return None
    rows = session.exec(select(Province)).all()
    own = next((p for p in rows if p.slug == account.province_slug), None)
    if own is None:
        return []
    return [p.id for p in rows if p.id is not None and own.id in (p.id, p.successor_id)]


def build_index(*, session: Session, account: Account) -> PhotoIndex:
    """The keys of every product the account manages and of their certificates."""
    ids = managed_province_ids(session=session, account=account)
    products = select(Product.id, Product.name)
    certificates = (select(Certificate.product_id, Product.name, Certificate.number, Certificate.code)
                    .join(Product, col(Product.id) == Certificate.product_id))
    if ids is not None:
        products = products.where(col(Product.province_id).in_(ids))
        certificates = certificates.where(col(Product.province_id).in_(ids))
    index = PhotoIndex()
    for product_id, name in session.exec(products).all():
        assert product_id is not None  # noqa: S101 - primary key
        index.by_name[name_key(name)].append(Candidate(product_id, name, BY_NAME, name))
    for product_id, name, number, code in session.exec(certificates).all():
        index.by_code[code].append(Candidate(product_id, name, BY_CODE, code))
        if number and (key := number_key(number)):
            index.by_number[key].append(Candidate(product_id, name, BY_NUMBER, number))
    return index


def match_filename(index: PhotoIndex, filename: str) -> PhotoMatch:
    """The products a file name names; a copy suffix is dropped only when the whole name finds none."""
    stem = PurePath(filename).stem.strip()
    found = index.lookup(stem)
    if not found and (suffixed := _COPY_SUFFIX.match(stem)):
        found = index.lookup(suffixed.group("stem"))
    return PhotoMatch(candidates=found)
