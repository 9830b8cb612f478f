"""Where image variants live and the URLs that serve them.

Every photo is stored once under its content hash: `{MEDIA_DIR}/{h[:2]}/{h}/{width}.{ext}`
for each nominal width, never wider than the original and never taller than WebP can hold
(a variant of a very tall photo is narrower than its nominal width). Files are written to a temporary
name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

VARIANT_WIDTHS = (320, 640, 1280)
VARIANT_FORMATS = ("avif", "webp", "jpg")  # best first; jpg is the <img> fallback
MAX_VARIANT_SIDE = 16_383  # WebP's largest side; every format of a variant has the same size


@dataclass(frozen=True, slots=True)
class ImageSource:
    """One width of a photo in every format, for `srcset`."""

    width: int  # actual pixel width of the variant
    height: int
    urls: dict[str, str]  # format → URL


def variant_dir(media_dir: Path, content_hash: str) -> Path:
    """The folder holding every variant of one photo."""
    return media_dir / content_hash[:2] / content_hash


def variant_url(content_hash: str, nominal_width: int, fmt: str) -> str:
    """The public URL of one variant."""
    return f"/media/{content_hash[:2]}/{content_hash}/{nominal_width}.{fmt}"


def image_sources(content_hash: str, width: int, height: int) -> list[ImageSource]:
    """Each nominal width with its real size (never upscaled) and URLs, smallest first."""
    sources = []
    for nominal in VARIANT_WIDTHS:
        actual, actual_height = variant_size(width, height, nominal)
        urls = {fmt: variant_url(content_hash, nominal, fmt) for fmt in VARIANT_FORMATS}
        sources.append(ImageSource(width=actual, height=actual_height, urls=urls))
    return sources


def variant_size(width: int, height: int, nominal: int) -> tuple[int, int]:
    """The pixel size of a photo's `nominal`-width variant: never upscaled, no side over MAX_VARIANT_SIDE.

    One rule for the encoder and the page, so `srcset` and `width/height` always tell the truth.
    """
    actual = min(nominal, width)
    actual_height = max(1, round(height * actual / width))
    if actual_height > MAX_VARIANT_SIDE:
        actual = max(1, width * MAX_VARIANT_SIDE // height)
        actual_height = min(MAX_VARIANT_SIDE, max(1, round(height * actual / width)))
    return actual, actual_height


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_written(media_dir: Path, paths: list[Path]) -> None:
    """Undo a failed upload: delete the files it wrote, then its folders if they are left empty."""
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in paths} | {p.parent.parent for p in paths}, reverse=True):
        if folder != media_dir and media_dir in folder.parents:
            try:
                folder.rmdir()  # only when empty: another photo's files are never touched
            except OSError:
                continue
