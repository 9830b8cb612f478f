"""Bulk photos matched by file name: a real zip and plain files, preview, confirm, replay, scope, bad zips."""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.config import Settings
from app.files.photo_bundle import MAX_ENTRIES
from app.models import AuditEntry, Certificate, Product, ProductImage
from tests.factories import csrf_of, make_product, make_user, sign_in

PAGE = "/quan-ly/anh-hang-loat"


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG of one colour (distinct colours give distinct photos)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png(color: tuple[int, int, int]) -> bytes:
    """A small PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (40, 40), color).save(out, "PNG")
    return out.getvalue()


def zip_of(entries: dict[str, bytes], *, compress: int = zipfile.ZIP_STORED) -> bytes:
    """A zip holding `entries` under exactly these names (traversal names included)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compress) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compress)
    return out.getvalue()


def post_upload(client: TestClient, files: list[tuple[str, bytes, str]], *, csrf: bool = True) -> Any:
    """POST the bulk form as a browser does: multipart, every file in the one `photos` input."""
    data = {"csrf_token": csrf_of(client, PAGE)} if csrf else {}
    parts = [("photos", (name, body, mime)) for name, body, mime in files]
    return client.post(PAGE, data=data, files=parts, follow_redirects=False)


def preview_rows(client: TestClient, url: str) -> dict[str, tuple[str, str]]:
    """File name → (result, product or reason) as the preview table shows them."""
    soup = BeautifulSoup(client.get(url).text, "html.parser")
    table = soup.find("table", id="bulk-files")
    assert table is not None
    found = {}
    for tr in table.find("tbody").find_all("tr"):  # type: ignore[union-attr]
        cells = [" ".join(td.get_text().split()) for td in tr.find_all("td")]
        found[cells[0]] = (cells[1], cells[2])
    return found


def confirm(client: TestClient, url: str) -> Any:
    """Press the confirmation button of a preview."""
    return client.post(f"{url}/ap-dung", data={"csrf_token": csrf_of(client, url)}, follow_redirects=False)


def images_of(session: Session, product: Product) -> list[ProductImage]:
    """The product's photos in order, read afresh."""
    session.expire_all()
    return list(session.exec(select(ProductImage).where(ProductImage.product_id == product.id)
                             .order_by(col(ProductImage.position))).all())


def code_of(session: Session, product: Product) -> str:
    """The verification code of the product's certificate."""
    return session.exec(select(Certificate.code).where(Certificate.product_id == product.id)).one()


