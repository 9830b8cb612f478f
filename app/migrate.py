"""Run Alembic migrations from the packaged `migrations/` folder, whatever the working directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.services.upkeep.provinces import sync_provinces

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def upgrade_database(settings: Settings) -> None:
    """Migrate to the newest revision, then make sure the province reference rows exist."""
    command.upgrade(alembic_config(settings.sqlalchemy_url), "head")
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            sync_provinces(session=session)
            session.commit()
    finally:
        engine.dispose()
