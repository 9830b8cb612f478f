"""Verify an uploaded photo and re-encode it into width variants (Pillow only, no storage).

Untrusted bytes in, clean bytes out: the image is decoded fully (truncated files and
decompression bombs are refused), turned upright from its EXIF orientation, flattened to
RGB and re-encoded without any metadata (no EXIF, GPS or ICC profile) in AVIF, WebP and JPEG.
HEIC/HEIF (what phones take) is read through pillow-heif, registered once at import.
AVIF is encoded at libaom speed 8, quality 55: on photos about WebP's encoding time for a
quarter fewer bytes, where the default speed 6 takes three times as long.
A strip longer than MAX_ASPECT_RATIO times its width (or the other way round) is refused: it
is no product photo, and its variants would not fit WebP's 16,383 px (libavif even writes an
unreadable file past its own limit). A long phone screenshot or a panorama up to 1:20 is kept,
its tallest variants narrowed to fit (media.variant_size).
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from app.errors import DomainError
from app.files.media import VARIANT_FORMATS, VARIANT_WIDTHS, variant_size
from app.i18n import gettext

register_heif_opener()

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_ASPECT_RATIO = 20  # long side ÷ short side; phone panoramas are ~1:4 to 1:10
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "GIF")
ACCEPTED_WORDS = "JPEG, PNG, WebP, HEIC"
_ENCODERS: dict[str, tuple[str, dict[str, object]]] = {
    "avif": ("AVIF", {"quality": 55, "speed": 8}),
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}
# What Pillow raises on hostile or broken input; anything else is a bug worth a traceback.
_DECODE_ERRORS = (
    OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, KeyError, TypeError,
    ZeroDivisionError, Image.DecompressionBombError, Image.DecompressionBombWarning,
)


class ImageRejected(DomainError):
    """A file that is not an acceptable photo; the message names the file (in the request's language)."""


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    """A verified photo: hash of the original bytes, upright size, encoded variants."""

    content_hash: str
    width: int
    height: int
    variants: dict[tuple[int, str], bytes] = field(default_factory=dict)


def _decode(data: bytes, filename: str) -> Image.Image:
    """The fully decoded, upright RGB image, or ImageRejected."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                message = gettext("Ảnh %(name)s quá lớn (%(width)s×%(height)s điểm ảnh, tối đa 40 triệu).")
                raise ImageRejected(message % {"name": filename, "width": width, "height": height})
            _check_aspect_ratio(width, height, filename)
            image.load()
            upright = _to_rgb(ImageOps.exif_transpose(image))
        except UnidentifiedImageError:
            raise ImageRejected(_not_an_image(data, filename)) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            message = gettext("Ảnh %(name)s quá lớn (nghi là ảnh nén bất thường).")
            raise ImageRejected(message % {"name": filename}) from None
        except _DECODE_ERRORS:
            message = gettext("Ảnh %(name)s bị hỏng hoặc không đầy đủ.")
            raise ImageRejected(message % {"name": filename}) from None
    if upright.width < 1 or upright.height < 1:
        raise ImageRejected(gettext("Ảnh %(name)s không có kích thước hợp lệ.") % {"name": filename})
    return upright


def _check_aspect_ratio(width: int, height: int, filename: str) -> None:
    """ImageRejected for a strip too long for its width (checked before decoding, on the header's size)."""
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        message = gettext("Ảnh %(name)s quá dài hoặc quá hẹp (%(width)s×%(height)s điểm ảnh): "
                          "cạnh dài chỉ được dài gấp %(ratio)s lần cạnh ngắn.")
        raise ImageRejected(message % {"name": filename, "width": width, "height": height,
                                       "ratio": MAX_ASPECT_RATIO})


def _not_an_image(data: bytes, filename: str) -> str:
    """Why an unreadable file is refused; SVG and other text files are named as such."""
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<svg" in head:
        message = gettext("Tệp %(name)s là tệp SVG hoặc văn bản, không phải ảnh chụp (nhận %(formats)s).")
    else:
        message = gettext("Tệp %(name)s không phải ảnh (nhận %(formats)s).")
    return message % {"name": filename, "formats": ACCEPTED_WORDS}


def check_file_size(size: int, *, filename: str) -> None:
    """ImageRejected when a file is over the limit, before a byte of it is read."""
    if size > MAX_IMAGE_BYTES:
        message = gettext("Ảnh %(name)s lớn hơn %(max)s MB.")
        raise ImageRejected(message % {"name": filename, "max": MAX_IMAGE_BYTES // (1024 * 1024)})


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB on a white background (transparent areas become white, not black)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _encode(image: Image.Image, fmt: str) -> bytes:
    """One variant's bytes, with no metadata of any kind."""
    pil_format, options = _ENCODERS[fmt]
    out = io.BytesIO()
    image.save(out, pil_format, **options)
    return out.getvalue()


def build_variants(image: Image.Image) -> dict[tuple[int, str], bytes]:
    """Every (nominal width, format) variant, sized by media.variant_size (never upscaled, fits WebP)."""
    variants: dict[tuple[int, str], bytes] = {}
    by_size: dict[tuple[int, int], dict[str, bytes]] = {}
    for nominal in VARIANT_WIDTHS:
        size = variant_size(image.width, image.height, nominal)
        if size not in by_size:
            resized = image
            if size != image.size:
                resized = image.resize(size, Image.Resampling.LANCZOS)
            resized.info = {}
            by_size[size] = {fmt: _encode(resized, fmt) for fmt in VARIANT_FORMATS}
        for fmt in VARIANT_FORMATS:
            variants[(nominal, fmt)] = by_size[size][fmt]
    return variants


def verify_image(data: bytes, *, filename: str) -> tuple[int, int]:
    """The upright size of `data` if it is an acceptable photo (no variants built); else ImageRejected."""
    if not data:
        raise ImageRejected(gettext("Tệp %(name)s trống.") % {"name": filename})
    check_file_size(len(data), filename=filename)
    image = _decode(data, filename)
    return image.width, image.height


def process_image(data: bytes, *, filename: str) -> ProcessedImage:
    """Verify `data` as a photo and build its variants; ImageRejected (page's language) if unusable."""
    if not data:
        raise ImageRejected(gettext("Tệp %(name)s trống.") % {"name": filename})
    check_file_size(len(data), filename=filename)
    image = _decode(data, filename)
    image.info = {}
    return ProcessedImage(
        content_hash=hashlib.sha256(data).hexdigest(),
        width=image.width,
        height=image.height,
        variants=build_variants(image),
    )
