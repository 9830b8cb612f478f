"""The office dashboard: only the account's province (with its former provinces), lists capped with counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.domain.permissions import Role
from app.domain.validity import today_in
from app.errors import InvalidInput
from app.models import Certificate, ImportBatch, MisuseReport, Product, ProductImage, User, VerificationCount
from app.services.office.account import Account
from app.services.office.dashboard import build_dashboard
from tests.factories import add_certificate, make_producer, make_product, make_user, province, sign_in

SECRET = "Bí mật Hà Nội"  # every name seeded in the other province contains this


@dataclass
class Seeded:
    """The rows the dashboard tests look for."""

    office: User
    admin: User
    own: Product
    former: Product
    other: Product


def _product(session: Session, name: str, where: str, *, certified_in: str | None = None,
             contacts: bool = False, expires_this_year: bool = True) -> Product:
    """A product without photo; its certificate ends this Vietnam year unless told otherwise."""
    year = today_in().year
    extra = {"phone": "0900 000 000"} if contacts else {}
    producer = make_producer(session, name=f"Cơ sở của {name}", province_slug=where, **extra)
    issued = date(year - 3, 3, 1) if expires_this_year else date(year, 1, 2)
    return make_product(session, name=name, province_slug=where, certified_in=certified_in or where,
                        producer=producer, issued_on=issued)


def _report(session: Session, province_slug: str | None, where_bought: str, product: Product | None) -> None:
    """A misuse report handled by `province_slug`'s office (None: the ministry)."""
    province_id = province(session, province_slug).id if province_slug else None
    session.add(MisuseReport(province_id=province_id, where_bought=where_bought,
                             product_id=product.id if product else None, reported_code="ABCD1234"))


def _import(session: Session, user: User, province_slug: str, filename: str) -> None:
    """A browser import recorded for a province."""
    assert user.id is not None
    session.add(ImportBatch(user_id=user.id, province_id=province(session, province_slug).id,
                            filename=filename, stored_path=f"private/imports/{filename}", rows=3))


def _lookups(session: Session, product: Product, count: int) -> None:
    """Lookups of the product's certificate today."""
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).first()
    assert cert is not None and cert.id is not None
    session.add(VerificationCount(certificate_id=cert.id, day=today_in(), count=count))


@pytest.fixture
def seeded(session: Session) -> Seeded:
    """Đà Nẵng (with former Quảng Nam) against Hà Nội, plus the ministry's own report."""
    office = make_user(session, province_slug="da-nang", email="so@da-nang.example")
    admin = make_user(session, role="admin", email="bo@moit.example")
    own = _product(session, "Nước mắm Nam Ô thử nghiệm", "da-nang")
    former = _product(session, "Tranh gỗ Hội An thử nghiệm", "quang-nam")
    _product(session, "Đèn lồng Hội An thử nghiệm", "da-nang", certified_in="quang-nam", contacts=True)
    other = _product(session, f"Lụa {SECRET}", "ha-noi")
    _report(session, "da-nang", "Chợ Hàn, Đà Nẵng", own)
    _report(session, "ha-noi", f"Chợ {SECRET}", other)
    _report(session, None, f"Sàn thương mại điện tử {SECRET}", None)
    _import(session, office, "da-nang", "trung-tuyen-da-nang.xlsx")
    _import(session, admin, "ha-noi", "bi-mat-ha-noi.xlsx")
    _lookups(session, own, 7)
    _lookups(session, other, 5)
    session.commit()
    return Seeded(office=office, admin=admin, own=own, former=former, other=other)


def _section(html: str, section_id: str) -> Tag:
    """One dashboard section, parsed."""
    found = BeautifulSoup(html, "html.parser").find("section", id=section_id)
    assert isinstance(found, Tag), section_id
    return found


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/quan-ly", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/quan-ly/dang-nhap?next=%2Fquan-ly"


def test_office_sees_its_province_and_former_provinces_only(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.office)
    for url in ("/quan-ly", "/quan-ly?tinh=ha-noi"):  # an office's filter is ignored
        response = client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.text and "bi-mat-ha-noi" not in response.text
        photos = _section(response.text, "thieu-anh").get_text(" ")
        assert "Nước mắm Nam Ô thử nghiệm" in photos and "Tranh gỗ Hội An thử nghiệm" in photos
        contacts = _section(response.text, "thieu-lien-he").get_text(" ")
        assert "Nước mắm Nam Ô" in contacts and "Đèn lồng Hội An" not in contacts
        expiring = _section(response.text, "sap-het-han").get_text(" ")
        assert "Đèn lồng Hội An thử nghiệm" in expiring and f"31/12/{today_in().year}" in expiring
        assert "trung-tuyen-da-nang.xlsx" in _section(response.text, "nhap-du-lieu").get_text(" ")
        lookups = _section(response.text, "tra-cuu")
        assert "tổng 7 lượt" in lookups.get_text(" ")
        assert "Chợ Hàn, Đà Nẵng" in _section(response.text, "phan-anh").get_text(" ")
        assert BeautifulSoup(response.text, "html.parser").find(id="phan-anh-bo") is None
        assert BeautifulSoup(response.text, "html.parser").find("select", attrs={"name": "tinh"}) is None
    links = [a["href"] for a in _section(response.text, "sap-het-han").find_all("a")]
    assert links and all(client.get(str(href)).status_code == 200 for href in links)  # its own records