def test_zip_preview_then_confirm_attaches_matched_photos_once(client: TestClient, session: Session,
                                                               settings: Settings) -> None:
    nuoc_mam = make_product(session, name="Nước mắm Nam Ô", province_slug="da-nang", number="125/GCN-SCT")
    cha_bo = make_product(session, name="Chả bò Đà Nẵng", province_slug="da-nang")
    make_product(session, name="Bánh tráng", province_slug="da-nang")
    make_product(session, name="Bánh Tráng", province_slug="da-nang")  # same name, another producer
    lua = make_product(session, name="Lụa Vạn Phúc", province_slug="ha-noi")
    code = code_of(session, cha_bo)
    session.commit()
    sign_in(client, make_user(session, province_slug="da-nang"))
    inner = zip_of({"x.jpg": jpeg((1, 2, 3))})
    bomb = zip_of({"bom.jpg": b"\0" * (15 * 2**20)}, compress=zipfile.ZIP_DEFLATED)
    archive = zip_of({
        "anh/so/125-GCN-SCT.jpg": jpeg((200, 0, 0)),
        f"{code[:4].lower()}_{code[4:].lower()}.png": png((0, 200, 0)),
        "Nuoc mam nam o (2).jpg": jpeg((0, 0, 200)),
        "NƯỚC-MẮM_NAM-Ô-3.JPG": jpeg((100, 100, 0)),
        "banh-trang.jpg": jpeg((0, 100, 100)),
        "khong-co-san-pham.jpg": jpeg((50, 50, 50)),
        "lua-van-phuc.jpg": jpeg((90, 10, 10)),
        "ghi-chu.jpg": b"day khong phai anh",
        "../../thoat-ra.jpg": jpeg((10, 90, 10)),
        "long-nhau.zip": inner,
        "__MACOSX/._x.jpg": b"meta",
    })
    bomb_part = ("bom.zip", bomb, "application/zip")
    response = post_upload(client, [("anh.zip", archive, "application/zip"), bomb_part])
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    rows = preview_rows(client, url)

    assert rows["125-GCN-SCT.jpg"][0] == "Khớp" and "Nước mắm Nam Ô" in rows["125-GCN-SCT.jpg"][1]
    assert "số giấy chứng nhận: 125/GCN-SCT" in rows["125-GCN-SCT.jpg"][1]
    code_row = rows[f"{code[:4].lower()}_{code[4:].lower()}.png"]
    assert code_row[0] == "Khớp" and "Chả bò Đà Nẵng" in code_row[1] and "mã tra cứu" in code_row[1]
    assert rows["Nuoc mam nam o (2).jpg"][0] == "Khớp" and "tên sản phẩm" in rows["Nuoc mam nam o (2).jpg"][1]
    assert rows["NƯỚC-MẮM_NAM-Ô-3.JPG"][0] == "Khớp"
    assert rows["banh-trang.jpg"][0] == "Khớp nhiều sản phẩm"
    assert rows["khong-co-san-pham.jpg"][0] == "Không khớp"
    assert rows["lua-van-phuc.jpg"][0] == "Không khớp"  # Hà Nội's product is out of a Đà Nẵng office's reach
    assert rows["ghi-chu.jpg"][0] == "Không phải ảnh hợp lệ" and "không phải ảnh" in rows["ghi-chu.jpg"][1]
    assert rows["../../thoat-ra.jpg"][0] == "Bỏ qua" and "đường dẫn" in rows["../../thoat-ra.jpg"][1]
    assert rows["long-nhau.zip"][0] == "Bỏ qua" and "tệp nén nằm trong tệp nén" in rows["long-nhau.zip"][1]
    assert rows["bom.jpg"][0] == "Bỏ qua" and "tỷ lệ nén" in rows["bom.jpg"][1]
    assert not any("MACOSX" in name for name in rows)
    assert images_of(session, nuoc_mam) == []  # a preview changes nothing
    token = url.rsplit("/", 1)[-1]
    assert not list(settings.data_dir.parent.rglob("thoat-ra.jpg"))  # nothing written outside its folder

    done = confirm(client, url)
    assert done.status_code == 303 and done.headers["location"] == url
    photos = images_of(session, nuoc_mam)
    assert len(photos) == 3 and photos[0].position == 0  # the first is the cover
    assert {p.alt for p in photos} == {"Nước mắm Nam Ô"}
    assert len(images_of(session, cha_bo)) == 1
    assert images_of(session, lua) == []
    soup = BeautifulSoup(client.get(url).text, "html.parser")
    result = soup.find(id="bulk-result")
    assert result is not None and "Đã thêm 4 ảnh cho 2 sản phẩm" in " ".join(result.get_text().split())
    assert soup.find("form", action=f"{url}/ap-dung") is None
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "product_image.bulk_add")).all()
    assert len(audit) == 1 and json.loads(audit[0].after or "{}")["photos"] == 4
    adds = session.exec(select(AuditEntry).where(AuditEntry.action == "product_image.add")).all()
    assert len(adds) == 4
    folder = settings.data_dir / "private" / "bulk-photos" / token
    assert [p.name for p in folder.iterdir()] == ["done.json"]  # the staged photos are gone

    again = confirm(client, url)  # a replay (double click, back button) does nothing twice
    assert again.status_code == 303
    assert len(images_of(session, nuoc_mam)) == 3
    bulk = select(AuditEntry).where(AuditEntry.action == "product_image.bulk_add")
    assert len(session.exec(bulk).all()) == 1


def test_several_files_cover_kept_and_admin_matches_every_province(client: TestClient,
                                                                   session: Session) -> None:
    lua = make_product(session, name="Lụa Vạn Phúc", province_slug="ha-noi")
    assert lua.id is not None
    session.add(ProductImage(product_id=lua.id, content_hash="ab" * 32, width=80, height=60, alt="Bìa"))
    session.commit()
    sign_in(client, make_user(session, role="admin"))
    files = [("lua-van-phuc-1.jpg", jpeg((1, 1, 1)), "image/jpeg"),
             ("Lụa Vạn Phúc_2.png", png((2, 2, 2)), "image/png")]
    response = post_upload(client, files)
    url = response.headers["location"]
    rows = preview_rows(client, url)
    assert [rows[name][0] for name, _, _ in files] == ["Khớp", "Khớp"]
    assert confirm(client, url).status_code == 303
    photos = images_of(session, lua)
    assert [p.alt for p in photos] == ["Bìa", "Lụa Vạn Phúc", "Lụa Vạn Phúc"]  # the cover stays first
    assert photos[0].content_hash == "ab" * 32


