"""Office photo management: scope, CSRF, all-or-nothing uploads and refusals, alt texts, cover, order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.config import Settings
from app.files.images import process_image
from app.files.media import VARIANT_FORMATS, VARIANT_WIDTHS, variant_dir
from app.models import AuditEntry, Product, ProductImage, User
from app.routes import admin_photos
from app.services.records import photos as photo_service
from app.services.records.photos import attach_image, store_image
from tests.factories import csrf_of, make_product, make_user, sign_in
from tests.test_images import SVG_WITH_SCRIPT, bomb_png, heic_with_gps, jpeg_with_exif, png_bytes

ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif"
File = tuple[str, tuple[str, bytes, str]]


def html(response: Any) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def office(client: TestClient, session: Session, province: str = "da-nang") -> User:
    """Sign `client` in as an office of `province`."""
    user = make_user(session, province_slug=province)
    sign_in(client, user)
    return user


def photo(name: str, data: bytes, mime: str = "image/jpeg") -> File:
    """One part of the `photos` file input."""
    return ("photos", (name, data, mime))


def page_of(product: Product) -> str:
    """The product's photo page."""
    return f"/quan-ly/san-pham/{product.id}/anh"


def upload(client: TestClient, product: Product, files: list[File], *, alt: str = "Đèn lồng đỏ treo hiên",
           csrf: bool = True) -> Any:
    """POST the upload form as a browser would (multipart), without following the redirect."""
    data = {"alt": alt, **({"csrf_token": csrf_of(client, page_of(product))} if csrf else {})}
    return client.post(page_of(product), data=data, files=files, follow_redirects=False)


def post(client: TestClient, product: Product, path: str, data: dict[str, str] | None = None) -> Any:
    """POST a small form with the session's CSRF token."""
    form = {"csrf_token": csrf_of(client, page_of(product)), **(data or {})}
    return client.post(page_of(product) + path, data=form, follow_redirects=False)


def rows(session: Session, product: Product) -> list[ProductImage]:
    """The product's photos in order, read afresh."""
    session.expire_all()
    return list(session.exec(select(ProductImage).where(ProductImage.product_id == product.id)
                             .order_by(col(ProductImage.position))).all())


def media_files(settings: Settings) -> list[Path]:
    """Every file (temporary ones too) under the public media folder."""
    return [p for p in settings.media_path.rglob("*") if p.is_file()]


def audit_actions(session: Session) -> list[str]:
    """The actions logged so far, oldest first."""
    return [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()]


def with_photos(session: Session, settings: Settings, count: int, *, alt: str = "Ảnh có mô tả") -> Product:
    """A Đà Nẵng product with `count` distinct stored photos (committed)."""
    product = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang")
    for n in range(count):
        processed = process_image(png_bytes((40 + n, 30)), filename=f"{n}.png")
        store_image(media_dir=settings.media_path, processed=processed)
        attach_image(session=session, product=product, processed=processed, alt=alt, position=n)
    session.commit()
    return product


@pytest.fixture
def lantern(session: Session) -> Product:
    """A Đà Nẵng product without photos."""
    product = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang")
    session.commit()
    return product


def test_anonymous_is_sent_to_login(client: TestClient, lantern: Product) -> None:
    for response in (client.get(page_of(lantern), follow_redirects=False),
                     upload(client, lantern, [photo("a.png", png_bytes((10, 10)), "image/png")], csrf=False)):
        assert response.status_code == 302 and response.headers["location"].startswith("/quan-ly/dang-nhap")


def test_other_province_is_not_found(client: TestClient, session: Session, settings: Settings) -> None:
    product = with_photos(session, settings, 1)
    office(client, session, province="ha-noi")
    [image] = rows(session, product)
    assert client.get(page_of(product)).status_code == 404
    token = csrf_of(client, "/quan-ly")
    files = [photo("a.png", png_bytes((10, 10)), "image/png")]
    response = client.post(page_of(product), data={"alt": "x", "csrf_token": token}, files=files)
    assert response.status_code == 404
    assert client.post(f"{page_of(product)}/{image.id}/go", data={"csrf_token": token}).status_code == 404
    assert len(rows(session, product)) == 1 and len(media_files(settings)) == 9


