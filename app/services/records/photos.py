"""Store processed photos under their content hash and manage a product's photos in the office.

Every office change (add, alt text, cover, order, removal) writes an audit entry and marks
the product for reindexing in the caller's transaction (the cover is in its search document);
the route commits, then indexes. An upload is all-or-nothing: files are written before the
commit and removed again if any step, the commit included, fails, so a failed upload leaves
nothing behind in the media folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.files.images import ImageRejected, ProcessedImage, build_variants, check_file_size, process_image
from app.files.media import VARIANT_FORMATS, VARIANT_WIDTHS, remove_written, variant_dir, write_atomically
from app.models import Product, ProductImage, Province
from app.services.catalog.reads import ImageView, image_view
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot
from search.indexer import mark_for_reindex

MAX_ALT = 300


def write_variants(*, media_dir: Path, processed: ProcessedImage, written: list[Path]) -> None:
    """Write every variant not yet on disk, appending each new path to `written` (for an undo)."""
    folder = variant_dir(media_dir, processed.content_hash)
    for (nominal_width, fmt), data in processed.variants.items():
        path = folder / f"{nominal_width}.{fmt}"
        if not path.exists():
            write_atomically(path, data)
            written.append(path)


def store_image(*, media_dir: Path, processed: ProcessedImage) -> int:
    """Write every variant not yet on disk (content-addressed, so never twice); return files written."""
    written: list[Path] = []
    try:
        write_variants(media_dir=media_dir, processed=processed, written=written)
    except BaseException:
        remove_written(media_dir, written)  # no photo left with only some of its variants
        raise
    return len(written)


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
        width=processed.width, height=processed.height, alt=alt[:MAX_ALT], position=position,
    )
    session.add(image)
    if outbox:
        mark_for_reindex(session, product.id)
    session.flush()
    return image, True


def next_image_position(*, session: Session, product_id: int) -> int:
    """The position after the product's last image (0 for the first, the cover)."""
    positions = session.exec(select(ProductImage.position).where(ProductImage.product_id == product_id)).all()
    return max(positions, default=-1) + 1


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One posted file, still in its temporary file: read only once its size is known to be fine."""

    filename: str  # for messages: no folders, printable
    size: int
    file: BinaryIO


@dataclass(frozen=True, slots=True)
class PhotoRow:
    """A photo on the management page: number from 1, and whether its alt text needs attention."""

    view: ImageView
    number: int
    alt_state: str  # "ok", "missing" (no alt text) or "default" (still the product name)


@dataclass(frozen=True, slots=True)
class PhotoPage:
    """A product's photos in order, the cover first."""

    product: Product
    photos: list[PhotoRow]

    @property
    def missing_alt(self) -> int:
        """Photos without any alt text."""
        return sum(1 for row in self.photos if row.alt_state == "missing")

    @property
    def default_alt(self) -> int:
        """Photos whose alt text is still the product name, to be reviewed."""
        return sum(1 for row in self.photos if row.alt_state == "default")


def photo_product(*, session: Session, account: Account, product_id: int) -> Product:
    """The product if the account may manage its photos; NotFound otherwise (others' records stay unseen)."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("Không tìm thấy sản phẩm này.")
    province = session.get_one(Province, product.province_id)
    account.require_province(province.slug)
    return product


def _ordered(session: Session, product: Product) -> list[ProductImage]:
    """The product's photos, cover first."""
    return list(session.exec(
        select(ProductImage).where(ProductImage.product_id == product.id)
        .order_by(col(ProductImage.position), col(ProductImage.id))
    ).all())


def _alt_state(image: ProductImage, product: Product) -> str:
    """Whether a photo's alt text is there, and whether it is more than the default."""
    alt = image.alt.strip()
    if not alt:
        return "missing"
    return "default" if alt == product.name.strip() else "ok"


def photo_page(*, session: Session, product: Product) -> PhotoPage:
    """Everything the management page shows."""
    rows = [PhotoRow(view=image_view(image), number=n, alt_state=_alt_state(image, product))
            for n, image in enumerate(_ordered(session, product), start=1)]
    return PhotoPage(product=product, photos=rows)


def process_uploads(files: Iterable[UploadedFile]) -> tuple[list[ProcessedImage], list[str]]:
    """Every file verified and re-encoded, one at a time; the messages of those refused, by name."""
    processed: list[ProcessedImage] = []
    problems: list[str] = []
    for upload in files:
        try:
            check_file_size(upload.size, filename=upload.filename)  # before a byte is read
            processed.append(process_image(upload.file.read(), filename=upload.filename))
        except ImageRejected as rejected:
            problems.append(rejected.message)
    return processed, problems


def alt_problem(alt: str) -> str | None:
    """Why an alt text cannot be saved (Vietnamese), or None."""
    if not alt.strip():
        return "Cần nhập văn bản thay thế: mô tả ngắn những gì ảnh cho thấy."
    if len(alt.strip()) > MAX_ALT:
        return f"Văn bản thay thế quá dài (tối đa {MAX_ALT} ký tự)."
    return None


def _checked_alt(alt: str, field: str) -> str:
    """The trimmed alt text, or InvalidInput."""
    problem = alt_problem(alt)
    if problem:
        raise InvalidInput(problem, field=field)
    return alt.strip()


def _mark(session: Session, product: Product) -> None:
    """Mark the product for reindexing: its photos are in its search document."""
    assert product.id is not None  # noqa: S101 - loaded from the database
    mark_for_reindex(session, product.id)


