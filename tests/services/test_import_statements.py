"""A spreadsheet's preview and import cost a fixed number of SQL statements, not a few per row.

The 20,000-row preview took two minutes because the upserter asked the database once per row
and kind and flushed after every object. The count of statements is what regresses quietly,
so it is what this test pins: the same for 40 rows as for 400, new or already imported.
INSERTs are left out: on SQLite the ORM inserts row by row when it needs the ids back (its
RETURNING order is not guaranteed), which is cheap in process; lookups are what cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.domain.permissions import Role
from app.models import Certificate, OutboxEvent, Product, SelectionRound
from app.services.imports.importer import import_file
from app.services.imports.preview import upload_batch
from app.services.office.account import Account
from tests.factories import make_user, province
from tests.services.sheets import row, write_csv


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements other than INSERT run on `engine` inside the block."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _rows(count: int) -> list[dict[str, object]]:
    """`count` distinct provincial rows of Đà Nẵng in 2025, one producer per three products."""
    return [row(province="Đà Nẵng", issued_on="15/12/2025", certificate_number=f"{n}/GCN-SCT",
                product_name=f"Nước mắm Nam Ô loại {n}", producer_name=f"Cơ sở Nam Ô {n // 3}")
            for n in range(count)]


def _preview_statements(session: Session, engine: Engine, path: Path, folder: Path) -> int:
    """Statements run by one browser preview of `path` for a provincial round of Đà Nẵng."""
    user = make_user(session, role="admin", province_slug=None)
    selection_round = SelectionRound(level="tinh", year=2025, province_id=province(session, "da-nang").id,
                                     decision_number="9/QĐ", decision_date=date(2025, 12, 1))
    session.add(selection_round)
    session.commit()
    account = Account(user=user, role=Role.admin, province_slug=None)
    with counted(engine) as statements:
        batch = upload_batch(session=session, account=account, selection_round=selection_round, folder=folder,
                             filename=path.name, data=path.read_bytes())
    assert batch.errors == 0, batch.summary
    return len(statements)


def test_preview_statements_do_not_grow_with_rows(session: Session, engine: Engine, tmp_path: Path) -> None:
    small = _preview_statements(session, engine, write_csv(tmp_path / "40.csv", _rows(40)), tmp_path / "a")
    large = _preview_statements(session, engine, write_csv(tmp_path / "400.csv", _rows(400)), tmp_path / "b")
    assert large <= small + 10, (small, large)
    assert session.exec(select(func.count()).select_from(Product)).one() == 0  # a preview writes nothing


def test_import_statements_do_not_grow_with_rows_and_reimport_changes_nothing(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "400.csv", _rows(400))
    with counted(engine) as first:
        report = import_file(session=session, path=path, media_dir=tmp_path / "media")
    session.commit()
    assert report.ok and report.counts.certificates.created == 400 and report.counts.producers.created == 134
    assert len(first) < 60, len(first)
    assert session.exec(select(func.count()).select_from(OutboxEvent)).one() >= 400
    codes = set(session.exec(select(Certificate.code)).all())
    assert len(codes) == 400
    with counted(engine) as again:
        report = import_file(session=session, path=path, media_dir=tmp_path / "media")
    assert report.ok and report.counts.certificates.unchanged == 400 and report.counts.products.created == 0
    assert len(again) < 60, len(again)