def test_admin_manages_every_province(client: TestClient, session: Session, lantern: Product) -> None:
    sign_in(client, make_user(session, role="admin"))
    assert client.get(page_of(lantern)).status_code == 200


def test_page_works_without_javascript(client: TestClient, session: Session, lantern: Product) -> None:
    office(client, session)
    page = html(client.get(page_of(lantern)))
    form = page.find("input", attrs={"name": "photos"}).find_parent("form")  # type: ignore[union-attr]
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    file_input = form.find("input", attrs={"name": "photos"})
    assert file_input["type"] == "file" and file_input.has_attr("multiple") and file_input["accept"] == ACCEPT
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert form.find("input", attrs={"name": "alt"})["value"] == "Đèn lồng Hội An"
    assert "không ảnh nào được lưu" in form.get_text()  # the page says the upload is all-or-nothing
    scripts = page.find_all("script")
    assert all(s.has_attr("src") and not s.string for s in scripts)  # no inline script
    assert any(s["src"].startswith("/static/photos.") and s.has_attr("defer") for s in scripts)
    assert not page.select("[style]")


def test_several_photos_are_stored_upright_without_metadata(client: TestClient, session: Session,
                                                            settings: Settings, lantern: Product) -> None:
    office(client, session)
    files = [photo("gps.jpg", jpeg_with_exif((1600, 1200), 6)),
             photo("IMG_0001.HEIC", heic_with_gps(), "image/heic"),
             photo("that-ra-png.jpg", png_bytes((300, 200)))]
    response = upload(client, lantern, files)
    assert response.status_code == 303 and response.headers["location"].endswith("/anh?tb=them")
    images = rows(session, lantern)
    assert [(i.position, i.alt) for i in images] == [(n, "Đèn lồng đỏ treo hiên") for n in range(3)]
    assert (images[0].width, images[0].height) == (1200, 1600)
    assert len(media_files(settings)) == 27
    for image in images:
        for width in VARIANT_WIDTHS:
            for fmt in VARIANT_FORMATS:
                variant = Image.open(variant_dir(settings.media_path, image.content_hash) / f"{width}.{fmt}")
                variant.load()
                assert not variant.getexif().get_ifd(0x8825) and not variant.getexif()
    assert audit_actions(session) == ["product_image.add"] * 3
    hits = client.get("/api/v1/products", params={"q": "Đèn lồng Hội An"}).json()["hits"]
    assert images[0].content_hash in hits[0]["image"]  # re-indexed after the commit: the cover is searchable
    notice = html(client.get(response.headers["location"])).find(id="photo-notice")
    assert notice is not None and "xem lại" in notice.get_text()


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (photo("bom.png", bomb_png(100_000, 100_000), "image/png"), "quá lớn"),
        (photo("cut.jpg", jpeg_with_exif((800, 600), 1)[:600]), "hỏng"),
        (photo("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"), "SVG"),
        (photo("ghi-chu.jpg", b"khong phai anh"), "không phải ảnh"),
        (photo("soc.png", png_bytes((2, 17_000)), "image/png"), "gấp 20 lần"),
    ],
    ids=["bomb", "truncated-jpeg", "svg-with-script", "text", "two-pixel-strip"],
)
def test_one_bad_file_stores_nothing_and_is_named(client: TestClient, session: Session,
                                                  settings: Settings, lantern: Product,
                                                  bad: File, fragment: str) -> None:
    office(client, session)
    response = upload(client, lantern, [photo("tot.jpg", jpeg_with_exif((400, 300), 1)), bad])
    assert response.status_code == 422
    errors = html(response).find(id="upload-errors")
    assert errors is not None and "Chưa lưu ảnh nào" in errors.get_text()
    [message] = [li.get_text() for li in errors.find_all("li")]
    assert bad[1][0] in message and fragment in message and "tot.jpg" not in message
    assert rows(session, lantern) == [] and media_files(settings) == [] and audit_actions(session) == []


