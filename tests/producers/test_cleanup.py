"""Producer accounts never confirmed go a week after registering (with their link mail), under a clock.

Confirmed accounts and accounts holding a producer are never deleted; an account mailed a link that can
still be used waits for it to expire; a deleted account's link is refused; `cnnt alerts run` does it.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.domain.states import MailState
from app.models import MailMessage, ProducerAccount, utcnow
from app.services.producers.accounts import register
from app.services.producers.cleanup import delete_unconfirmed
from tests.factories import make_product
from tests.producers.helpers import last_link, use_link

LATER = timedelta(days=8)  # past the week an unconfirmed account is kept, past every link's lifetime


def _registered(session: Session, settings: Settings, email: str) -> ProducerAccount:
    """An unconfirmed account with its confirmation link queued, as registering leaves it."""
    register(session=session, name="Cơ sở thử", email=email, base_url=settings.public_base_url,
             secret=settings.secret_key)
    session.commit()
    return session.exec(select(ProducerAccount).where(ProducerAccount.email == email)).one()


def _emails(session: Session) -> set[str]:
    session.expire_all()
    return {a.email for a in session.exec(select(ProducerAccount)).all()}


def _mail_to(session: Session, email: str) -> list[MailMessage]:
    return list(session.exec(select(MailMessage).where(col(MailMessage.recipient) == email)).all())


def test_only_week_old_unconfirmed_accounts_go(session: Session, settings: Settings) -> None:
    stale = _registered(session, settings, "cu@example.vn")
    young = _registered(session, settings, "moi@example.vn")
    young.created_at = utcnow() + timedelta(days=2)  # six days old on the clock below
    confirmed = _registered(session, settings, "da.xac.nhan@example.vn")
    confirmed.confirmed_at = utcnow()
    holder = _registered(session, settings, "giu.co.so@example.vn")
    holder.producer_id = make_product(session, name="Mắm tôm").producer_id
    session.add_all([young, confirmed, holder])
    session.commit()
    assert _mail_to(session, stale.email)
    assert delete_unconfirmed(session=session, now=utcnow()) == 0  # nothing is a week old yet
    assert delete_unconfirmed(session=session, now=utcnow() + LATER) == 1
    session.commit()
    assert _emails(session) == {"moi@example.vn", "da.xac.nhan@example.vn", "giu.co.so@example.vn"}
    assert _mail_to(session, "cu@example.vn") == []  # its link mail went with it
    assert _mail_to(session, "moi@example.vn")


def test_a_link_still_usable_keeps_its_account_until_it_expires(session: Session, settings: Settings) -> None:
    account = _registered(session, settings, "dang.ky.lai@example.vn")
    clock = utcnow() + LATER
    message = _mail_to(session, account.email)[0]
    message.created_at = clock - timedelta(hours=1)  # registered again an hour before the run
    session.add(message)
    session.commit()
    assert delete_unconfirmed(session=session, now=clock) == 0
    assert delete_unconfirmed(session=session, now=clock + timedelta(days=3)) == 1


def test_a_message_being_sent_is_left_to_the_sender(session: Session, settings: Settings) -> None:
    account = _registered(session, settings, "dang.gui@example.vn")
    message = _mail_to(session, account.email)[0]
    message.state = MailState.SENDING
    session.add(message)
    session.commit()
    assert delete_unconfirmed(session=session, now=utcnow() + LATER) == 1
    session.commit()
    assert _emails(session) == set() and len(_mail_to(session, "dang.gui@example.vn")) == 1


def test_a_deleted_accounts_link_is_refused_and_the_address_can_register_again(
        client: TestClient, session: Session, settings: Settings) -> None:
    account = _registered(session, settings, "quen@example.vn")
    link = last_link(session, account.email)
    assert delete_unconfirmed(session=session, now=utcnow() + LATER) == 1
    session.commit()
    assert client.get(link).status_code == 400
    assert use_link(client, link) == 400
    fresh = _registered(session, settings, "quen@example.vn")
    assert use_link(client, last_link(session, fresh.email)) == 303


def test_the_periodic_job_deletes_them(session: Session, settings: Settings) -> None:
    account = _registered(session, settings, "cron@example.vn")
    account.created_at = utcnow() - LATER
    session.add(account)
    for message in _mail_to(session, account.email):
        message.created_at = utcnow() - LATER
        session.add(message)
    session.commit()
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(cli, ["alerts", "run"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 tài khoản cơ sở chưa xác nhận" in result.output
    assert _emails(session) == set()
