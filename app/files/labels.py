"""The verification QR and the printable label: facts in, SVG/PNG/PDF bytes out, no I/O but fonts.

The QR encodes `{BASE_URL}/v/{code}`. The label is 50 × 30 mm (591 × 354 px at 300 dpi):
small enough to sit beside the programme's logo on a package, large enough for a QR of
about 17 mm, which phones read from arm's length. PNG and PDF are drawn by Pillow with the
vendored DejaVu Sans (never a font of the server); the SVG uses the same layout, with
`textLength` so a fallback font keeps DejaVu's widths.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image, ImageDraw, ImageFont

from app.config import PACKAGE_DIR
from app.domain.codes import display_code

DPI = 300
LABEL_MM = (50, 30)
LABEL_SIZE = (591, 354)  # LABEL_MM at 300 dpi, rounded to whole pixels
QR_PNG_TARGET = 600  # pixels, quiet zone included
QR_BORDER = 4  # modules of quiet zone, as ISO/IEC 18004 asks
# M keeps the symbol as small as possible (largest modules on a small label); segno still
# boosts to Q or H whenever that fits in the same version, which it does for short base URLs.
QR_ERROR = "m"
FONT_DIR = PACKAGE_DIR / "static" / "fonts"
FONT_FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}
FONT_STACK = "'DejaVu Sans', 'Noto Sans', 'Segoe UI', Arial, sans-serif"
INK, BRAND, PAPER = "#1b1b1b", "#8a1c15", "#ffffff"
PROGRAMME_SHORT = "CNNT TIÊU BIỂU"
PROGRAMME_LINES = ("Sản phẩm công nghiệp", "nông thôn tiêu biểu")
SCAN_HINT = "Quét để kiểm tra"

_svg_env = Environment(
    loader=FileSystemLoader(PACKAGE_DIR / "templates" / "badges"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class LabelFacts:
    """What a label says: the certificate's public facts and where its QR points."""

    url: str
    code: str
    level_label: str
    issued_year: int
    valid_until: date


@dataclass(frozen=True, slots=True)
class TextItem:
    """One line of label text at a baseline point, measured with the vendored font."""

    text: str
    x: int
    y: int
    size: int
    bold: bool
    fill: str
    anchor: Literal["start", "middle"]
    width: float


@dataclass(frozen=True, slots=True)
class QrPlacement:
    """The QR's dark modules as horizontal runs (row, column, length), placed at x, y."""

    x: int
    y: int
    module: int
    modules: int
    runs: tuple[tuple[int, int, int], ...]

    @property
    def side(self) -> int:
        """Width of the symbol in pixels, quiet zone excluded."""
        return self.module * self.modules

    @property
    def path(self) -> str:
        """SVG path data drawing every dark run as a filled rectangle."""
        m = self.module
        return "".join(
            f"M{self.x + col * m},{self.y + row * m}h{length * m}v{m}h{-length * m}z"
            for row, col, length in self.runs
        )


@dataclass(frozen=True, slots=True)
class Label:
    """A laid-out label: size in pixels at 300 dpi, text lines and the QR."""

    width: int
    height: int
    texts: tuple[TextItem, ...]
    qr: QrPlacement
    facts: LabelFacts


def verification_url(base_url: str, code: str) -> str:
    """The address a certificate's QR encodes: `{BASE_URL}/v/{code}`, code as stored."""
    return f"{base_url.rstrip('/')}/v/{code}"


def make_qr(url: str) -> segno.QRCode:
    """A full-size QR code (never Micro QR: phones' scanners skip those) for `url`."""
    return segno.make_qr(url, error=QR_ERROR, boost_error=True)


def dark_runs(qr: segno.QRCode) -> tuple[tuple[int, int, int], ...]:
    """Every horizontal run of dark modules, quiet zone excluded."""
    runs = []
    for row, cells in enumerate(qr.matrix_iter(border=0)):
        start = None
        for col, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append((row, start, col - start))
                start = None
    return tuple(runs)


def _modules(qr: segno.QRCode, border: int = 0) -> int:
    """Side of the symbol in modules (segno types it as a float; it is a whole number)."""
    return int(qr.symbol_size(border=border)[0])


def _placement(qr: segno.QRCode, *, x: int, y: int, module: int) -> QrPlacement:
    """The symbol drawn with `module` pixels per module, its top-left dark corner at x, y."""
    return QrPlacement(x=x, y=y, module=module, modules=_modules(qr), runs=dark_runs(qr))


def qr_svg(url: str) -> bytes:
    """A stand-alone, scalable SVG of the QR for `url` (module units, quiet zone included)."""
    qr = make_qr(url)
    placement = _placement(qr, x=QR_BORDER, y=QR_BORDER, module=1)
    total = placement.modules + 2 * QR_BORDER
    text = _svg_env.get_template("qr.svg").render(qr=placement, total=total, url=url, ink=INK, paper=PAPER)
    return text.encode()


