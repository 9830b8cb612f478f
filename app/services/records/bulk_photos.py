"""Photos of many products at once, matched by file name: stage and preview, then attach on confirmation.

An upload is checked file by file (the photo pipeline's verdict, the match) and kept in a private
folder `<DATA_DIR>/private/bulk-photos/<token>/` with a manifest naming the account that made it;
the token is random, and any other account, an unknown token or one older than a day gets
NotFound. Confirming claims the manifest by renaming it (one request alone wins), attaches every
matched photo through the same pipeline as a product's own photo page in the caller's transaction,
and, once the route has committed, `finish` keeps only the result: a replay does nothing twice.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlmodel import Session

from app.errors import InvalidInput, NotFound
from app.files.images import ImageRejected, ProcessedImage, process_image, verify_image
from app.files.media import remove_written
from app.files.photo_bundle import BundleFile
from app.models import Product
from app.services.office.account import Account
from app.services.records.audit_log import record_change
from app.services.records.photo_matching import PhotoIndex, build_index, match_filename
from app.services.records.photos import attach_photos, photo_product, write_variants

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_AGE_S = 24 * 3600
PENDING, CLAIMED, DONE = "pending.json", "claimed.json", "done.json"


@dataclass(slots=True)
class StagedFile:
    """One file of the upload as the preview shows it, and where its bytes are kept if it matched."""

    name: str
    state: str  # matched | ambiguous | unmatched | rejected | skipped
    reason: str = ""
    stored: str = ""
    product_id: int | None = None
    product_name: str = ""
    matched_by: str = ""
    matched_text: str = ""
    candidates: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Staging:
    """A staged upload: who made it, when, its files, and (once applied) what was done."""

    token: str
    user_id: int
    created: float
    files: list[StagedFile]
    applied: dict[str, int] | None = None

    def count(self, state: str) -> int:
        """How many files are in `state`."""
        return sum(1 for f in self.files if f.state == state)


class AlreadyApplied(InvalidInput):
    """The upload was confirmed by an earlier request: its result page is the answer."""


def _folder(root: Path, token: str) -> Path:
    """The staging folder of a token that has the right shape (NotFound otherwise: never a path)."""
    if not TOKEN.match(token):
        raise NotFound("Không tìm thấy lần tải ảnh này.")
    return root / token


def _sweep(root: Path) -> None:
    """Remove staged uploads older than a day (abandoned previews)."""
    if not root.is_dir():
        return
    cutoff = time.time() - MAX_AGE_S
    for folder in root.iterdir():
        if TOKEN.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _staged(file: BundleFile, folder: Path, index: PhotoIndex) -> StagedFile:
    """Verdict on one file: skipped, rejected by the photo pipeline, or its match (kept if matched)."""
    if file.skipped:
        return StagedFile(name=file.name, state="skipped", reason=file.skipped)
    try:
        verify_image(file.data, filename=file.name)
    except ImageRejected as rejected:
        return StagedFile(name=file.name, state="rejected", reason=rejected.message)
    match = match_filename(index, file.name)
    staged = StagedFile(name=file.name, state=match.state)
    if match.state == "ambiguous":
        staged.candidates = sorted({c.product_name for c in match.candidates})
    elif match.state == "matched":
        first = match.candidates[0]
        staged.product_id, staged.product_name = first.product_id, first.product_name
        staged.matched_by, staged.matched_text = first.kind, first.text
        staged.stored = secrets.token_hex(16)
        (folder / staged.stored).write_bytes(file.data)
    return staged


def stage_upload(*, session: Session, account: Account, root: Path, files: Iterable[BundleFile]) -> str:
    """Check and match every file, keep the matched ones and the manifest; return the token."""
    _sweep(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(parents=True, mode=0o700)
    index = build_index(session=session, account=account)
    staged = [_staged(file, folder, index) for file in files]
    if not staged:
        shutil.rmtree(folder, ignore_errors=True)
        raise InvalidInput("Chưa chọn ảnh hoặc tệp .zip nào để tải lên.", field="photos")
    staging = Staging(token=token, user_id=account.id, created=time.time(), files=staged)
    (folder / PENDING).write_text(json.dumps(asdict(staging), ensure_ascii=False), encoding="utf-8")
    return token


def _read(path: Path) -> Staging:
    """A manifest back into a Staging."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"] = [StagedFile(**f) for f in data["files"]]
    return Staging(**data)