def _audit(session: Session, account: Account, product: Product, action: str, *,
           image: ProductImage | None, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """One audit entry for a photo change: on the photo row, or on the product for its order."""
    record_change(session=session, account=account, action=f"product_image.{action}",
                  entity="product_image" if image else "product", entity_id=image.id if image else product.id,
                  province_id=product.province_id, before=before, after=after)


@contextmanager
def add_photos(*, session: Session, account: Account, product: Product, photos: list[ProcessedImage],
               alt: str, media_dir: Path) -> Iterator[int]:
    """Store and attach verified photos after the last one, all or none; yields how many were new.

    The caller commits inside the `with` block: if anything fails before the block ends, the
    commit included, the session is rolled back and the files written are removed again.
    """
    text = _checked_alt(alt, "alt")
    written: list[Path] = []
    try:
        for processed in photos:
            write_variants(media_dir=media_dir, processed=processed, written=written)
        added = _attach_all(session, account, product, photos, text)
        if added:
            _mark(session, product)
        yield added
    except BaseException:
        session.rollback()
        remove_written(media_dir, written)  # nothing half-stored: no files without their rows
        raise


def _attach_all(session: Session, account: Account, product: Product,
                photos: list[ProcessedImage], alt: str) -> int:
    """Attach each photo the product does not have yet, with an audit entry each."""
    assert product.id is not None  # noqa: S101 - loaded from the database
    position = next_image_position(session=session, product_id=product.id)
    added = 0
    for processed in photos:
        image, new = attach_image(session=session, product=product, processed=processed, alt=alt,
                                  position=position, outbox=False)
        if new:
            _audit(session, account, product, "add", image=image, before=None, after=snapshot(image))
            position, added = position + 1, added + 1
    return added


def attach_photos(*, session: Session, account: Account, product: Product, photos: list[ProcessedImage],
                  alt: str) -> int:
    """Attach stored photos after the product's last one (the first is the cover if it had none), audited."""
    added = _attach_all(session, account, product, photos, _checked_alt(alt, "alt"))
    if added:
        _mark(session, product)
    return added


def save_alt_texts(*, session: Session, account: Account, product: Product, alts: Mapping[int, str]) -> int:
    """Save the alt text of each listed photo of the product (all must be valid); return how many changed."""
    changed = 0
    for image in _ordered(session, product):
        if image.id is None or image.id not in alts:
            continue
        text = _checked_alt(alts[image.id], f"alt-{image.id}")
        if text != image.alt:
            before = snapshot(image)
            image.alt = text
            session.add(image)
            _audit(session, account, product, "alt", image=image, before=before, after=snapshot(image))
            changed += 1
    if changed:
        _mark(session, product)
    return changed


def _image_in(images: list[ProductImage], image_id: int) -> ProductImage:
    """The photo with this id among the product's, or NotFound."""
    for image in images:
        if image.id == image_id:
            return image
    raise NotFound("Không tìm thấy ảnh này của sản phẩm.")


def _reorder(session: Session, account: Account, product: Product, action: str,
             before: list[ProductImage], after: list[ProductImage]) -> bool:
    """Renumber the photos 0… in the new order (0 is the cover) and audit it; False if nothing moved."""
    if [i.id for i in before] == [i.id for i in after]:
        return False
    for position, image in enumerate(after):
        image.position = position
        session.add(image)
    _audit(session, account, product, action, image=None,
           before={"photo_order": [i.id for i in before]}, after={"photo_order": [i.id for i in after]})
    return True


def set_cover(*, session: Session, account: Account, product: Product, image_id: int) -> bool:
    """Make a photo the cover (first); the others keep their order. False if it already was."""
    images = _ordered(session, product)
    cover = _image_in(images, image_id)
    after = [cover] + [i for i in images if i is not cover]
    if not _reorder(session, account, product, "cover", images, after):
        return False
    _mark(session, product)
    return True


def move_photo(*, session: Session, account: Account, product: Product, image_id: int, step: int) -> bool:
    """Move a photo one place earlier (step -1) or later (+1); False at either end."""
    images = _ordered(session, product)
    index = images.index(_image_in(images, image_id))
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(images):
        return False
    after = list(images)
    after[index], after[target] = after[target], after[index]
    _reorder(session, account, product, "move", images, after)
    _mark(session, product)
    return True


def remove_photo(*, session: Session, account: Account, product: Product, image_id: int) -> None:
    """Take a photo off the product (its files stay: other products may share them); audited."""
    images = _ordered(session, product)
    image = _image_in(images, image_id)
    _audit(session, account, product, "remove", image=image, before=snapshot(image), after=None)
    session.delete(image)
    for position, rest in enumerate(i for i in images if i is not image):
        rest.position = position
        session.add(rest)
    _mark(session, product)


def backfill_variants(*, media_dir: Path, content_hash: str) -> int:
    """Write the variants a stored photo lacks (a format added later, e.g. AVIF); return files written.

    Originals are not kept, so the missing files are re-encoded from the photo's largest JPEG
    (1280 px or the original width). Without them a browser that prefers the new format gets
    a 404 from <picture> and shows no photo at all.
    """
    folder = variant_dir(media_dir, content_hash)
    missing = [(w, f) for w in VARIANT_WIDTHS for f in VARIANT_FORMATS if not (folder / f"{w}.{f}").exists()]
    source = folder / f"{VARIANT_WIDTHS[-1]}.jpg"
    if not missing or not source.exists():
        return 0
    with Image.open(source) as image:
        image.load()
        variants = build_variants(image)
    for width, fmt in missing:
        write_atomically(folder / f"{width}.{fmt}", variants[(width, fmt)])
    return len(missing)
