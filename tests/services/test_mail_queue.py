"""Queueing e-mail: rendered from templates, in the caller's transaction, once per key; written as .eml
files when no SMTP server is set; `cnnt mail send` and `cnnt mail list`; on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.db import wake_mail_on_commit
from app.domain.states import MailState
from app.main import create_app
from app.models import MailMessage
from app.services.mail import Sender, configure_mail, deliver_due, queue_mail
from app.services.mail.render import render_mail

CONTEXT: dict[str, object] = {
    "code": "ABCD-EFGH", "verify_path": "/v/ABCDEFGH", "reported_on": "05/12/2026",
    "office": "Sở Công Thương Đà Nẵng", "outcome": "Không có cơ sở", "note": "Sản phẩm <b>đúng</b> & hợp lệ."}
SUBJECT = "Kết quả xử lý phản ánh của bạn về mã ABCD-EFGH"


def _queue(session: Session, key: str = "k", **extra: object) -> MailMessage | None:
    return queue_mail(session=session, to="nguoi.mua@example.vn", template="report_outcome",
                      context=CONTEXT, dedupe_key=key, **extra)  # type: ignore[arg-type]


def _count(engine: Engine) -> int:
    with Session(engine) as fresh:
        return fresh.exec(select(func.count()).select_from(MailMessage)).one()


def test_render_subject_text_and_escaped_html() -> None:
    configure_mail(base_url="https://cnnt.example.vn/")
    mail = render_mail("report_outcome", CONTEXT)
    assert mail.subject == SUBJECT
    assert "Sản phẩm <b>đúng</b> & hợp lệ." in mail.text  # plain text is never read as markup
    assert "https://cnnt.example.vn/v/ABCDEFGH" in mail.text and "https://cnnt.example.vn/" in mail.text
    soup = BeautifulSoup(mail.html, "html.parser")
    assert soup.find("b") is None  # the note was escaped, not injected
    assert "Sản phẩm <b>đúng</b> & hợp lệ." in soup.get_text()
    assert [a["href"] for a in soup.find_all("a")] == ["https://cnnt.example.vn/v/ABCDEFGH",
                                                       "https://cnnt.example.vn/"]


def test_a_missing_context_key_is_an_error_not_a_blank() -> None:
    with pytest.raises(Exception, match="note"):
        render_mail("report_outcome", {k: v for k, v in CONTEXT.items() if k != "note"})


def test_the_mail_exists_only_if_the_transaction_commits(session: Session, engine: Engine) -> None:
    woken: list[int] = []
    wake_mail_on_commit(session, lambda: woken.append(1))
    assert _queue(session) is not None
    session.rollback()
    assert _count(engine) == 0
    session.commit()  # a later commit that queued nothing does not wake the sender
    assert woken == []
    assert _queue(session, "k2") is not None
    session.commit()
    assert _count(engine) == 1 and woken == [1]


def test_the_same_dedupe_key_twice_is_one_mail(session: Session, engine: Engine) -> None:
    first = _queue(session)
    assert first is not None and first.id is not None and first.state == MailState.QUEUED
    assert _queue(session) is None  # same transaction
    session.commit()
    assert _queue(session) is None  # a later one
    session.commit()
    with Session(engine) as other:  # another session, as another worker would be
        assert queue_mail(session=other, to="khac@example.vn", template="report_outcome", context=CONTEXT,
                          dedupe_key="k") is None
        other.commit()
    assert _count(engine) == 1


@pytest.mark.parametrize("to", ["", "khong-phai-email", "a@b.vn, c@d.vn", "A <a@b.vn>",
                                "a@b.vn\r\nBcc: x@y.vn"])
def test_a_bad_recipient_is_refused(session: Session, to: str) -> None:
    with pytest.raises(ValueError, match="e-mail"):
        queue_mail(session=session, to=to, template="report_outcome", context=CONTEXT, dedupe_key="bad")


def test_eml_files_by_default_readable_with_both_parts(session: Session, engine: Engine,
                                                       tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, base_url="https://cnnt.example.vn")
    unsubscribe = "<https://cnnt.example.vn/huy-theo-doi/abc>"
    message = _queue(session, headers={"List-Unsubscribe": unsubscribe})
    assert message is not None
    session.commit()
    report = deliver_due(engine=engine, sender=Sender.from_settings(settings))
    assert report.sent == 1
    [path] = sorted((tmp_path / "mail").iterdir())  # no temporary file left beside it
    assert path.name.endswith(f"-{message.id}.eml") and len(path.name.split("-")[0]) == 8
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == SUBJECT and parsed["To"] == "nguoi.mua@example.vn"
    assert parsed["From"] == "CNNT <no-reply@localhost>" and parsed["List-Unsubscribe"] == unsubscribe
    assert parsed["Message-ID"].endswith("@cnnt.example.vn>") and parsed["Date"]
    assert b"Subject: =?utf-8?" in path.read_bytes()
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert text is not None and html is not None
    assert "Không có cơ sở" in text.get_content()
    assert BeautifulSoup(html.get_content(), "html.parser").find("strong").get_text() == "ABCD-EFGH"
    with Session(engine) as fresh:
        assert fresh.exec(select(MailMessage.state)).all() == [MailState.SENT]


def test_cli_mail_send_and_list(session: Session, engine: Engine, settings: Settings) -> None:
    _queue(session)
    session.commit()
    runner = CliRunner()
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir),
           "CNNT_SMTP_URL": ""}
    listed = runner.invoke(cli, ["mail", "list"], env=env)
    assert listed.exit_code == 0 and "đang chờ gửi" in listed.output and SUBJECT in listed.output
    sent = runner.invoke(cli, ["mail", "send"], env=env)
    assert sent.exit_code == 0, sent.output
    assert "đã gửi 1" in sent.output and str(settings.mail_dir) in sent.output
    assert len(list(settings.mail_dir.glob("*.eml"))) == 1
    again = runner.invoke(cli, ["mail", "send"], env=env)
    assert again.exit_code == 0 and "đã gửi 0" in again.output  # idempotent
    assert "đã gửi\t1 lần" in runner.invoke(cli, ["mail", "list"], env=env).output


def test_the_app_sends_what_was_queued_while_it_was_down(session: Session, settings: Settings) -> None:
    _queue(session)
    session.commit()
    with TestClient(create_app(settings)):
        _wait_for_file(settings.mail_dir)


def _wait_for_file(folder: Path, timeout_s: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not list(folder.glob("*.eml")):
        assert time.monotonic() < deadline, "the app's sender wrote nothing"
        time.sleep(0.05)


def test_where_mail_goes_is_said_without_the_password(tmp_path: Path) -> None:
    assert str(tmp_path / "mail") in Settings(data_dir=tmp_path).mail_destination
    remote = Settings(smtp_url="smtp://nguoi:bi-mat@mail.example.vn:587").mail_destination
    assert "mail.example.vn:587" in remote and "bi-mat" not in remote and "nguoi" not in remote
    with pytest.raises(ValueError, match="CNNT_SMTP_URL"):
        Settings(smtp_url="http://mail.example.vn")
