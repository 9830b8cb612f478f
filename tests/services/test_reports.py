"""Misuse reports: which product a report is about, which office gets it, the form and its token."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from app.domain.codes import display_code
from app.files.images import process_image
from app.files.media import variant_dir
from app.forms.reports import MAX_DETAILS, ReportForm, parse_report_form
from app.models import MisuseReport, Product, utcnow
from app.services.verification.misuse_reports import (
    MINISTRY,
    office_for_slug,
    reports_for_province,
    resolve_subject,
    submit_report,
)
from app.web.form_tokens import TokenCheck, check_token, issue_token
from tests.factories import add_certificate, make_product, province
from tests.test_images import jpeg_with_exif

SECRET = "test-secret"  # noqa: S105
PURPOSE = "misuse-report"


def form(**values: str) -> ReportForm:
    """A valid form with overrides."""
    parsed, errors = parse_report_form({"ma": "ABCD-EFGH", "noi_mua": "Chợ Hàn, Đà Nẵng", **values})
    assert parsed is not None, errors
    return parsed


def _code(session: Session, product: Product) -> str:
    from app.models import Certificate

    return session.exec(select(Certificate.code).where(Certificate.product_id == product.id)).one()


def test_resolves_code_number_and_name(session: Session) -> None:
    product = make_product(session, name="Nón lá Chuông", number="IO/QĐ-UBND")
    code = _code(session, product)
    for typed in (code.lower(), display_code(code), " 10/qd-ubnd ", "non la chuong", "NÓN LÁ CHUÔNG"):
        subject = resolve_subject(session=session, text=typed)
        assert subject is not None and subject.product.id == product.id, typed
    assert resolve_subject(session=session, text="non la chuong").certificate is None  # type: ignore[union-attr]
    assert resolve_subject(session=session, text=code).certificate is not None  # type: ignore[union-attr]
    assert resolve_subject(session=session, text="không có sản phẩm này") is None


def test_ambiguous_number_or_name_and_unpublished_products_resolve_to_nothing(session: Session) -> None:
    make_product(session, name="Mật ong bạc hà", number="01/GCN")
    make_product(session, name="Mật ong bạc hà", number="01/GCN")
    hidden = make_product(session, name="Sản phẩm ẩn")
    hidden.state = "draft"
    session.flush()
    assert resolve_subject(session=session, text="01/GCN") is None
    assert resolve_subject(session=session, text="mat ong bac ha") is None
    assert resolve_subject(session=session, text=_code(session, hidden)) is None
    assert resolve_subject(session=session, text="", product_slug=hidden.slug) is None


def test_chosen_product_is_used_when_the_text_names_nothing(session: Session) -> None:
    product = make_product(session, name="Chiếu cói Kim Sơn")
    subject = resolve_subject(session=session, text="", product_slug=product.slug)
    assert subject is not None and subject.product.id == product.id
    other = make_product(session, name="Gốm Bát Tràng")
    subject = resolve_subject(session=session, text="gom bat trang", product_slug=product.slug)
    assert subject is not None and subject.product.id == other.id  # what was typed wins


def test_report_goes_to_the_current_province_of_a_product_certified_in_a_former_one(
    session: Session, tmp_path: Path
) -> None:
    product = make_product(session, name="Đèn lồng Hội An", province_slug="da-nang", certified_in="quang-nam")
    session.commit()
    report = submit_report(session=session, form=form(ma=_code(session, product), lien_he="0900 000 000"),
                           photo=None, media_dir=tmp_path)
    stored = session.get(MisuseReport, report.id)
    assert stored is not None and stored.state == "new"
    assert stored.province_id == province(session, "da-nang").id
    assert stored.product_id == product.id and stored.certificate_id is not None
    assert stored.contact == "0900 000 000" and stored.where_bought == "Chợ Hàn, Đà Nẵng"
    handled = reports_for_province(session=session, province_id=stored.province_id)
    assert [r.id for r in handled] == [report.id]
    assert reports_for_province(session=session, province_id=None) == []


def test_unknown_product_goes_to_the_ministry(session: Session, tmp_path: Path) -> None:
    report = submit_report(session=session, form=form(ma="KHÔNG RÕ", lien_he=""), photo=None,
                           media_dir=tmp_path)
    assert report.province_id is None and report.product_id is None and report.contact is None
    assert report.reported_code == "KHÔNG RÕ"
    assert [r.id for r in reports_for_province(session=session, province_id=None)] == [report.id]


def test_reports_for_province_newest_first(session: Session, tmp_path: Path) -> None:
    product = make_product(session, name="Tiêu Tiên Phước", province_slug="da-nang")
    session.commit()
    first = submit_report(session=session, form=form(ma="tieu tien phuoc"), photo=None, media_dir=tmp_path)
    first.created_at = utcnow() - timedelta(days=1)
    session.add(first)
    session.commit()
    second = submit_report(session=session, form=form(ma="tieu tien phuoc"), photo=None, media_dir=tmp_path)
    rows = reports_for_province(session=session, province_id=product.province_id)
    assert [r.id for r in rows] == [second.id, first.id]


def test_photo_variants_are_written_without_metadata(session: Session, tmp_path: Path) -> None:
    photo = process_image(jpeg_with_exif((800, 600), orientation=1), filename="bao-bi.jpg")
    report = submit_report(session=session, form=form(), photo=photo, media_dir=tmp_path)
    assert (report.photo_hash, report.photo_width, report.photo_height) == (photo.content_hash, 800, 600)
    files = list(variant_dir(tmp_path, photo.content_hash).iterdir())
    assert len(files) == 9  # 3 widths × AVIF, WebP, JPEG
    for path in files:
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "exif" not in image.info
        assert b"Exif" not in data and "bí mật".encode() not in data


def test_offices_by_slug() -> None:
    assert office_for_slug("da-nang") == "Sở Công Thương Đà Nẵng"
    assert office_for_slug("quang-nam") == MINISTRY  # a former province has no office of its own
    assert office_for_slug("<script>") == MINISTRY and office_for_slug("") == MINISTRY


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ma": ""}, "ma", "Vui lòng nhập mã tra cứu"),
        ({"ma": "x" * 101}, "ma", "tối đa 100 ký tự"),
        ({"noi_mua": "  "}, "noi_mua", "Vui lòng cho biết nơi mua"),
        ({"noi_mua": "ab"}, "noi_mua", "ít nhất 3 ký tự"),
        ({"noi_mua": "x" * 301}, "noi_mua", "tối đa 300 ký tự"),
        ({"mo_ta": "x" * (MAX_DETAILS + 1)}, "mo_ta", "tối đa 2000 ký tự"),
        ({"lien_he": "x" * 201}, "lien_he", "tối đa 200 ký tự"),
    ],
)
def test_form_errors_are_vietnamese_and_per_field(values: dict[str, str], field: str, message: str) -> None:
    parsed, errors = parse_report_form({"ma": "ABCD", "noi_mua": "Chợ Hàn", **values})
    assert parsed is None and list(errors) == [field] and message in errors[field]


def test_form_cleans_text() -> None:
    parsed = form(ma=" abcd\x00-efgh ", noi_mua="Chợ\x00  Hàn\n", mo_ta="dòng 1\r\ndòng 2\x07")
    assert (parsed.ma, parsed.noi_mua, parsed.mo_ta) == ("abcd-efgh", "Chợ Hàn", "dòng 1\ndòng 2")
    chosen, errors = parse_report_form({"san_pham": "non-la", "noi_mua": "Chợ Hàn"})
    assert chosen is not None and not errors  # the code may be empty when the product is chosen


def test_form_token_checks() -> None:
    now = 1_800_000_000.0
    token = issue_token(secret=SECRET, purpose=PURPOSE, now=now)
    assert check_token(token, secret=SECRET, purpose=PURPOSE, now=now + 10) is TokenCheck.ok
    assert check_token(token, secret=SECRET, purpose=PURPOSE, now=now + 1) is TokenCheck.too_fast
    assert check_token(token, secret=SECRET, purpose=PURPOSE, now=now + 5 * 3600) is TokenCheck.expired
    assert check_token(token, secret="other", purpose=PURPOSE, now=now + 10) is TokenCheck.forged
    assert check_token(token, secret=SECRET, purpose="login", now=now + 10) is TokenCheck.forged
    issued, nonce, signature = token.split(".")
    older = format(int(issued, 16) - 3_600_000, "x")
    assert check_token(f"{older}.{nonce}.{signature}", secret=SECRET, purpose=PURPOSE,
                       now=now + 10) is TokenCheck.forged
    for junk in ("", "a.b", "zz.yy.xx", "x" * 500, token + ".x"):
        assert check_token(junk, secret=SECRET, purpose=PURPOSE, now=now + 10) is TokenCheck.forged
    assert check_token(token, secret=SECRET, purpose=PURPOSE, now=now - 3600) is TokenCheck.forged


def test_certificate_is_recorded_for_a_second_certificate_code(session: Session, tmp_path: Path) -> None:
    product = make_product(session, name="Mây tre đan Phú Vinh")
    newer = add_certificate(session, product, level="quoc_gia")
    session.commit()
    report = submit_report(session=session, form=form(ma=newer.code), photo=None, media_dir=tmp_path)
    assert report.certificate_id == newer.id
