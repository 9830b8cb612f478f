"""Catalog read services: status on a given day, province at certification, lookups, home counts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.domain.codes import display_code
from app.errors import NotFound
from app.models import ProductImage
from app.services.catalog.reads import (
    find_certificates,
    get_producer_detail,
    get_product_detail,
    get_province_page,
    home_summary,
    latest_winners,
)
from tests.factories import add_certificate, make_product


def test_product_detail_status_on_the_given_day(session: Session) -> None:
    product = make_product(session, name="Chiếu cói", issued_on=date(2023, 12, 15), certified_in="bac-giang",
                           province_slug="bac-ninh")
    session.add(ProductImage(product_id=product.id, content_hash="ab" * 32, width=800, height=600))
    session.commit()
    before = get_product_detail(session=session, slug=product.slug, today=date(2026, 12, 31))
    after = get_product_detail(session=session, slug=product.slug, today=date(2027, 1, 1))
    assert before.status == "valid" and before.certificates[0].expiring_soon
    assert before.certificates[0].shows_badge
    assert after.status == "expired" and not after.certificates[0].shows_badge
    view = before.certificates[0]
    assert view.province_name == "Bắc Giang (nay thuộc Bắc Ninh)" and view.province_changed
    assert view.level_label == "Cấp tỉnh" and view.display_code == display_code(view.certificate.code)
    assert before.province.slug == "bac-ninh" and before.level is not None and before.level.value == "tinh"
    assert before.images[0].fallback.width == 640


def test_unknown_slugs_raise_not_found(session: Session) -> None:
    for call in (
        lambda: get_product_detail(session=session, slug="khong-co", today=date(2025, 1, 1)),
        lambda: get_producer_detail(session=session, slug="khong-co"),
        lambda: get_province_page(session=session, slug="khong-co", today=date(2025, 1, 1)),
    ):
        with pytest.raises(NotFound):
            call()


def test_find_certificates_by_code_and_number(session: Session) -> None:
    product = make_product(session, number="15/QĐ-UBND")
    cert = add_certificate(session, product, level="khu_vuc", issued_on=date(2024, 9, 1), number="KV-2024/07")
    session.commit()
    today = date(2025, 1, 1)
    typed = display_code(cert.code).lower()
    by_code = find_certificates(session=session, code=typed, number=None, today=today)
    assert [v.certificate.id for v in by_code] == [cert.id]
    by_number = find_certificates(session=session, code=None, number="kv 2024 07", today=today)
    assert [v.certificate.id for v in by_number] == [cert.id]
    assert find_certificates(session=session, code="not-a-code", number=None, today=today) == []
    assert find_certificates(session=session, code=None, number=None, today=today) == []


def test_home_counts_and_latest(session: Session) -> None:
    make_product(session, group="co_khi", province_slug="bac-ninh", certified_in="bac-giang",
                 issued_on=date(2024, 1, 1))
    newest = make_product(session, group="che_bien", level="quoc_gia", issued_on=date(2025, 9, 1))
    session.commit()
    summary = home_summary(session=session, today=date(2025, 10, 1))
    assert summary.total == 2 and summary.group_counts == {"co_khi": 1, "che_bien": 1}
    assert {p.slug: n for p, n in summary.province_counts}["bac-ninh"] == 1
    assert len(summary.province_counts) == 34
    assert [lv.value for lv, _ in summary.level_counts] == ["quoc_gia", "tinh"]
    assert latest_winners(session=session, limit=1, today=date(2025, 10, 1))[0].product.id == newest.id
