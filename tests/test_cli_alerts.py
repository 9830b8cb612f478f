"""`cnnt alerts run --today D` queues what is due; run again the same day it queues nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from app.cli import cli
from app.config import Settings
from app.models import Certificate, MailMessage
from app.services.watch.lists import confirm_list, resolve, start_list
from tests.factories import make_product

runner = CliRunner()


def _run(settings: Settings, *args: str) -> Result:
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(cli, ["alerts", "run", *args], env=env)


def test_alerts_run_twice_sends_nothing_the_second_time(settings: Settings, session: Session) -> None:
    product = make_product(session, name="Nón lá Huế")  # valid until 31/12/2026
    certificate = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    certificate.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    watch = start_list(session=session, resolved=resolve(session=session, codes=[certificate.code], slugs=[]),
                       today=date(2026, 12, 1))
    confirm_list(session=session, watch=watch, email="nguoi.mua@example.vn")
    session.commit()
    first = _run(settings, "--today", "2026-12-01")
    assert first.exit_code == 0, first.output
    assert "1 cảnh báo trong 1 thư" in first.output
    second = _run(settings, "--today", "2026-12-01")
    assert second.exit_code == 0 and "0 cảnh báo trong 0 thư" in second.output
    assert [m.dedupe_key for m in session.exec(select(MailMessage)).all()] == [f"watch:{watch.id}:2026-12-01"]
    assert _run(settings, "--today", "01/12/2026").exit_code == 2
