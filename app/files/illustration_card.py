"""The 1200×630 PNG card of a product illustration, for og:image (social sites take no SVG).

A soft background of the kind's group, the OpenMoji emoji (pre-rendered PNG, see
scripts/vendor_illustrations.py) centred, and a caption so nobody takes it for a photo.
Composed once per kind and language and kept on disk: the file name holds CARD_VERSION, so a
changed design gets new URLs and the old answers may be cached forever.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from app.config import PACKAGE_DIR
from app.domain.illustrations import BACKGROUNDS, Illustration
from app.files.labels import label_font

CARD_SIZE = (1200, 630)
CARD_VERSION = 1
EMOJI_SIZE = 400
CAPTION_SIZE = 40
CAPTION_COLOUR = (60, 60, 60)
STATIC_DIR = PACKAGE_DIR / "static"


def _rgb(colour: str) -> tuple[int, int, int]:
    """'#eaf3e0' → (234, 243, 224)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def card_png(kind: Illustration, caption: str) -> bytes:
    """The card's PNG bytes: background, emoji, caption below it."""
    card = Image.new("RGB", CARD_SIZE, _rgb(BACKGROUNDS[kind.group]))
    with Image.open(STATIC_DIR / kind.png_path) as source:
        emoji = source.convert("RGBA").resize((EMOJI_SIZE, EMOJI_SIZE), Image.Resampling.LANCZOS)
    left = (CARD_SIZE[0] - EMOJI_SIZE) // 2
    card.paste(emoji, (left, 70), emoji)
    draw = ImageDraw.Draw(card)
    draw.text((CARD_SIZE[0] // 2, 540), caption, font=label_font(CAPTION_SIZE), fill=CAPTION_COLOUR,
              anchor="mm")
    out = io.BytesIO()
    card.save(out, "PNG", optimize=True)
    return out.getvalue()


def cached_card(folder: Path, kind: Illustration, lang: str, caption: str) -> Path:
    """The card's file under `folder`, composed and written atomically the first time it is asked for."""
    path = folder / f"v{CARD_VERSION}-{kind.code}.{lang}.png"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(card_png(kind, caption))
    os.replace(tmp, path)
    return path



def card_url(kind: Illustration, lang: str) -> str:
    """The path the card of `kind` in `lang` is served at (app/routes/illustrations.py)."""
    return f"/minh-hoa/v{CARD_VERSION}/{kind.code}.{lang}.png"