def load_staging(*, account: Account, root: Path, token: str) -> Staging:
    """The account's staged upload (or its result); NotFound for another's, an unknown or expired one."""
    folder = _folder(root, token)
    for name in (DONE, PENDING, CLAIMED):
        if (folder / name).is_file():
            staging = _read(folder / name)
            break
    else:
        raise NotFound("Không tìm thấy lần tải ảnh này (đã hết hạn hoặc không thuộc tài khoản của bạn).")
    if staging.user_id != account.id or staging.created < time.time() - MAX_AGE_S:
        raise NotFound("Không tìm thấy lần tải ảnh này (đã hết hạn hoặc không thuộc tài khoản của bạn).")
    return staging


def _claim(folder: Path) -> None:
    """Take the pending manifest for this request alone (an atomic rename); AlreadyApplied otherwise."""
    try:
        os.rename(folder / PENDING, folder / CLAIMED)
    except FileNotFoundError:
        raise AlreadyApplied("Các ảnh này đã được gắn vào sản phẩm.") from None


def _processed_by_product(session: Session, account: Account, folder: Path,
                          staging: Staging) -> dict[int, tuple[Product, list[ProcessedImage]]]:
    """Each matched product still in the account's reach, with its photos re-encoded."""
    grouped: dict[int, tuple[Product, list[ProcessedImage]]] = {}
    for staged in staging.files:
        if staged.state != "matched" or staged.product_id is None:
            continue
        if staged.product_id not in grouped:
            try:
                product = photo_product(session=session, account=account, product_id=staged.product_id)
            except NotFound:
                continue  # moved out of the account's reach since the preview: not attached
            grouped[staged.product_id] = (product, [])
        data = (folder / staged.stored).read_bytes()
        grouped[staged.product_id][1].append(process_image(data, filename=staged.name))
    return grouped


@contextmanager
def apply_staging(*, session: Session, account: Account, root: Path, token: str,
                  media_dir: Path) -> Iterator[dict[str, int]]:
    """Attach every matched photo in the caller's transaction; yields counts. The caller commits inside.

    If anything fails before the block ends (the commit included) the session is rolled back, the
    media files written are removed and the upload can be confirmed again.
    """
    staging = load_staging(account=account, root=root, token=token)
    folder = _folder(root, token)
    _claim(folder)
    written: list[Path] = []
    try:
        grouped = _processed_by_product(session, account, folder, staging)
        photos = products = 0
        for product, processed in grouped.values():
            for image in processed:
                write_variants(media_dir=media_dir, processed=image, written=written)
            added = attach_photos(session=session, account=account, product=product, photos=processed,
                                  alt=product.name)
            photos, products = photos + added, products + (1 if added else 0)
        counts = {"photos": photos, "products": products, "files": staging.count("matched")}
        record_change(session=session, account=account, action="product_image.bulk_add", entity="image",
                      entity_id=None, province_id=None, before=None, after={"token": token[:8], **counts})
        session.flush()
        yield counts
    except BaseException:
        session.rollback()
        remove_written(media_dir, written)
        os.rename(folder / CLAIMED, folder / PENDING)  # the upload stays, to be confirmed again
        raise


def finish(*, root: Path, token: str, counts: dict[str, int]) -> None:
    """After the commit: keep only the result (shown on the page), delete the staged photos."""
    folder = _folder(root, token)
    staging = _read(folder / CLAIMED)
    staging.applied = counts
    (folder / DONE).write_text(json.dumps(asdict(staging), ensure_ascii=False), encoding="utf-8")
    for staged in staging.files:
        if staged.stored:
            (folder / staged.stored).unlink(missing_ok=True)
    (folder / CLAIMED).unlink(missing_ok=True)
