"""Photos stored before a format existed get it on `cnnt media backfill`, once."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from app.files.images import process_image
from app.files.media import VARIANT_WIDTHS, variant_dir
from app.services.records.photos import backfill_variants, store_image


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 60, 40)).save(out, "JPEG")
    return out.getvalue()


def test_missing_avif_variants_are_rebuilt_from_the_largest_jpeg(tmp_path: Path) -> None:
    processed = process_image(_jpeg((1600, 1200)), filename="anh.jpg")
    store_image(media_dir=tmp_path, processed=processed)
    folder = variant_dir(tmp_path, processed.content_hash)
    for width in VARIANT_WIDTHS:
        (folder / f"{width}.avif").unlink()  # as stored before AVIF was added
    assert backfill_variants(media_dir=tmp_path, content_hash=processed.content_hash) == len(VARIANT_WIDTHS)
    for width in VARIANT_WIDTHS:
        with Image.open(folder / f"{width}.avif") as rebuilt:
            assert rebuilt.format == "AVIF" and rebuilt.width == width
    assert backfill_variants(media_dir=tmp_path, content_hash=processed.content_hash) == 0


def test_unknown_photos_are_left_alone(tmp_path: Path) -> None:
    assert backfill_variants(media_dir=tmp_path, content_hash="ab" * 32) == 0
    assert not any(tmp_path.iterdir())
