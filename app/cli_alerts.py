"""`cnnt alerts run`: the body, kept out of app/cli.py (already long).

The whole run (every list's message of the day and its ledger rows, stale pending lists and producer
accounts never confirmed deleted) is one transaction: a crash leaves nothing half-sent, and running it
twice queues nothing new. It is the site's periodic job, so the producer accounts' upkeep rides on it,
and so does the month's open-data snapshot (`cnnt opendata snapshot`, written once a month).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from app.cli_opendata import run_snapshot
from app.config import Settings
from app.db import make_engine
from app.domain.validity import today_in
from app.services.mail import configure_mail
from app.services.producers.cleanup import delete_unconfirmed
from app.services.watch.alerts import run_alerts

Echo = Callable[[str], object]


def run_alerts_run(settings: Settings, *, echo: Echo, today: date | None = None) -> int:
    """Queue what is due on `today` (default: today in Vietnam); the mail sender delivers it."""
    day = today or today_in(settings.tz)
    configure_mail(base_url=settings.public_base_url)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            report = run_alerts(session=session, today=day, base_url=settings.public_base_url,
                                secret=settings.secret_key)
            accounts = delete_unconfirmed(session=session)
            session.commit()
    finally:
        engine.dispose()
    echo(f"Cảnh báo ngày {day:%d/%m/%Y}: {report.alerts} cảnh báo trong {report.messages} thư; "
         f"đã xóa {report.deleted_pending} danh sách và {accounts} tài khoản cơ sở chưa xác nhận quá 7 ngày.")
    return run_snapshot(settings, echo=echo, today=day)  # the month's open-data snapshot rides on it too
