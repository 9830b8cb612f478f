"""Store processed photos under their content hash and attach them to products."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.images import ProcessedImage
from app.media import variant_dir, write_atomically
from app.models import OutboxEvent, Product, ProductImage


def store_image(*, media_dir: Path, processed: ProcessedImage) -> int:
    """Write every variant not yet on disk (content-addressed, so never twice); return files written."""
    folder = variant_dir(media_dir, processed.content_hash)
    written = 0
    for (nominal_width, fmt), data in processed.variants.items():
        path = folder / f"{nominal_width}.{fmt}"
        if not path.exists():
            write_atomically(path, data)
            written += 1
    return written


def attach_image(
    *,
    session: Session,
    product: Product,
    processed: ProcessedImage,
    alt: str,
    position: int,
    outbox: bool = True,
) -> tuple[ProductImage, bool]:
    """The product's image with this hash: added (True) or already there (False); the caller commits."""
    existing = session.exec(
        select(ProductImage).where(
            ProductImage.product_id == product.id,
            ProductImage.content_hash == processed.content_hash,
        )
    ).first()
    if existing is not None:
        return existing, False
    assert product.id is not None, "attach images to a flushed product"  # noqa: S101
    image = ProductImage(
        product_id=product.id, content_hash=processed.content_hash,
        width=processed.width, height=processed.height, alt=alt[:300], position=position,
    )
    session.add(image)
    if outbox:
        session.add(OutboxEvent(product_id=product.id))
    session.flush()
    return image, True


def next_image_position(*, session: Session, product_id: int) -> int:
    """The position after the product's last image (0 for the first, the cover)."""
    positions = session.exec(select(ProductImage.position).where(ProductImage.product_id == product_id)).all()
    return max(positions, default=-1) + 1
