"""`cnnt mail send` and `cnnt mail list`: the bodies, kept out of app/cli.py (already long).

Each takes the settings and an echo and returns the exit code.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.domain.states import MailState
from app.services.mail import Sender, deliver_due, recent_mail
from app.services.records.audit_page import vietnam_time

Echo = Callable[[str], object]


def run_mail_send(settings: Settings, *, echo: Echo) -> int:
    """One sending pass over what is due now (for cron; safe beside the site's sender); 1 if any failed."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        report = deliver_due(engine=engine, sender=Sender.from_settings(settings))
    finally:
        engine.dispose()
    echo(f"Thư điện tử ({settings.mail_destination}): đã gửi {report.sent}, "
         f"sẽ thử lại {report.retrying}, không gửi được {report.failed}.")
    return 1 if report.failed else 0


def run_mail_list(settings: Settings, *, echo: Echo, limit: int) -> int:
    """The newest messages, one line each: number, time (Vietnam), state, attempts, recipient, subject."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            messages = recent_mail(session=session, limit=limit)
            for m in messages:
                error = f"\t{m.last_error}" if m.last_error and m.state != MailState.SENT else ""
                echo(f"{m.id}\t{vietnam_time(m.created_at)}\t{MailState(m.state).label}\t{m.attempts} lần"
                     f"\t{m.recipient}\t{m.subject}{error}")
            if not messages:
                echo("Chưa có thư nào.")
    finally:
        engine.dispose()
    return 0
