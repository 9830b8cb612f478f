"""The image pipeline: upright, metadata-free variants, and refusals of hostile or broken files."""

from __future__ import annotations

import hashlib
import io
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.files.images import MAX_IMAGE_BYTES, ImageRejected, check_file_size, process_image
from app.files.media import VARIANT_FORMATS, VARIANT_WIDTHS, variant_dir
from app.services.records import photos
from app.services.records.photos import store_image

GPS_IFD = 0x8825


def jpeg_with_exif(size: tuple[int, int], orientation: int) -> bytes:
    """A JPEG stored sideways with an EXIF orientation tag and GPS coordinates."""
    image = Image.new("RGB", size, (250, 250, 250))
    image.paste((200, 0, 0), (0, 0, size[0] // 4, size[1]))  # a red band on the stored left edge
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Máy ảnh bí mật"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 1.0, 30.0), "E", (105.0, 51.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def heic_with_gps(size: tuple[int, int] = (1000, 750)) -> bytes:
    """A HEIC photo (as phones take them) carrying GPS coordinates, written by pillow-heif."""
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "HEIF", quality=60, exif=exif.tobytes())
    return out.getvalue()


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


def png_bytes(size: tuple[int, int], mode: str = "RGB") -> bytes:
    """A PNG image."""
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG declaring an enormous 1-bit image (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_exif_rotated_jpeg_gives_upright_variants_without_metadata(tmp_path: Path) -> None:
    data = jpeg_with_exif((1600, 1200), orientation=6)  # stored landscape, shown rotated 90° clockwise
    processed = process_image(data, filename="anh.jpg")
    assert (processed.width, processed.height) == (1200, 1600)
    assert processed.content_hash == hashlib.sha256(data).hexdigest()
    assert set(processed.variants) == {(w, f) for w in VARIANT_WIDTHS for f in VARIANT_FORMATS}
    for (nominal, fmt), blob in processed.variants.items():
        variant = Image.open(io.BytesIO(blob))
        assert variant.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[fmt]
        assert variant.width == min(nominal, 1200) and variant.height > variant.width
        assert not variant.getexif() and "exif" not in variant.info and "icc_profile" not in variant.info
        assert b"Exif" not in blob and "bí mật".encode() not in blob
    top = Image.open(io.BytesIO(processed.variants[(320, "jpg")])).convert("RGB")
    assert top.getpixel((160, 10))[1] < 100  # the red band is now along the top edge
    store_image(media_dir=tmp_path, processed=processed)
    assert len(list(variant_dir(tmp_path, processed.content_hash).iterdir())) == 9
    assert store_image(media_dir=tmp_path, processed=processed) == 0


def test_small_images_are_never_upscaled() -> None:
    processed = process_image(png_bytes((200, 100)), filename="nho.png")
    for blob in processed.variants.values():
        assert Image.open(io.BytesIO(blob)).size == (200, 100)


def test_transparency_becomes_white() -> None:
    processed = process_image(png_bytes((50, 50), mode="RGBA"), filename="trong.png")
    pixel = Image.open(io.BytesIO(processed.variants[(320, "jpg")])).convert("RGB").getpixel((25, 25))
    assert isinstance(pixel, tuple) and min(pixel) > 240


def test_png_named_jpg_is_fine() -> None:
    assert process_image(png_bytes((64, 48)), filename="that-ra-la-png.jpg").width == 64


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"Day la van ban, khong phai anh.\n", "không phải ảnh"),
        (b"", "trống"),
        (jpeg_with_exif((800, 600), 1)[:600], "hỏng"),
        (bomb_png(100_000, 100_000), "quá lớn"),
        (bomb_png(8_000, 6_000), "quá lớn"),
    ],
    ids=["text", "empty", "truncated", "bomb", "over-40-megapixels"],
)
def test_rejections_name_the_file(data: bytes, fragment: str) -> None:
    with pytest.raises(ImageRejected) as info:
        process_image(data, filename="tep-xau.jpg")
    assert fragment in info.value.message and "tep-xau.jpg" in info.value.message


def test_oversized_file_is_refused_before_decoding() -> None:
    with pytest.raises(ImageRejected, match="MB"):
        process_image(b"\xff" * (20 * 1024 * 1024 + 1), filename="to.jpg")


def test_heic_is_read_and_every_variant_decodes_without_gps() -> None:
    data = heic_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test photo does carry GPS
    processed = process_image(data, filename="IMG_0001.HEIC")
    assert (processed.width, processed.height) == (1000, 750)
    for (nominal, fmt), blob in processed.variants.items():
        variant = Image.open(io.BytesIO(blob))
        variant.load()  # decodes fully (AVIF through Pillow's own plugin)
        assert variant.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[fmt]
        assert variant.width == min(nominal, 1000)
        assert not variant.getexif() and "exif" not in variant.info


def test_avif_variants_are_smaller_than_jpeg() -> None:
    processed = process_image(jpeg_with_exif((1600, 1200), 1), filename="anh.jpg")
    assert len(processed.variants[(1280, "avif")]) < len(processed.variants[(1280, "jpg")])


def test_svg_with_a_script_is_refused_as_not_a_photo() -> None:
    with pytest.raises(ImageRejected) as info:
        process_image(SVG_WITH_SCRIPT, filename="logo.svg")
    assert "logo.svg" in info.value.message and "SVG" in info.value.message


def test_size_is_checked_before_reading() -> None:
    check_file_size(MAX_IMAGE_BYTES, filename="vua.jpg")
    with pytest.raises(ImageRejected, match="qua-lon.jpg"):
        check_file_size(25 * 1024 * 1024, filename="qua-lon.jpg")


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    processed = process_image(png_bytes((400, 300)), filename="anh.png")
    real_write = photos.write_atomically
    calls = iter(range(100))

    def failing_write(path: Path, data: bytes) -> None:
        if next(calls) == 4:
            raise OSError("đĩa đầy")
        real_write(path, data)

    monkeypatch.setattr(photos, "write_atomically", failing_write)
    with pytest.raises(OSError, match="đĩa đầy"):
        store_image(media_dir=tmp_path, processed=processed)
    assert list(tmp_path.rglob("*")) == []
