"""Migrations are code: `upgrade head` on an empty database must give exactly the models."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.config import Settings
from app.db import make_engine
from app.migrate import MIGRATIONS_DIR, alembic_config, upgrade_database

REVISION_NAME = re.compile(r"^\d{4}_\d{2}_\d{2}_\w+\.py$")


def _differences(url: str) -> list[object]:
    """What autogenerate would still emit for the database at `url`."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_gives_exactly_the_models(db_url: str) -> None:
    command.upgrade(alembic_config(db_url), "head")
    assert _differences(db_url) == []
    assert set(SQLModel.metadata.tables) <= _table_names(db_url)


def test_downgrade_to_base_removes_every_table(db_url: str) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert _table_names(db_url) <= {"alembic_version"}
    command.upgrade(config, "head")  # and back up again: the round trip is clean
    assert _differences(db_url) == []


def test_upgrade_database_loads_provinces_and_is_idempotent(db_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=db_url)
    upgrade_database(settings)
    upgrade_database(settings)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            count = "SELECT count(*) FROM province"
            total = conn.execute(sa.text(count)).scalar_one()
            current = conn.execute(sa.text(f"{count} WHERE code IS NOT NULL")).scalar_one()
            former = conn.execute(sa.text(f"{count} WHERE successor_id IS NOT NULL")).scalar_one()
    finally:
        engine.dispose()
    assert (total, current) == (64, 34)
    assert former > 0


def test_revisions_form_one_line_with_date_stamped_names() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    files = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.name != "__init__.py")
    assert files, "no revision files"
    assert all(REVISION_NAME.match(name) for name in files), files
    assert len(files) == len(list(script.walk_revisions()))


def test_0002_rekeys_printed_numbers_for_look_alikes(db_url: str) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "0001")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO province (id, slug, name) VALUES (1, 'ha-noi', 'Hà Nội')"))
            conn.execute(sa.text(
                "INSERT INTO producer (id, slug, name, name_key, province_id, created_at, updated_at) "
                "VALUES (1, 'p', 'P', 'p', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO product (id, slug, name, name_key, \"group\", state, producer_id, province_id, "
                "created_at, updated_at) VALUES (1, 's', 'S', 's', 'khac', 'published', 1, 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO certificate (id, code, number, number_key, level, issued_on, valid_until, "
                "product_id, province_id, created_at, updated_at) VALUES (1, 'ABCDEFGH', 'IO/QĐ-SCT', "
                "'IOQDSCT', 'tinh', '2023-12-15', '2026-12-31', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        command.upgrade(config, "head")
        with engine.connect() as conn:
            key = conn.execute(sa.text("SELECT number_key FROM certificate WHERE id = 1")).scalar_one()
    finally:
        engine.dispose()
    assert key == "10QDSCT"


def test_report_states_are_mapped_to_the_five_new_ones(db_url: str) -> None:
    """0009: in_progress → checking, resolved → closed, dismissed → unfounded; back again on downgrade."""
    config = alembic_config(db_url)
    command.upgrade(config, "0007")
    old = ["new", "in_progress", "resolved", "dismissed"]
    engine = make_engine(db_url)
    insert = sa.text("INSERT INTO misuse_report (created_at, reported_code, where_bought, details, state) "
                     "VALUES (:at, '', 'Chợ', '', :state)")
    read = sa.text("SELECT state FROM misuse_report ORDER BY id")
    try:
        with engine.begin() as conn:
            for state in old:
                conn.execute(insert, {"at": "2026-01-01 00:00:00", "state": state})
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert list(conn.execute(read).scalars()) == ["new", "checking", "closed", "unfounded"]
        command.downgrade(config, "0007")
        with engine.connect() as conn:
            assert list(conn.execute(read).scalars()) == ["new", "in_progress", "resolved", "dismissed"]
    finally:
        engine.dispose()
