"""Keep the province table equal to the packaged reference data (63 former → 34 current)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.domain.provinces import ProvinceInfo, all_provinces, province_by_slug
from app.errors import NotFound
from app.models import Province


def sync_provinces(*, session: Session) -> None:
    """Insert or update every province; idempotent. The caller commits."""
    existing = {p.slug: p for p in session.exec(select(Province)).all()}
    for info in all_provinces():
        row = existing.get(info.slug) or Province(slug=info.slug, name=info.name)
        row.name, row.code = info.name, info.code
        session.add(row)
        existing[info.slug] = row
    session.flush()
    for info in all_provinces():
        successor = existing[info.successor_slug].id if info.successor_slug else None
        existing[info.slug].successor_id = successor
    session.flush()


def province_ids_by_slug(*, session: Session) -> dict[str, int]:
    """Slug → row id of every province (a small, fixed table)."""
    return {p.slug: p.id for p in session.exec(select(Province)).all() if p.id is not None}


def province_row(*, session: Session, info: ProvinceInfo) -> Province:
    """The database row of a reference province."""
    row = session.exec(select(Province).where(Province.slug == info.slug)).first()
    if row is None:
        raise NotFound(f"Chưa có dữ liệu tỉnh {info.name}; hãy chạy `cnnt db upgrade`.")
    return row


def info_of(row: Province) -> ProvinceInfo:
    """The reference data of a province row."""
    info = province_by_slug(row.slug)
    if info is None:
        raise NotFound(f"Không rõ tỉnh {row.name}.")
    return info