def test_admin_sees_everything_and_the_ministry_reports(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.admin)
    response = client.get("/quan-ly")
    assert response.status_code == 200
    photos = _section(response.text, "thieu-anh").get_text(" ")
    assert f"Lụa {SECRET}" in photos and "Nước mắm Nam Ô thử nghiệm" in photos
    assert "tổng 12 lượt" in _section(response.text, "tra-cuu").get_text(" ")
    assert f"Chợ {SECRET}" in _section(response.text, "phan-anh").get_text(" ")
    assert "Sàn thương mại điện tử" in _section(response.text, "phan-anh-bo").get_text(" ")
    imports = _section(response.text, "nhap-du-lieu").get_text(" ")
    assert "bi-mat-ha-noi.xlsx" in imports and "trung-tuyen-da-nang.xlsx" in imports


def test_admin_filters_by_province(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.admin)
    response = client.get("/quan-ly?tinh=da-nang")
    assert response.status_code == 200
    assert f"Lụa {SECRET}" not in response.text and f"Chợ {SECRET}" not in response.text
    assert "Tranh gỗ Hội An thử nghiệm" in _section(response.text, "thieu-anh").get_text(" ")
    selected = BeautifulSoup(response.text, "html.parser").find("option", selected=True)
    assert isinstance(selected, Tag) and selected.get("value") == "da-nang"
    former = client.get("/quan-ly?tinh=quang-nam")  # a former province means its successor
    assert former.status_code == 200 and "Nước mắm Nam Ô thử nghiệm" in former.text
    assert client.get("/quan-ly?tinh=khong-co").status_code == 422


def _account(user: User, slug: str | None) -> Account:
    return Account(user=user, role=Role(user.role), province_slug=slug)


def test_expiring_this_year_counts_days_and_skips_revoked_expired_and_later(session: Session) -> None:
    office = make_user(session, province_slug="da-nang")
    ends_today = make_product(session, name="Hết hạn hôm nay", province_slug="da-nang",
                              issued_on=date(2023, 1, 5))
    make_product(session, name="Đã thu hồi", province_slug="da-nang", issued_on=date(2023, 2, 1),
                 revoked_on=date(2026, 6, 1))
    make_product(session, name="Đã hết hạn", province_slug="da-nang", issued_on=date(2022, 2, 1))
    make_product(session, name="Còn lâu", province_slug="da-nang", issued_on=date(2024, 2, 1))
    add_certificate(session, ends_today, level="xa", issued_on=date(2023, 6, 1), certified_in="quang-nam")
    session.commit()
    view = build_dashboard(session=session, account=_account(office, "da-nang"), today=date(2026, 12, 31))
    assert [(row.product.name, row.days_left) for row in view.expiring.items] == [
        ("Hết hạn hôm nay", 0), ("Hết hạn hôm nay", 0)]
    earlier = build_dashboard(session=session, account=_account(office, "da-nang"), today=date(2026, 1, 1))
    assert {row.days_left for row in earlier.expiring.items} == {364}
    assert earlier.expiring.total == 3  # revoked on 01/06/2026: still valid on 01/01/2026


def test_lists_are_capped_with_the_full_count(session: Session) -> None:
    admin = make_user(session, role="admin")
    for n in range(5):
        make_product(session, name=f"Sản phẩm giới hạn {n}", province_slug="hue")
    with_photo = make_product(session, name="Có ảnh", province_slug="hue")
    assert with_photo.id is not None
    session.add(ProductImage(product_id=with_photo.id, content_hash="a" * 64, width=10, height=10))
    session.commit()
    view = build_dashboard(session=session, account=_account(admin, None), today=date(2026, 5, 1),
                           province_slug="hue", limit=2)
    assert len(view.without_photos.items) == 2 and view.without_photos.total == 5
    assert view.without_photos.more == 3
    assert view.without_contacts.total == 6


def test_unknown_province_filter_is_invalid(session: Session) -> None:
    admin = make_user(session, role="admin")
    with pytest.raises(InvalidInput):
        build_dashboard(session=session, account=_account(admin, None), today=date(2026, 5, 1),
                        province_slug="x" * 65)


def test_report_and_import_dates_are_vietnam_days(client: TestClient, session: Session) -> None:
    office = make_user(session, province_slug="da-nang")
    assert office.id is not None
    late = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)  # 02/03/2026 01:30 in Vietnam
    session.add(MisuseReport(province_id=province(session, "da-nang").id, where_bought="Chợ Cồn",
                             created_at=late))
    session.commit()
    sign_in(client, office)
    assert "02/03/2026" in _section(client.get("/quan-ly").text, "phan-anh").get_text(" ")


def test_dashboard_shows_the_import_steps_with_their_links(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, province_slug="da-nang"))
    soup = BeautifulSoup(client.get("/quan-ly").text, "html.parser")
    block = soup.find("section", id="nhap-danh-sach")
    assert isinstance(block, Tag)
    heading = block.find("h2")
    assert heading is not None and heading.get_text(strip=True) == "Nhập danh sách sản phẩm đạt giải"
    steps = block.find_all("li")
    assert len(steps) == 6
    links = {str(a["href"]) for a in block.find_all("a")}
    assert links == {"/quan-ly/dot-binh-chon/moi", "/quan-ly/dot-binh-chon", "/quan-ly/mau-danh-sach.xlsx",
                     "/quan-ly/anh-hang-loat"}
    for href in links:
        assert client.get(href).status_code == 200, href
