"""`cnnt user add`: accounts from the command line, refused with a clear message, usable on the web."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from app.cli import cli
from app.config import Settings
from app.models import AuditEntry, Province, User
from tests.factories import sign_in

PASSWORD = "mat-khau-dong-lenh-456"  # noqa: S105 - test accounts only
runner = CliRunner()


def _add(settings: Settings, *args: str, stdin: str = PASSWORD + "\n", from_stdin: bool = True) -> Result:
    """Run `cnnt user add` against the test database."""
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    extra = ["--password-stdin"] if from_stdin else []
    return runner.invoke(cli, ["user", "add", *args, *extra], input=stdin, env=env)


def _user(session: Session, email: str) -> User | None:
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).first()


def test_creates_an_admin(settings: Settings, session: Session) -> None:
    result = _add(settings, "--email", "Quan.Tri@Moit.example", "--name", "Quản trị", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản" in result.output
    user = _user(session, "quan.tri@moit.example")
    assert user is not None and user.role == "admin" and user.province_id is None
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash


def test_creates_an_office_of_a_current_province(settings: Settings, session: Session) -> None:
    result = _add(settings, "--email", "so@da-nang.example", "--name", "Sở Đà Nẵng", "--role", "office",
                  "--province", "Đà Nẵng")
    assert result.exit_code == 0, result.output
    user = _user(session, "so@da-nang.example")
    assert user is not None and user.role == "office"
    province = session.get(Province, user.province_id)
    assert province is not None and province.slug == "da-nang"


def test_password_typed_twice_at_a_hidden_prompt(settings: Settings, session: Session) -> None:
    result = _add(settings, "--email", "a@moit.example", "--name", "A", "--role", "admin",
                  stdin=f"{PASSWORD}\n{PASSWORD}\n", from_stdin=False)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert _user(session, "a@moit.example") is not None


def test_prompted_passwords_that_differ_are_refused(settings: Settings, session: Session) -> None:
    result = _add(settings, "--email", "b@moit.example", "--name", "B", "--role", "admin",
                  stdin=f"{PASSWORD}\nkhac-han-mat-khau\n", from_stdin=False)
    assert result.exit_code == 1 and "không khớp" in result.output
    assert _user(session, "b@moit.example") is None


def test_duplicate_email_is_refused(settings: Settings, session: Session) -> None:
    assert _add(settings, "--email", "c@moit.example", "--name", "C", "--role", "admin").exit_code == 0
    again = _add(settings, "--email", "C@moit.example ", "--name", "C2", "--role", "admin")
    assert again.exit_code == 1 and "đã có tài khoản" in again.output


@pytest.mark.parametrize("province", [None, "Bắc Giang", "khong-co-tinh-nay"])
def test_office_needs_a_current_province(settings: Settings, session: Session, province: str | None) -> None:
    args = ["--email", "d@so.example", "--name", "D", "--role", "office"]
    result = _add(settings, *args, *(["--province", province] if province else []))
    assert result.exit_code == 1 and "tỉnh/thành phố hiện hành" in result.output
    assert _user(session, "d@so.example") is None


def test_weak_password_is_refused(settings: Settings, session: Session) -> None:
    result = _add(settings, "--email", "e@moit.example", "--name", "E", "--role", "admin", stdin="ngan\n")
    assert result.exit_code == 1 and "ít nhất 10 ký tự" in result.output
    assert _user(session, "e@moit.example") is None


def test_the_new_account_signs_in_on_the_web(settings: Settings, session: Session,
                                             client: TestClient) -> None:
    assert _add(settings, "--email", "f@so.example", "--name", "F", "--role", "office",
                "--province", "da-nang").exit_code == 0
    user = _user(session, "f@so.example")
    assert user is not None
    sign_in(client, user, password=PASSWORD)


def test_the_password_is_no_argument(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["user", "add", "--help"], env={"CNNT_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0 and "--password-stdin" in result.output
    assert "--password " not in result.output


def _run(settings: Settings, *args: str) -> Result:
    """Run `cnnt user …` against the test database."""
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(cli, ["user", *args], env=env)


def test_list_shows_each_account_with_role_province_and_state(settings: Settings, session: Session) -> None:
    assert _add(settings, "--email", "so@danang.example", "--name", "Sở", "--role", "office",
                "--province", "da-nang").exit_code == 0
    result = _run(settings, "list")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("so@danang.example"))
    assert "Sở Công Thương" in line and "Đà Nẵng" in line
    assert "đang hoạt động" in line and "chưa đăng nhập" in line


def test_deactivate_refuses_sign_in_ends_sessions_and_is_audited(settings: Settings, session: Session,
                                                                 client: TestClient) -> None:
    assert _add(settings, "--email", "so@hue.example", "--name", "Sở", "--role", "office",
                "--province", "hue").exit_code == 0
    user = _user(session, "so@hue.example")
    assert user is not None
    sign_in(client, user, password=PASSWORD)
    result = _run(settings, "deactivate", "SO@hue.example")
    assert result.exit_code == 0, result.output
    stored = _user(session, "so@hue.example")
    assert stored is not None and not stored.is_active
    assert client.get("/quan-ly", follow_redirects=False).status_code == 302
    session.expire_all()
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "user.deactivate",
                                                 AuditEntry.entity_id == user.id)).first()
    assert "đã khóa" in _run(settings, "list").output


def test_deactivate_an_unknown_email_fails_clearly(settings: Settings, session: Session) -> None:
    result = _run(settings, "deactivate", "khong-co@vi-du.example")
    assert result.exit_code == 1 and "Không có tài khoản" in result.output
