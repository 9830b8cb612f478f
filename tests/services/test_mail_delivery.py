"""Mail goes out through a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL.

Plain SMTP, STARTTLS with a login, implicit TLS; a temporary failure retried on the back-off
schedule; a permanent 550 given up at once; two senders racing for the same messages; a sender
that died after claiming (or before sending); the background sender woken by a commit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import Settings
from app.db import wake_mail_on_commit
from app.domain.states import MailState
from app.models import MailMessage, utcnow
from app.services.mail import MailSender, Sender, deliver_due, queue_mail
from app.services.mail.outbox import BACKOFF, MAX_ATTEMPTS, STALE_AFTER, claim
from app.services.mail.transports import SmtpServer
from tests.smtp import PASSWORD, USER, KeepingHandler, self_signed, smtp_server

SUBJECT_WORDS = "Kết quả xử lý phản ánh của bạn về mã ABCD-EFGH"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made once per module: openssl takes a moment)."""
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def plain_server() -> Iterator[tuple[KeepingHandler, int]]:
    """An SMTP server without TLS or login, as a local relay on port 25 would be."""
    with smtp_server() as running:
        yield running


def sender_for(tmp_path: Path, url: str, ca_file: Path | None = None) -> Sender:
    """The sender the settings with this SMTP URL build."""
    return Sender.from_settings(Settings(data_dir=tmp_path, smtp_url=url, smtp_ca_file=ca_file,
                                         base_url="https://cnnt.example.vn",
                                         mail_from="CNNT <no-reply@cnnt.example.vn>"))


def queue(session: Session, key: str = "k1", to: str = "nguoi.mua@example.vn") -> MailMessage:
    """One outcome message queued and committed."""
    message = queue_mail(session=session, to=to, template="report_outcome", dedupe_key=key, context={
        "code": "ABCD-EFGH", "verify_path": "/v/ABCDEFGH", "reported_on": "05/12/2026",
        "office": "Sở Công Thương Đà Nẵng", "outcome": "Xác nhận có vi phạm", "note": "Đã xử lý cơ sở bán."})
    assert message is not None
    session.commit()
    return message


def stored(engine: Engine, message_id: int | None) -> MailMessage:
    """The row as another connection sees it."""
    with Session(engine) as fresh:
        row = fresh.get(MailMessage, message_id)
        assert row is not None
        return row


def test_plain_smtp_delivers_a_multipart_vietnamese_message(session: Session, engine: Engine, tmp_path: Path,
                                                            plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    message = queue(session)
    report = deliver_due(engine=engine, sender=sender_for(tmp_path, f"smtp://127.0.0.1:{port}"))
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [got] = handler.received
    assert got.rcpt_tos == ["nguoi.mua@example.vn"]
    assert got.mail_from == "no-reply@cnnt.example.vn"
    mail = got.message
    assert mail["Subject"] == SUBJECT_WORDS
    assert "=?utf-8?" in mail.as_string().split("\n\n", 1)[0].lower()  # encoded on the wire, not raw UTF-8
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Message-ID"].endswith("@cnnt.example.vn>") and mail["Date"]
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert "Xác nhận có vi phạm" in text.get_content() and "Đã xử lý cơ sở bán." in text.get_content()
    row = stored(engine, message.id)
    assert (row.state, row.attempts, row.message_id) == (MailState.SENT, 1, mail["Message-ID"])
    assert row.sent_at is not None
    again = deliver_due(engine=engine, sender=sender_for(tmp_path, f"smtp://127.0.0.1:{port}"))
    assert again.sent == 0 and len(handler.received) == 1  # idempotent: a second pass sends nothing


def test_starttls_with_login_trusting_the_ca_file(session: Session, engine: Engine, tmp_path: Path,
                                                  certificate: tuple[Path, Path]) -> None:
    url_user, url_password = quote(USER, safe=""), quote(PASSWORD, safe="")
    with smtp_server(starttls=certificate, login=True) as (handler, port):
        message = queue(session)
        url = f"smtp://{url_user}:{url_password}@127.0.0.1:{port}"
        untrusted = deliver_due(engine=engine, sender=sender_for(tmp_path, url))
        assert untrusted.retrying == 1 and handler.received == []  # verified by default: unknown CA refused
        assert "CERTIFICATE_VERIFY_FAILED" in (stored(engine, message.id).last_error or "")
        later = utcnow() + BACKOFF[0] + timedelta(seconds=1)
        trusted_sender = sender_for(tmp_path, url, ca_file=certificate[0])
        trusted = deliver_due(engine=engine, sender=trusted_sender, now=later)
        assert trusted.sent == 1 and len(handler.received) == 1


# aiosmtpd cannot tell implicit TLS from none when it checks AUTH (auth_require_tls=False), and warns.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_login(session: Session, engine: Engine, tmp_path: Path,
                                 certificate: tuple[Path, Path]) -> None:
    with smtp_server(implicit_tls=certificate, login=True) as (handler, port):
        queue(session)
        url = f"smtps://{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}"
        assert deliver_due(engine=engine, sender=sender_for(tmp_path, url, ca_file=certificate[0])).sent == 1
        assert len(handler.received) == 1