def test_a_25_mb_file_is_refused_by_its_size_alone(client: TestClient, session: Session, settings: Settings,
                                                   lantern: Product, monkeypatch: pytest.MonkeyPatch) -> None:
    office(client, session)
    decoded: list[str] = []
    real = photo_service.process_image
    monkeypatch.setattr(photo_service, "process_image",
                        lambda data, *, filename: decoded.append(filename) or real(data, filename=filename))
    big = photo("ảnh lớn.jpg", jpeg_with_exif((64, 64), 1) + b"\0" * (25 * 1024 * 1024))
    response = upload(client, lantern, [photo("tot.jpg", jpeg_with_exif((400, 300), 1)), big])
    assert response.status_code == 422
    [message] = [li.get_text() for li in html(response).select("#upload-errors li")]
    assert "ảnh lớn.jpg" in message and "20 MB" in message
    assert decoded == ["tot.jpg"]  # the big one was never read into memory
    assert rows(session, lantern) == [] and media_files(settings) == []


def test_a_request_over_the_upload_limit_is_cut_off(client: TestClient, session: Session,
                                                    settings: Settings, lantern: Product,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    office(client, session)
    monkeypatch.setattr(admin_photos, "MAX_UPLOAD_BYTES", 256 * 1024)
    response = upload(client, lantern, [photo("to.jpg", b"\xff" * (512 * 1024))])
    errors = html(response).select_one("#upload-errors")
    assert response.status_code == 413 and errors is not None and "quá lớn" in errors.get_text()
    assert rows(session, lantern) == [] and media_files(settings) == []


def test_too_many_files_or_none(client: TestClient, session: Session, lantern: Product) -> None:
    office(client, session)
    eleven = [photo(f"{n}.png", png_bytes((8 + n, 8)), "image/png") for n in range(11)]
    response = upload(client, lantern, eleven)
    assert response.status_code == 400 and "tối đa 10 ảnh" in response.text
    empty = upload(client, lantern, [photo("", b"", "application/octet-stream")])
    assert empty.status_code == 422 and "Chưa chọn ảnh" in empty.text
    no_alt = upload(client, lantern, [photo("a.png", png_bytes((8, 8)), "image/png")], alt="  ")
    assert no_alt.status_code == 422 and "văn bản thay thế" in no_alt.text
    assert rows(session, lantern) == []


def test_csrf_is_required(client: TestClient, session: Session, settings: Settings) -> None:
    product = with_photos(session, settings, 2)
    office(client, session)
    first, second = rows(session, product)
    response = upload(client, product, [photo("a.png", png_bytes((8, 8)), "image/png")], csrf=False)
    assert response.status_code == 403
    assert client.post(f"{page_of(product)}/{second.id}/bia", follow_redirects=False).status_code == 403
    assert client.post(f"{page_of(product)}/mo-ta", data={f"alt-{first.id}": "x"}).status_code == 403
    assert [i.id for i in rows(session, product)] == [first.id, second.id] and audit_actions(session) == []


def test_same_photo_twice_adds_nothing(client: TestClient, session: Session, lantern: Product) -> None:
    office(client, session)
    data = png_bytes((50, 40))
    assert upload(client, lantern, [photo("a.png", data), photo("b.png", data)]).status_code == 303
    again = upload(client, lantern, [photo("c.png", data)])
    assert again.headers["location"].endswith("tb=trung") and len(rows(session, lantern)) == 1


def test_cover_and_order(client: TestClient, session: Session, settings: Settings) -> None:
    product = with_photos(session, settings, 3)
    office(client, session)
    a, b, c = (i.id for i in rows(session, product))
    assert post(client, product, f"/{c}/bia").status_code == 303
    assert [i.id for i in rows(session, product)] == [c, a, b]
    hits = client.get("/api/v1/products", params={"q": "Đèn lồng Hội An"}).json()["hits"]
    assert rows(session, product)[0].content_hash in hits[0]["image"]
    assert post(client, product, f"/{c}/xuong").status_code == 303
    assert [i.id for i in rows(session, product)] == [a, c, b]
    assert post(client, product, f"/{b}/len").status_code == 303
    assert [(i.id, i.position) for i in rows(session, product)] == [(a, 0), (b, 1), (c, 2)]
    assert post(client, product, f"/{a}/len").status_code == 303  # already first: nothing changes
    assert audit_actions(session) == ["product_image.cover", "product_image.move", "product_image.move"]
    entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).first()
    assert entry is not None and json.loads(entry.after or "{}") == {"photo_order": [c, a, b]}
    page = html(client.get(page_of(product)))
    items = page.select(".photo-list > li")
    assert "Ảnh bìa" in items[0].get_text() and "Đặt làm ảnh bìa" not in items[0].get_text()
    assert "Đặt làm ảnh bìa" in items[1].get_text()


