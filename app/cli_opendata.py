"""`cnnt opendata snapshot`: this Vietnam month's open-data files, written once, kept for 24 months.

`cnnt alerts run` (the daily job) calls it too, so snapshots need no cron line of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.domain.validity import today_in
from app.services.catalog.snapshots import snapshot_folder, write_month_snapshot

Echo = Callable[[str], object]


def run_snapshot(settings: Settings, *, echo: Echo, today: date | None = None) -> int:
    """Write the month's snapshot unless written; 0 when it is there afterwards, 1 when it could not be."""
    day = today or today_in(settings.tz)
    folder = snapshot_folder(settings.data_dir)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            written = write_month_snapshot(session=session, folder=folder, today=day,
                                           base_url=settings.public_base_url)
    except OSError as error:
        echo(f"Lỗi: không ghi được bản lưu dữ liệu mở vào {folder}: {error}")
        return 1
    finally:
        engine.dispose()
    if written:
        echo(f"Bản lưu dữ liệu mở tháng {day:%m/%Y}: đã ghi {', '.join(written)} vào {folder}.")
    else:
        echo(f"Bản lưu dữ liệu mở tháng {day:%m/%Y} đã có trong {folder}: giữ nguyên.")
    return 0
