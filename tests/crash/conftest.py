"""A migrated database (SQLite file or a fresh PostgreSQL database) for the `cnnt` processes to work on."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings
from app.migrate import upgrade_database


@pytest.fixture
def crash_settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for the test's own database, migrated as `cnnt db upgrade` does; files under tmp_path/data."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=db_url, meili_url="")
    upgrade_database(settings)
    return settings
