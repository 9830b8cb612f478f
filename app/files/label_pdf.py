"""The printable label as a vector PDF: exactly 50 × 30 mm, real text, the QR as filled rectangles.

A printer's driver scales nothing and a raster never blurs the QR's module edges: the page is the
label's physical size, the text is the vendored DejaVu Sans (subset and embedded, so every
Vietnamese letter prints and can be searched or copied), and each run of dark modules is one
rectangle. A few KB instead of the ~425 KB of a 300 dpi image. The layout is the one the PNG and
SVG use (labels.label_layout, pixels at 300 dpi), scaled uniformly to the page width.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF

from app.domain.codes import display_code
from app.files.labels import (
    BRAND,
    FONT_FILES,
    INK,
    LABEL_MM,
    PAPER,
    Label,
    LabelFacts,
    TextItem,
    label_layout,
)

FONT_FAMILY = "DejaVuSans"
PT_PER_MM = 72 / 25.4


class _Page:
    """Layout pixels → millimetres on the page: one scale for both axes, the slack split top and bottom."""

    def __init__(self, label: Label) -> None:
        self.scale = LABEL_MM[0] / label.width
        self.top = (LABEL_MM[1] - label.height * self.scale) / 2

    def x(self, px: float) -> float:
        """A horizontal position or length in millimetres."""
        return px * self.scale

    def y(self, px: float) -> float:
        """A vertical position in millimetres from the page's top edge."""
        return self.top + px * self.scale


def _document(facts: LabelFacts) -> FPDF:
    """An empty one-page document of the label's size, fonts registered, output reproducible."""
    pdf = FPDF(unit="mm", format=LABEL_MM)
    pdf.set_margins(0, 0, 0)
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Nhãn CNNT {display_code(facts.code)}")
    pdf.set_lang("vi")
    # A fixed date (not "now"): the same certificate always gives the same bytes, so ETags hold.
    pdf.set_creation_date(datetime(facts.issued_year, 1, 1, tzinfo=UTC))
    pdf.add_font(FONT_FAMILY, "", str(FONT_FILES[False]))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_FILES[True]))
    pdf.add_page()
    return pdf


def _frame(pdf: FPDF, page: _Page, label: Label) -> None:
    """White paper and the brand-coloured rounded frame, where the SVG draws them."""
    pdf.set_fill_color(PAPER)
    pdf.rect(0, 0, LABEL_MM[0], LABEL_MM[1], style="F")
    pdf.set_draw_color(BRAND)
    pdf.set_line_width(page.x(4))
    pdf.rect(page.x(5), page.y(5), page.x(label.width - 10), page.x(label.height - 10),
             style="D", round_corners=True, corner_radius=page.x(20))


def _qr(pdf: FPDF, page: _Page, label: Label) -> None:
    """Every horizontal run of dark modules as one filled rectangle."""
    qr, module = label.qr, label.qr.module
    pdf.set_fill_color(INK)
    for row, col, length in qr.runs:
        pdf.rect(page.x(qr.x + col * module), page.y(qr.y + row * module),
                 page.x(length * module), page.x(module), style="F")


def _text(pdf: FPDF, page: _Page, item: TextItem) -> None:
    """One line at its baseline, centred on x when the layout says so."""
    pdf.set_font(FONT_FAMILY, "B" if item.bold else "", page.x(item.size) * PT_PER_MM)
    pdf.set_text_color(item.fill)
    x = page.x(item.x)
    if item.anchor == "middle":
        x -= pdf.get_string_width(item.text) / 2
    pdf.text(x, page.y(item.y), item.text)


def label_pdf(facts: LabelFacts) -> bytes:
    """The label as a one-page vector PDF of exactly 50 × 30 mm."""
    label = label_layout(facts)
    pdf = _document(facts)
    page = _Page(label)
    _frame(pdf, page, label)
    _qr(pdf, page, label)
    for item in label.texts:
        _text(pdf, page, item)
    return bytes(pdf.output())