def qr_png(url: str) -> bytes:
    """A PNG of the QR for `url`, about 600 px wide with its quiet zone, black on white."""
    qr = make_qr(url)
    scale = max(1, QR_PNG_TARGET // _modules(qr, QR_BORDER))
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=QR_BORDER, dark="#000", light="#fff")
    return out.getvalue()


@cache
def label_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The vendored DejaVu Sans (regular or bold) at `size` pixels."""
    path: Path = FONT_FILES[bold]
    return ImageFont.truetype(str(path), size)


def fitted_size(text: str, *, bold: bool, largest: int, width: int, smallest: int = 16) -> int:
    """The largest font size (down to `smallest`) at which `text` fits in `width` pixels."""
    size = largest
    while size > smallest and label_font(size, bold).getlength(text) > width:
        size -= 1
    return size


def _line(text: str, x: int, y: int, *, largest: int, width: int, bold: bool = False,
          fill: str = INK, anchor: Literal["start", "middle"] = "start") -> TextItem:
    """A text line at the largest size that fits `width`."""
    size = fitted_size(text, bold=bold, largest=largest, width=width)
    measured = label_font(size, bold).getlength(text)
    return TextItem(text=text, x=x, y=y, size=size, bold=bold, fill=fill, anchor=anchor, width=measured)


def label_layout(facts: LabelFacts) -> Label:
    """Place the QR on the left (quiet zone kept clear) and the facts on the right."""
    width, height = LABEL_SIZE
    qr = make_qr(facts.url)
    modules = _modules(qr)
    module = (height - 58) // (modules + 2 * QR_BORDER)  # room for the scan hint below
    placement = _placement(qr, x=10 + QR_BORDER * module, y=8 + QR_BORDER * module, module=module)
    hint_y = placement.y + placement.side + QR_BORDER * module + 14
    left = 10 + (modules + 2 * QR_BORDER) * module + 6
    column = width - 20 - left
    texts = (
        _line(SCAN_HINT, placement.x + placement.side // 2, hint_y, largest=26,
              width=placement.side + 2 * QR_BORDER * module, anchor="middle"),
        _line(PROGRAMME_SHORT, left, 58, largest=40, width=column, bold=True, fill=BRAND),
        _line(PROGRAMME_LINES[0], left, 92, largest=22, width=column),
        _line(PROGRAMME_LINES[1], left, 118, largest=22, width=column),
        _line(f"{facts.level_label} · {facts.issued_year}", left, 162, largest=28, width=column, bold=True),
        _line(display_code(facts.code), left, 216, largest=44, width=column, bold=True),
        _line("Hiệu lực đến", left, 268, largest=22, width=column),
        _line(facts.valid_until.strftime("%d/%m/%Y"), left, 304, largest=30, width=column, bold=True),
    )
    return Label(width=width, height=height, texts=texts, qr=placement, facts=facts)


def label_svg(facts: LabelFacts) -> bytes:
    """The label as SVG: real text, the QR as one path, physical size 50 × 30 mm."""
    label = label_layout(facts)
    text = _svg_env.get_template("label.svg").render(
        label=label, mm=LABEL_MM, fonts=FONT_STACK, ink=INK, brand=BRAND, paper=PAPER,
        code=display_code(facts.code), valid_until=facts.valid_until.strftime("%d/%m/%Y"),
    )
    return text.encode()


def label_image(facts: LabelFacts) -> Image.Image:
    """The label drawn by Pillow at 300 dpi with the vendored fonts."""
    label = label_layout(facts)
    image = Image.new("RGB", (label.width, label.height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((3, 3, label.width - 4, label.height - 4), radius=22, outline=BRAND, width=4)
    qr, m = label.qr, label.qr.module
    for row, col, length in qr.runs:
        x, y = qr.x + col * m, qr.y + row * m
        draw.rectangle((x, y, x + length * m - 1, y + m - 1), fill=INK)
    for item in label.texts:
        anchor = "ms" if item.anchor == "middle" else "ls"
        draw.text((item.x, item.y), item.text, font=label_font(item.size, item.bold), fill=item.fill,
                  anchor=anchor)
    return image


def label_png(facts: LabelFacts) -> bytes:
    """The label as a PNG tagged 300 dpi, so it prints at 50 × 30 mm."""
    out = io.BytesIO()
    label_image(facts).save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def label_pdf(facts: LabelFacts) -> bytes:
    """The label as a one-page PDF of exactly its physical size, losslessly embedded."""
    # Pillow stores RGB as JPEG in a PDF; a palette image is stored losslessly instead.
    image = label_image(facts).quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    # A fixed creation date (the certificate's year) instead of the clock: the same label is the
    # same bytes, so its ETag lets a browser revalidate it rather than download it again.
    made = time.strptime(f"{facts.issued_year}-01-01", "%Y-%m-%d")
    image.save(out, "PDF", resolution=float(DPI), title=f"Nhãn CNNT {display_code(facts.code)}",
               creationDate=made, modDate=made)
    return out.getvalue()
