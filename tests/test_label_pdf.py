"""The printable PDF label: exactly 50 × 30 mm, vector text a reader can extract, a QR that still scans.

pypdfium2 (PDFium, the engine Chrome prints with, shipped inside its wheel) reads the page size and
text back and renders the page, and zxing-cpp decodes the QR from that rendering.
"""

from __future__ import annotations

import re
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

from app.files.label_pdf import label_pdf
from app.files.labels import LabelFacts
from tests.test_badges import FACTS, URL, decoded

MM_PER_PT = 25.4 / 72


def page_of(pdf: bytes) -> pdfium.PdfPage:
    """The only page of `pdf` (a second page fails the test)."""
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    return document[0]


def test_page_is_exactly_50_by_30_mm() -> None:
    pdf = label_pdf(FACTS)
    width, height = (side * MM_PER_PT for side in page_of(pdf).get_size())
    assert width == pytest.approx(50, abs=0.01) and height == pytest.approx(30, abs=0.01)
    boxes = re.findall(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", pdf)
    assert [(float(w) * MM_PER_PT, float(h) * MM_PER_PT) for w, h in boxes] == [
        (pytest.approx(50, abs=0.01), pytest.approx(30, abs=0.01))]


def test_text_is_real_text_with_its_diacritics() -> None:
    facts = LabelFacts(url=URL, code="ABCD2345", level_label="Cấp tỉnh", issued_year=2024,
                       valid_until=date(2027, 12, 31))
    text = page_of(label_pdf(facts)).get_textpage().get_text_range()
    lines = [line.strip() for line in text.splitlines()]
    for expected in ("ABCD-2345", "Cấp tỉnh · 2024", "CNNT TIÊU BIỂU", "Sản phẩm công nghiệp",
                     "nông thôn tiêu biểu", "Hiệu lực đến", "31/12/2027", "Quét để kiểm tra"):
        assert expected in lines


def test_is_small_vector_and_embeds_its_font() -> None:
    pdf = label_pdf(FACTS)
    assert len(pdf) < 20_000
    assert b"/Subtype /Image" not in pdf  # no raster anywhere: the QR is rectangles
    assert pdf.count(b"/FontFile2") == 2 and b"DejaVuSans" in pdf  # regular and bold, embedded


@pytest.mark.parametrize("dpi", [150, 300])
def test_rendered_qr_decodes_to_the_verification_url(dpi: int) -> None:
    image = page_of(label_pdf(FACTS)).render(scale=dpi / 72).to_pil().convert("RGB")
    assert decoded(image) == [URL]
    assert zxingcpp.read_barcodes(image)[0].format == zxingcpp.BarcodeFormat.QRCode


def test_same_certificate_gives_the_same_bytes() -> None:
    assert label_pdf(FACTS) == label_pdf(FACTS)

