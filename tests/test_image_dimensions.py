"""Extreme photo sizes: any accepted format gives variants that all open and fit WebP, or a clean refusal.

WebP cannot hold a side over 16,383 px and libavif silently writes an unreadable file past its own
limit, so a tall strip once crashed the upload (a 500, the anonymous report form included).
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.files.images import ACCEPTED_FORMATS, MAX_ASPECT_RATIO, ImageRejected, ProcessedImage, process_image
from app.files.media import MAX_VARIANT_SIDE, VARIANT_WIDTHS, image_sources, variant_size

PIL_FORMATS = {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}
PIXEL_BUDGET = 600_000  # keeps each example fast; the 40-megapixel limit has its own tests
MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "I;16"), "WEBP": ("RGB", "RGBA"),
         "HEIF": ("RGB",), "GIF": ("P",)}


def encoded(fmt: str, size: tuple[int, int], mode: str) -> bytes | None:
    """An image of `size` written in `fmt`, or None when that format's writer cannot hold it."""
    image = Image.new("RGB", size, (240, 235, 220))
    image.paste((150, 30, 20), (0, 0, max(1, size[0] // 3), max(1, size[1] // 3)))
    image = image.convert(mode) if mode != "I;16" else image.convert("L").convert("I;16")
    out = io.BytesIO()
    try:
        image.save(out, fmt)
    except (OSError, ValueError, RuntimeError):
        return None  # e.g. WebP past 16,383 px, x265 (HEIF) below its smallest frame
    return out.getvalue()


@st.composite
def extreme_sizes(draw: st.DrawFn) -> tuple[int, int]:
    """(width, height) with sides from 1 to 40,000 px and any aspect ratio, within the pixel budget."""
    long = draw(st.one_of(st.sampled_from([1, 2, 16_383, 16_384, 16_500, 17_000, 40_000]),
                          st.integers(1, 40_000)))
    most = max(1, min(long, PIXEL_BUDGET // long))
    edge = -(-long // MAX_ASPECT_RATIO)  # the narrowest short side still accepted
    near_edge = st.integers(max(1, edge - 1), min(most, edge + 1)) if edge <= most else st.nothing()
    short = draw(st.one_of(st.integers(1, most), near_edge))
    return (short, long) if draw(st.booleans()) else (long, short)


def assert_variants_fit(processed: ProcessedImage) -> None:
    """Every variant opens in its format, at the size the page's srcset announces, within WebP's limit."""
    sources = image_sources(processed.content_hash, processed.width, processed.height)
    for nominal, source in zip(VARIANT_WIDTHS, sources, strict=True):
        expected = variant_size(processed.width, processed.height, nominal)
        assert (source.width, source.height) == expected
        assert max(expected) <= MAX_VARIANT_SIDE and expected[0] <= nominal
        for fmt, pil_format in PIL_FORMATS.items():
            with Image.open(io.BytesIO(processed.variants[(nominal, fmt)])) as variant:
                variant.load()
                assert variant.format == pil_format and variant.size == expected


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF", "GIF"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=extreme_sizes(), pick=st.integers(0, 3))
@example(size=(300, 16_500), pick=0)
@example(size=(16_383, 36), pick=1)
@example(size=(1, 1), pick=2)
def test_any_size_in_any_format_is_stored_whole_or_refused_cleanly(
    fmt: str, size: tuple[int, int], pick: int
) -> None:
    modes = MODES[fmt]
    blob = encoded(fmt, size, modes[pick % len(modes)])
    assume(blob is not None)
    assert blob is not None
    name = f"anh-{size[0]}x{size[1]}.{fmt.lower()}"
    refused = max(size) > MAX_ASPECT_RATIO * min(size)
    event("refused as a strip" if refused else "stored")
    if refused:
        with pytest.raises(ImageRejected) as info:
            process_image(blob, filename=name)
        assert name in info.value.message and str(MAX_ASPECT_RATIO) in info.value.message
        return
    processed = process_image(blob, filename=name)
    assert (processed.width, processed.height) == size
    assert_variants_fit(processed)


def test_every_accepted_format_is_covered() -> None:
    assert set(ACCEPTED_FORMATS) == set(MODES)


@pytest.mark.parametrize("size", [(300, 16_500), (1, 40_000), (2, 17_000), (40_000, 1), (17_000, 2)])
def test_strips_are_refused_naming_the_file_and_the_limit(size: tuple[int, int]) -> None:
    with pytest.raises(ImageRejected) as info:
        process_image(encoded("PNG", size, "RGB") or b"", filename="dải ảnh.png")
    message = info.value.message
    assert "dải ảnh.png" in message and f"{size[0]}×{size[1]}" in message and "gấp 20 lần" in message


def test_a_long_screenshot_is_kept_with_every_variant_inside_webps_limit() -> None:
    processed = process_image(encoded("PNG", (820, 16_400), "RGB") or b"", filename="chup-man-hinh.png")
    assert (processed.width, processed.height) == (820, 16_400)  # exactly 1:20 is still a photo
    assert variant_size(820, 16_400, 1280) == (819, 16_380)  # narrowed to fit, never over 16,383 px
    assert_variants_fit(processed)
