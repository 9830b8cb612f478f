"""build_documents (column-only queries, memoized validity) against its former ORM implementation:
the same dicts and fingerprints, on the demo catalog and on edge cases in SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import cast

import pytest
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import make_engine
from app.domain.states import ProductState
from app.models import Certificate, Producer, Product, ProductImage, Province, SelectionRound
from search.document_builder import _CertificateFacts, _validity_fields, build_documents
from search.documents import MARK_END, MARK_START, ProductDocument, document_fingerprint
from tests.factories import add_certificate, make_product
from tests.search.relevance_judgments import load_demo_catalog


def reference_documents(session: Session, product_ids: list[int]) -> dict[int, ProductDocument]:
    """The documents as the former build_documents made them: ORM rows, summarise() per product."""
    provinces = {p.id: (p.slug, p.name) for p in session.exec(select(Province)).all()}
    rows = session.exec(select(Product, Producer).join(Producer, col(Product.producer_id) == col(Producer.id))
                        .where(col(Product.id).in_(product_ids), col(Product.state) == ProductState.PUBLISHED)
                        ).all()
    certs: dict[int, list[_CertificateFacts]] = defaultdict(list)
    for cert, decision in session.exec(
            select(Certificate, SelectionRound.decision_number)
            .join(SelectionRound, col(Certificate.round_id) == col(SelectionRound.id), isouter=True)
            .where(col(Certificate.product_id).in_(product_ids))
            .order_by(col(Certificate.issued_on), col(Certificate.id))).all():
        certs[cert.product_id].append(_CertificateFacts(
            cert.level, cert.issued_on, cert.valid_until, cert.revoked_on, cert.province_id, cert.number,
            cert.code, decision))
    covers = dict(session.exec(
        select(ProductImage.product_id, ProductImage.content_hash)
        .where(col(ProductImage.product_id).in_(product_ids))
        .order_by(col(ProductImage.position).desc(), col(ProductImage.id).desc())).all())
    documents: dict[int, ProductDocument] = {}
    for product, producer in rows:
        pid = cast(int, product.id)
        mine = certs.get(pid, [])
        fields: dict[str, object] = {
            "id": pid, "slug": product.slug,
            "name": product.name.replace(MARK_START, "").replace(MARK_END, ""),
            "description": product.description or "", "group": product.group,
            "province": provinces[product.province_id][0], "province_name": provinces[product.province_id][1],
            "certified_provinces": sorted({provinces[c.province_id][0] for c in mine}),
            "producer_name": producer.name, "producer_slug": producer.slug, "address": producer.address or "",
            "certificate_numbers": sorted({c.number for c in mine if c.number}),
            "certificate_codes": sorted({c.code for c in mine}),
            "decision_numbers": sorted({c.decision_number for c in mine if c.decision_number}),
            "image": covers.get(pid, ""),
            **_reference_validity(mine),
        }
        fields["fingerprint"] = document_fingerprint(fields)
        documents[pid] = cast(ProductDocument, fields)
    return documents


def _reference_validity(certs: list[_CertificateFacts]) -> dict[str, object]:
    """The validity fields computed afresh, without the memo."""
    from app.domain.standing import day_key, summarise

    return {"levels": sorted({c.level for c in certs}), "years": sorted({c.issued_on.year for c in certs}),
            "validity": summarise(certs),
            "latest_issued": day_key(max(c.issued_on for c in certs)) if certs else 0}


def test_demo_catalog_documents_are_those_of_the_former_code(tmp_path: Path) -> None:
    settings: Settings = load_demo_catalog(tmp_path)
    db = make_engine(settings.sqlalchemy_url)
    try:
        with Session(db) as session:
            ids = [pid for pid in session.exec(select(Product.id).order_by(col(Product.id))).all() if pid]
            # the demo has no photos (pages show illustrations): give a few products one, so the field is read
            for pid in ids[::50]:
                session.add(ProductImage(product_id=pid, content_hash=f"{pid:064x}", width=1600, height=1200))
            session.commit()
            built = build_documents(session=session, product_ids=ids)
            expected = reference_documents(session, ids)
    finally:
        db.dispose()
    assert len(built) > 100 and built.keys() == expected.keys()
    docs = list(built.values())  # what the fields read: photos (added above), rounds, revocations, moves
    assert all(any(d[field] for d in docs) for field in ("image", "decision_numbers", "certificate_numbers"))
    assert any(d["certified_provinces"] != [d["province"]] for d in docs)
    assert any(record["revoked_on"] for d in docs for record in d["validity"].values())
    assert [pid for pid in ids if built.get(pid) != expected.get(pid)] == []


def test_edge_cases_build_the_documents_of_the_former_code(session: Session) -> None:
    plain = make_product(session, name=f"Trà {MARK_START}sen{MARK_END}", description=None)
    twin = make_product(session, name="Trà sen Tây Hồ", description="Ướp thủ công", number="7/GCN")
    add_certificate(session, plain, level="quoc_gia", issued_on=date(2021, 6, 1), revoked_on=date(2022, 1, 1),
                    certified_in="bac-giang")
    add_certificate(session, twin, level="quoc_gia", issued_on=date(2021, 6, 1), revoked_on=date(2022, 1, 1))
    round_ = SelectionRound(level="tinh", year=2023, decision_number="12/QĐ-UBND")
    session.add(round_)
    session.flush()
    bare = Product(slug="khong-chung-nhan", name="Không chứng nhận", name_key="khong chung nhan",
                   group="che_bien", producer_id=plain.producer_id, province_id=plain.province_id)
    hidden = make_product(session)
    hidden.state = ProductState.DRAFT
    session.add(bare)
    session.flush()
    for cert in session.exec(select(Certificate).where(Certificate.product_id == twin.id)).all():
        cert.round_id = round_.id
    assert twin.id is not None and bare.id is not None
    session.add_all([ProductImage(product_id=twin.id, content_hash=h * 64, width=1, height=1, position=p)
                     for h, p in (("c", 2), ("b", 0), ("a", 1))])
    session.commit()
    ids = [cast(int, p.id) for p in (plain, twin, bare, hidden)]
    built = build_documents(session=session, product_ids=ids)
    assert built == reference_documents(session, ids)
    assert sorted(built) == sorted(ids[:3]) and built[twin.id]["image"] == "b" * 64


def test_documents_sharing_certificate_dates_share_no_list_or_dict(session: Session) -> None:
    first = make_product(session, issued_on=date(2020, 3, 1))
    second = make_product(session, issued_on=date(2020, 3, 1))
    session.commit()
    ids = [cast(int, first.id), cast(int, second.id)]
    before = build_documents(session=session, product_ids=ids)
    a, b = before[ids[0]], before[ids[1]]
    assert a["validity"] == b["validity"] and a["validity"] is not b["validity"]
    a["validity"]["all"]["runs"][0][1] = 0  # an engine changing a document it was handed
    a["levels"].append("xa")
    a["years"].clear()
    again = build_documents(session=session, product_ids=ids)
    assert again == reference_documents(session, ids)
    assert again[ids[0]]["validity"]["all"]["runs"][0][1] == 20231231


@pytest.mark.parametrize("count", [0, 1, 3])
def test_validity_fields_match_summarise(count: int) -> None:
    certs = [_CertificateFacts(level, date(2015 + 3 * n, 1, 1 + n), date(2018 + 3 * n, 12, 31),
                               date(2019 + 3 * n, 1, 1) if n == 1 else None, 1, None, f"C{n}", None)
             for n, level in enumerate(["tinh", "quoc_gia", "tinh"][:count])]
    assert _validity_fields(certs) == _reference_validity(certs)
    assert _validity_fields(list(reversed(certs))) == _reference_validity(certs)


def test_only_the_requested_products_whether_ids_are_dense_or_sparse(session: Session) -> None:
    products = [make_product(session, name=f"Mắm tôm {n}") for n in range(5)]
    for product in products[1:]:
        add_certificate(session, product, level="quoc_gia", issued_on=date(2024, 2, 1), certified_in="hue")
    session.commit()
    ids = [cast(int, p.id) for p in products]
    for asked in ([ids[0], ids[2], ids[4]], [ids[3], ids[1]], [ids[0], ids[4] + 10_000], [ids[2]]):
        built = build_documents(session=session, product_ids=asked)  # BETWEEN, BETWEEN, IN, either
        assert sorted(built) == sorted(pid for pid in asked if pid in ids)
        assert built == reference_documents(session, asked)


def test_fingerprint_is_the_sha1_of_the_canonical_json_it_always_was(session: Session) -> None:
    """Stored fingerprints (both engines) were taken of json.dumps(sort_keys, compact, UTF-8): the
    faster encoder must give the same bytes, or every product would look changed once."""
    product = make_product(session, name="Nước mắm Đông Hải \"đặc biệt\"", description="Cá cơm\nmuối ✓")
    add_certificate(session, product, level="quoc_gia", issued_on=date(2024, 2, 1), certified_in="hue")
    session.commit()
    document = build_documents(session=session, product_ids=[cast(int, product.id)])[cast(int, product.id)]
    fields = {key: value for key, value in document.items() if key != "fingerprint"}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha1(canonical.encode("utf-8"), usedforsecurity=False).hexdigest()
    assert document["fingerprint"] == expected
    assert document_fingerprint(fields) == document["fingerprint"]
