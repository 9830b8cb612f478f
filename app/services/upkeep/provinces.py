"""Keep the province table equal to the packaged reference data (63 former → 34 current)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.domain.provinces import all_provinces
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