def test_remove_keeps_the_files_and_logs_it(client: TestClient, session: Session, settings: Settings) -> None:
    product = with_photos(session, settings, 2)
    office(client, session)
    first, second = (i.id for i in rows(session, product))
    assert post(client, product, f"/{first}/go", {"xac_nhan": "1"}).status_code == 303
    [left] = rows(session, product)
    assert (left.id, left.position) == (second, 0) and len(media_files(settings)) == 18
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.entity, entry.entity_id, entry.after) == (
        "product_image.remove", "product_image", first, None)
    other = with_photos(session, settings, 1)
    [foreign] = rows(session, other)
    assert post(client, product, f"/{foreign.id}/go").status_code == 404


def test_alt_text_is_required_for_every_photo(client: TestClient, session: Session,
                                              settings: Settings) -> None:
    product = with_photos(session, settings, 2, alt="")
    office(client, session)
    page = html(client.get(page_of(product)))
    summary = page.select_one("#alt-summary")
    assert summary is not None and "2 ảnh chưa có văn bản thay thế" in summary.get_text()
    assert len(page.select(".photo-item--flagged")) == 2
    first, second = rows(session, product)
    typed = {f"alt-{first.id}": "Đèn lồng lụa đỏ", f"alt-{second.id}": " "}
    response = post(client, product, "/mo-ta", typed)
    assert response.status_code == 422
    field = html(response).find(id=f"alt-{second.id}")
    assert field is not None and field["aria-invalid"] == "true"
    assert html(response).find(id=f"alt-{first.id}")["value"] == "Đèn lồng lụa đỏ"  # type: ignore[index]
    assert [i.alt for i in rows(session, product)] == ["", ""]
    alts = {f"alt-{first.id}": "Đèn lồng lụa đỏ", f"alt-{second.id}": "Đèn lồng Hội An"}
    ok = post(client, product, "/mo-ta", alts)
    assert ok.status_code == 303
    assert [i.alt for i in rows(session, product)] == ["Đèn lồng lụa đỏ", "Đèn lồng Hội An"]
    assert audit_actions(session) == ["product_image.alt"] * 2
    page = html(client.get(page_of(product)))
    summary = page.select_one("#alt-summary")
    assert summary is not None and "tên sản phẩm" in summary.get_text()
    assert len(page.select(".photo-item--flagged")) == 1  # the second still only repeats the product name


def test_remove_asks_for_confirmation_first(client: TestClient, session: Session, settings: Settings) -> None:
    product = with_photos(session, settings, 2)
    office(client, session)
    first = rows(session, product)[0].id
    page = html(client.get(page_of(product)))
    button = page.select_one(f'form[action="{page_of(product)}/{first}/go"] button')
    assert button is not None and "button-danger" in (button.get("class") or [])
    asked = post(client, product, f"/{first}/go")
    assert asked.status_code == 200 and len(rows(session, product)) == 2
    soup = html(asked)
    facts = dict(zip([dt.get_text() for dt in soup.select("#confirm-facts dt")],
                     [dd.get_text() for dd in soup.select("#confirm-facts dd")], strict=True))
    assert facts["Sản phẩm"] == product.name and facts["Ảnh"] == "Ảnh số 1 (ảnh bìa)"
    form = soup.select_one("form.confirm-actions")
    assert form is not None and form.get("action") == f"{page_of(product)}/{first}/go"
    fields = {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}
    done = client.post(str(form["action"]), data=fields, follow_redirects=False)
    assert done.status_code == 303 and len(rows(session, product)) == 1
    notice = html(client.get(done.headers["location"])).select_one("#photo-notice")
    assert notice is not None and notice.get_text().startswith("Đã gỡ ảnh khỏi sản phẩm")
