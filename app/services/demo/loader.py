"""Load the demo data set through the real importer: a generated winners spreadsheet with
photos drawn by Pillow (no network), then a few revocations, then indexing."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook
from PIL import Image, ImageDraw, ImageFont
from sqlmodel import Session, col, select

from app.domain.text import fold
from app.files.spreadsheet import COLUMNS
from app.models import Certificate, Product
from app.services.demo.catalog import LAST_DEMO_DAY, DemoProduct, demo_products, spreadsheet_rows
from app.services.demo.words import REVOCATION_REASONS
from app.services.records.revocation import revoke_certificate

DEMO_SEED = 2025
PHOTO_SIZE = (800, 600)
REVOKED_SHARE = 0.03


def _initials(name: str) -> str:
    """Up to two ASCII initials of a product name, for its placeholder photo."""
    words = [w for w in fold(name).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "SP"


def draw_photo(product: DemoProduct, rng: random.Random) -> Image.Image:
    """An 800×600 placeholder photo: coloured background, simple shapes and the product's initials."""
    background = tuple(rng.randint(90, 220) for _ in range(3))
    image = Image.new("RGB", PHOTO_SIZE, background)
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y, r = rng.randint(0, 800), rng.randint(0, 600), rng.randint(40, 180)
        shade = tuple(rng.randint(30, 250) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=shade)
    draw.rounded_rectangle((250, 175, 550, 425), radius=40, fill=(255, 255, 255))
    font = ImageFont.load_default(size=150)
    draw.text((400, 300), _initials(product.name), font=font, fill=(40, 40, 40), anchor="mm")
    return image


def write_demo_sheet(folder: Path, products: list[DemoProduct], *, seed: int = DEMO_SEED) -> Path:
    """Write `winners.xlsx` and one photo per product under `folder`; return the spreadsheet's path."""
    rng = random.Random(seed)
    (folder / "anh").mkdir(parents=True, exist_ok=True)
    for product in products:
        draw_photo(product, rng).save(folder / product.photo, "JPEG", quality=85)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(list(COLUMNS))
    for row in spreadsheet_rows(products):
        sheet.append([row.get(column) for column in COLUMNS])
    path = folder / "winners.xlsx"
    workbook.save(path)
    return path


def build_demo_sheet(folder: Path, *, seed: int = DEMO_SEED, generated: int = 300) -> Path:
    """The demo winners spreadsheet with its photos, ready for import_file."""
    return write_demo_sheet(folder, demo_products(seed, generated=generated), seed=seed)


def revoke_demo_share(*, session: Session, seed: int = DEMO_SEED, share: float = REVOKED_SHARE) -> int:
    """Revoke a deterministic ~3% of certificates (with a date and a reason); the caller commits."""
    rng = random.Random(seed)
    certs = session.exec(
        select(Certificate).join(Product, col(Product.id) == Certificate.product_id)
        .order_by(col(Product.slug), col(Certificate.issued_on), col(Certificate.level))
    ).all()
    chosen = rng.sample(list(certs), k=max(1, round(len(certs) * share)))
    revoked = 0
    for cert in chosen:
        if cert.revoked_on is not None:
            continue
        latest = min(cert.valid_until, LAST_DEMO_DAY)
        on = max(cert.issued_on, min(latest, cert.issued_on + timedelta(days=rng.randint(120, 1000))))
        revoke_certificate(session=session, certificate=cert, on=on, reason=rng.choice(REVOCATION_REASONS))
        revoked += 1
    return revoked