def test_a_wrong_password_is_retried_not_given_up(session: Session, engine: Engine, tmp_path: Path,
                                                  certificate: tuple[Path, Path]) -> None:
    with smtp_server(starttls=certificate, login=True) as (handler, port):
        message = queue(session)
        url = f"smtp://{quote(USER, safe='')}:wrong@127.0.0.1:{port}"
        report = deliver_due(engine=engine, sender=sender_for(tmp_path, url, ca_file=certificate[0]))
        assert report.retrying == 1 and handler.received == []
        row = stored(engine, message.id)
        assert row.state == MailState.QUEUED and "535" in (row.last_error or "")  # a setting to fix: it waits


def test_a_password_is_never_sent_without_tls(session: Session, engine: Engine, tmp_path: Path,
                                              plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    message = queue(session)
    report = deliver_due(engine=engine, sender=sender_for(tmp_path, f"smtp://u:p@127.0.0.1:{port}"))
    assert report.retrying == 1 and handler.received == []
    assert "STARTTLS" in (stored(engine, message.id).last_error or "")


def test_temporary_failures_back_off_then_succeed(session: Session, engine: Engine, tmp_path: Path,
                                                  plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    handler.data_answers.extend(["451 4.3.0 Thử lại sau", "421 4.7.0 Đang bận"])
    sender = sender_for(tmp_path, f"smtp://127.0.0.1:{port}")
    message = queue(session)
    start = utcnow()
    assert deliver_due(engine=engine, sender=sender, now=start).retrying == 1
    first = stored(engine, message.id)
    assert (first.state, first.attempts) == (MailState.QUEUED, 1) and "451" in (first.last_error or "")
    assert _aware(first.next_attempt_at) == start + BACKOFF[0]
    not_yet = start + timedelta(seconds=30)
    assert deliver_due(engine=engine, sender=sender, now=not_yet).retrying == 0  # not due yet
    second_try = start + BACKOFF[0]
    assert deliver_due(engine=engine, sender=sender, now=second_try).retrying == 1
    assert _aware(stored(engine, message.id).next_attempt_at) == second_try + BACKOFF[1]
    assert deliver_due(engine=engine, sender=sender, now=second_try + BACKOFF[1]).sent == 1
    assert len(handler.received) == 1 and stored(engine, message.id).attempts == 3


def test_temporary_failures_give_up_after_the_last_attempt(session: Session, engine: Engine, tmp_path: Path,
                                                           plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    handler.data_answers.extend(["451 4.3.0 Thử lại sau"] * (MAX_ATTEMPTS + 1))
    sender = sender_for(tmp_path, f"smtp://127.0.0.1:{port}")
    message = queue(session)
    when = utcnow()
    for wait in (timedelta(0), *BACKOFF):
        when += wait
        deliver_due(engine=engine, sender=sender, now=when)
    row = stored(engine, message.id)
    assert (row.state, row.attempts, handler.received) == (MailState.FAILED, MAX_ATTEMPTS, [])
    assert deliver_due(engine=engine, sender=sender, now=when + timedelta(days=2)).failed == 0


def test_a_permanent_550_fails_at_once(session: Session, engine: Engine, tmp_path: Path,
                                       plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    handler.refused.add("khong.co@example.vn")
    message = queue(session, to="khong.co@example.vn")
    report = deliver_due(engine=engine, sender=sender_for(tmp_path, f"smtp://127.0.0.1:{port}"))
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    row = stored(engine, message.id)
    assert (row.state, row.attempts) == (MailState.FAILED, 1) and "550" in (row.last_error or "")


def test_a_server_that_is_down_is_a_temporary_failure(session: Session, engine: Engine,
                                                       tmp_path: Path) -> None:
    with smtp_server() as (_handler, port):
        pass  # the port is free again: nobody listens
    message = queue(session)
    assert deliver_due(engine=engine, sender=sender_for(tmp_path, f"smtp://127.0.0.1:{port}")).retrying == 1
    assert stored(engine, message.id).state == MailState.QUEUED


def test_two_senders_racing_send_each_message_once(session: Session, engine: Engine, tmp_path: Path,
                                                   plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    for number in range(8):
        queue(session, key=f"race-{number}", to=f"nguoi{number}@example.vn")
    sender = sender_for(tmp_path, f"smtp://127.0.0.1:{port}")
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def run() -> None:
        barrier.wait()
        sent.append(deliver_due(engine=engine, sender=sender).sent)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(sent) == 8
    assert sorted(r.rcpt_tos[0] for r in handler.received) == sorted(f"nguoi{n}@example.vn" for n in range(8))


def test_a_claim_is_taken_by_one_sender_only(session: Session, engine: Engine) -> None:
    message = queue(session)
    assert message.id is not None
    with Session(engine) as first, Session(engine) as second:
        assert claim(session=first, message_id=message.id, now=utcnow(), domain="cnnt.example.vn") is not None
        first.commit()
        assert claim(session=second, message_id=message.id, now=utcnow(), domain="cnnt.example.vn") is None


def test_a_crash_between_commit_and_send_is_delivered_by_the_next_run(
        session: Session, engine: Engine, tmp_path: Path, plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    message = queue(session)  # committed; the process "dies" before any sender ran
    assert stored(engine, message.id).state == MailState.QUEUED
    assert deliver_due(engine=engine, sender=sender_for(tmp_path, f"smtp://127.0.0.1:{port}")).sent == 1
    assert len(handler.received) == 1


def test_a_message_left_sending_by_a_dead_sender_is_sent_after_the_timeout(
        session: Session, engine: Engine, tmp_path: Path, plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    message = queue(session)
    assert message.id is not None
    claimed_at = utcnow()
    with Session(engine) as dying:  # claimed and committed, then the process died before sending
        assert claim(session=dying, message_id=message.id, now=claimed_at, domain="cnnt.example.vn")
        dying.commit()
    sender = sender_for(tmp_path, f"smtp://127.0.0.1:{port}")
    assert deliver_due(engine=engine, sender=sender, now=claimed_at + timedelta(minutes=1)).sent == 0
    assert handler.received == []  # maybe still sending somewhere: not touched before the timeout
    later = claimed_at + STALE_AFTER + timedelta(seconds=1)
    assert deliver_due(engine=engine, sender=sender, now=later).sent == 1
    row = stored(engine, message.id)
    assert (row.state, row.attempts, len(handler.received)) == (MailState.SENT, 2, 1)
    assert handler.received[0].message["Message-ID"] == row.message_id  # the Message-ID of the first claim


def test_the_background_sender_sends_after_the_commit(session: Session, engine: Engine, tmp_path: Path,
                                                      plain_server: tuple[KeepingHandler, int]) -> None:
    handler, port = plain_server
    sender = sender_for(tmp_path, f"smtp://127.0.0.1:{port}")
    background = MailSender(lambda: deliver_due(engine=engine, sender=sender), interval_s=3600)
    background.start()  # its first pass finds nothing; only a wake can send within the test
    try:
        _wait_for(lambda: True)
        wake_mail_on_commit(session, background.wake)
        queue(session)
        _wait_for(lambda: len(handler.received) == 1)
    finally:
        background.stop()
    assert session.exec(select(MailMessage.state)).all() == [MailState.SENT]


def _wait_for(condition: object, timeout_s: float = 10.0) -> None:
    """Poll `condition` (a callable) until true, failing after `timeout_s`."""
    assert callable(condition)
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _aware(moment: object) -> object:
    """A stored timestamp as aware UTC (SQLite hands back naive UTC)."""
    from datetime import UTC, datetime

    assert isinstance(moment, datetime)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_smtp_urls_are_taken_apart() -> None:
    server = SmtpServer.from_url("smtp://nguoi%40dung:m%E1%BA%ADt%3Akh%E1%BA%A9u@mail.example.vn:587")
    assert (server.host, server.port, server.implicit_tls) == ("mail.example.vn", 587, False)
    assert (server.username, server.password) == ("nguoi@dung", "mật:khẩu")
    assert SmtpServer.from_url("smtps://mail.example.vn").port == 465
    assert SmtpServer.from_url("smtp://localhost").port == 25 and not SmtpServer.from_url("smtp://localhost").username

