"""QR and printable label rendering, read back with a real QR decoder (zxing-cpp) and a real SVG
renderer (resvg), so what a phone would scan is what the tests check."""

from __future__ import annotations

import io
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import resvg_py
import zxingcpp
from PIL import Image, ImageDraw

from app.files import labels as badges
from app.files.labels import FONT_FILES, LABEL_SIZE, LabelFacts, label_font, verification_url

SVG_NS = "{http://www.w3.org/2000/svg}"
URL = "https://cnnt.example.gov.vn/v/ABCD2345"
FACTS = LabelFacts(url=URL, code="ABCD2345", level_label="Cấp quốc gia", issued_year=2023,
                   valid_until=date(2026, 12, 31))


def decoded(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds in `image`."""
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def rendered_svg(svg: bytes) -> Image.Image:
    """An SVG rasterised by resvg at 300 dpi with only the vendored fonts (no system fonts)."""
    fonts = [str(path) for path in FONT_FILES.values()]
    png = resvg_py.svg_to_bytes(svg_string=svg.decode(), skip_system_fonts=True, font_files=fonts,
                                background="#ffffff", dpi=300)
    return Image.open(io.BytesIO(bytes(png))).convert("RGB")


def drawn(char: str) -> bytes:
    """The pixels of one character drawn with the label's regular font."""
    image = Image.new("L", (80, 80))
    ImageDraw.Draw(image).text((10, 60), char, font=label_font(40), fill=255, anchor="ls")
    return image.tobytes()


def svg_texts(svg: bytes) -> list[str]:
    """The text of every <text> element of an SVG (parsing fails on malformed XML)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


def test_verification_url_keeps_base_and_code_as_given() -> None:
    assert verification_url("https://cnnt.example.gov.vn/", "ABCD2345") == URL
    assert verification_url("http://127.0.0.1:8000", "ABCD2345") == "http://127.0.0.1:8000/v/ABCD2345"


@pytest.mark.parametrize("url", [URL, "http://127.0.0.1:8000/v/ZZZZ9999",
                                 "https://sanphamcnnt.bocongthuong.example.vn/catalog/v/HJKM2345"])
def test_qr_png_decodes_to_exactly_the_url(url: str) -> None:
    image = Image.open(io.BytesIO(badges.qr_png(url)))
    assert decoded(image) == [url]
    assert 500 <= image.width <= 640 and image.width == image.height


def test_qr_error_correction_is_at_least_m() -> None:
    qr = badges.make_qr(URL)
    assert qr.error in {"M", "Q", "H"} and not qr.is_micro


def test_qr_svg_is_xml_and_decodes_to_the_url() -> None:
    svg = badges.qr_svg(URL)
    root = ET.fromstring(svg)  # noqa: S314
    assert root.tag == f"{SVG_NS}svg"
    assert root.findtext(f"{SVG_NS}title") == URL
    assert decoded(rendered_svg(svg)) == [URL]


def test_label_png_is_300_dpi_50_by_30_mm_and_its_qr_decodes() -> None:
    image = Image.open(io.BytesIO(badges.label_png(FACTS)))
    assert image.size == LABEL_SIZE == (591, 354)
    assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    assert round(image.width / 300 * 25.4) == 50 and round(image.height / 300 * 25.4) == 30
    assert decoded(image) == [URL]


def test_label_svg_parses_holds_the_facts_and_its_qr_decodes() -> None:
    svg = badges.label_svg(FACTS)
    root = ET.fromstring(svg)  # noqa: S314
    assert (root.get("width"), root.get("height")) == ("50mm", "30mm")
    texts = svg_texts(svg)
    for expected in ("ABCD-2345", "31/12/2026", "Hiệu lực đến", "Quét để kiểm tra", "Cấp quốc gia · 2023",
                     "Sản phẩm công nghiệp", "nông thôn tiêu biểu"):
        assert expected in texts
    image = rendered_svg(svg)
    assert abs(image.width - LABEL_SIZE[0]) <= 1 and abs(image.height - LABEL_SIZE[1]) <= 1  # 50 × 30 mm
    assert decoded(image) == [URL]


def test_label_svg_escapes_what_it_prints() -> None:
    hostile = LabelFacts(url="https://x.example/v/ABCD2345?a=1&b=<2>", code="ABCD2345",
                         level_label="<script>alert(1)</script> & co", issued_year=2024,
                         valid_until=date(2027, 12, 31))
    svg = badges.label_svg(hostile)
    root = ET.fromstring(svg)  # noqa: S314
    assert not list(root.iter(f"{SVG_NS}script"))
    assert "<script>alert(1)</script> & co · 2024" in svg_texts(svg)


def test_label_fonts_are_the_vendored_dejavu_not_pillows_default() -> None:
    for bold, style in ((False, "Book"), (True, "Bold")):
        font = label_font(30, bold)
        assert font.path == str(FONT_FILES[bold])
        assert font.getname() == ("DejaVu Sans", style)


@pytest.mark.parametrize("char", list("ảẩậắẳặẹềểễệỉịọồổỗộớờởỡợụủứừửữựỳỵỷỹđĐơưƠƯ"))
def test_vietnamese_letters_have_their_own_glyphs(char: str) -> None:
    missing = drawn("\uffff")  # the .notdef box every unknown character gets
    assert drawn(char) != missing
    base = {"đ": "d", "Đ": "D"}.get(char) or unicodedata.normalize("NFD", char)[0]  # đ has no decomposition
    assert drawn(char) != drawn(base)  # the mark is drawn too


def test_diacritics_change_the_drawn_label() -> None:
    plain = LabelFacts(url=URL, code="ABCD2345", level_label="Cap tinh", issued_year=2023,
                       valid_until=date(2026, 12, 31))
    accented = LabelFacts(url=URL, code="ABCD2345", level_label="Cấp tỉnh", issued_year=2023,
                          valid_until=date(2026, 12, 31))
    assert badges.label_image(plain).tobytes() != badges.label_image(accented).tobytes()


def test_long_level_labels_shrink_to_fit_the_column() -> None:
    layout = badges.label_layout(FACTS)
    right_edge = layout.width - 10
    for item in layout.texts:
        left = item.x - item.width / 2 if item.anchor == "middle" else item.x
        assert left + item.width <= right_edge, item.text


def test_qr_keeps_a_four_module_quiet_zone_inside_the_frame() -> None:
    qr = badges.label_layout(FACTS).qr
    frame = 7  # the frame's stroke ends here
    assert qr.x - frame >= 4 * qr.module and qr.y - frame >= 4 * qr.module