def test_token_is_bound_to_the_account_and_never_a_path(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Chả bò Đà Nẵng", province_slug="da-nang")
    session.commit()
    sign_in(client, make_user(session, province_slug="da-nang"))
    url = post_upload(client, [("cha-bo-da-nang.jpg", jpeg((3, 3, 3)), "image/jpeg")]).headers["location"]
    client.cookies.clear()
    sign_in(client, make_user(session, province_slug="da-nang"))  # a colleague of the same office
    assert client.get(url).status_code == 404
    assert confirm_status(client, url) == 404
    for forged in ("0" * 32, "..%2F..%2Fcnnt.sqlite3", "ZZZ"):
        assert client.get(f"{PAGE}/{forged}").status_code == 404
        assert confirm_status(client, f"{PAGE}/{forged}") == 404
    assert images_of(session, product) == []


def confirm_status(client: TestClient, url: str) -> int:
    """The status of a confirmation with a valid CSRF token of this session."""
    token = csrf_of(client, PAGE)
    return client.post(f"{url}/ap-dung", data={"csrf_token": token}, follow_redirects=False).status_code


def test_refusals_say_why_and_keep_nothing(client: TestClient, session: Session, settings: Settings) -> None:
    sign_in(client, make_user(session, province_slug="da-nang"))
    no_csrf = post_upload(client, [("a.jpg", jpeg((4, 4, 4)), "image/jpeg")], csrf=False)
    assert no_csrf.status_code == 403
    empty = post_upload(client, [])
    assert empty.status_code == 422
    error = BeautifulSoup(empty.text, "html.parser").find(id="bulk-refused")
    assert error is not None and "Chưa chọn" in error.get_text()
    many = zip_of({f"anh-{n}.jpg": b"x" for n in range(MAX_ENTRIES + 2)})
    url = post_upload(client, [("nhieu.zip", many, "application/zip")]).headers["location"]
    rows = preview_rows(client, url)
    assert sum(1 for result, _ in rows.values() if result == "Bỏ qua") == 2
    broken = post_upload(client, [("hong.zip", b"PK\x03\x04 not really", "application/zip")])
    rows = preview_rows(client, broken.headers["location"])
    assert rows["hong.zip"][0] == "Bỏ qua"


def test_this_page_takes_more_than_one_photo_s_worth(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, province_slug="da-nang"))
    big = zip_of({"qua-lon.jpg": bytes(21 * 2**20 + 1)})  # over the site's usual 21 MB request limit
    response = post_upload(client, [("lon.zip", big, "application/zip")])
    assert response.status_code == 303, response.text[:300]
    rows = preview_rows(client, response.headers["location"])
    assert rows["qua-lon.jpg"][0] == "Bỏ qua" and "lớn hơn 20 MB" in rows["qua-lon.jpg"][1]


def test_an_abandoned_upload_expires_and_is_swept(client: TestClient, session: Session,
                                                  settings: Settings) -> None:
    make_product(session, name="Chả bò Đà Nẵng", province_slug="da-nang")
    session.commit()
    sign_in(client, make_user(session, province_slug="da-nang"))
    url = post_upload(client, [("cha-bo-da-nang.jpg", jpeg((5, 5, 5)), "image/jpeg")]).headers["location"]
    folder = settings.data_dir / "private" / "bulk-photos" / url.rsplit("/", 1)[-1]
    manifest = folder / "pending.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["created"] -= 2 * 24 * 3600
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert client.get(url).status_code == 404
    assert confirm_status(client, url) == 404
    os.utime(folder, (data["created"], data["created"]))
    post_upload(client, [("khac.jpg", jpeg((6, 6, 6)), "image/jpeg")])  # any new upload sweeps old ones
    assert not folder.exists()


def test_the_audit_log_names_a_bulk_upload(client: TestClient, session: Session) -> None:
    make_product(session, name="Chả bò Đà Nẵng", province_slug="da-nang")
    session.commit()
    sign_in(client, make_user(session, role="admin"))
    url = post_upload(client, [("cha-bo-da-nang.jpg", jpeg((7, 7, 7)), "image/jpeg")]).headers["location"]
    assert confirm(client, url).status_code == 303
    log = client.get("/quan-ly/nhat-ky")
    assert log.status_code == 200
    assert "Gắn ảnh hàng loạt" in " ".join(BeautifulSoup(log.text, "html.parser").get_text().split())
