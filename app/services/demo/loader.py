"""Load the demo data set through the real importer: a generated winners spreadsheet (no photos:
pages show each product's illustration, app/domain/illustrations.py), then a few revocations,
then indexing."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.files.spreadsheet import COLUMNS
from app.models import Certificate, Product
from app.services.demo.catalog import LAST_DEMO_DAY, DemoProduct, demo_products, spreadsheet_rows
from app.services.demo.words import REVOCATION_REASONS
from app.services.records.revocation import revoke_certificate

DEMO_SEED = 2025
REVOKED_SHARE = 0.03


def write_demo_sheet(folder: Path, products: list[DemoProduct]) -> Path:
    """Write `winners.xlsx` under `folder`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(list(COLUMNS))
    for row in spreadsheet_rows(products):
        sheet.append([row.get(column) for column in COLUMNS])
    path = folder / "winners.xlsx"
    workbook.save(path)
    return path


def build_demo_sheet(folder: Path, *, seed: int = DEMO_SEED, generated: int = 300) -> Path:
    """The demo winners spreadsheet, ready for import_file."""
    return write_demo_sheet(folder, demo_products(seed, generated=generated))


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
