"""Unreadable or hostile spreadsheets, uploaded in the browser or given to `cnnt import`: a 422 page
(or a non-zero exit) naming the file and saying what to do; nothing stored, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.files import xlsx_guard
from app.models import Certificate, ImportBatch, Product, SelectionRound
from tests.attack.xlsx_parts import LAUGHS, XXE, cell_bomb, sheet_xml, valid_rows, write_parts
from tests.factories import csrf_of, make_user, province, sign_in

FILENAME = "Danh sách đợt 2025.xlsx"


def _broken_sheet(path: Path) -> Path:
    return write_parts(path, sheet='<?xml version="1.0"?><worksheet><sheetData><row>')


def _laughs(path: Path) -> Path:
    return write_parts(path, sheet=sheet_xml([["&lol9;"]], prolog=LAUGHS))


def _xxe(path: Path) -> Path:
    workbook = f'<?xml version="1.0"?>{XXE}<workbook>&xxe;</workbook>'
    return write_parts(path, replace={"xl/workbook.xml": workbook})


def _truncated(path: Path) -> Path:
    whole = write_parts(path).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _huge(path: Path) -> Path:
    rows = valid_rows()
    rows[1][0] = "x" * (xlsx_guard.MAX_UNPACKED_BYTES + 1)
    return write_parts(path, sheet=sheet_xml(rows))


def _cells(path: Path) -> Path:
    return cell_bomb(path, xlsx_guard.MAX_CELLS + 1)


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "broken-xml": (_broken_sheet, "không phải XML hợp lệ"),
    "billion-laughs": (_laughs, "DOCTYPE"),
    "xxe": (_xxe, "DOCTYPE"),
    "truncated-zip": (_truncated, "tệp hỏng"),
    "unpacks-too-big": (_huge, "100 MB"),
    "cell-bomb": (_cells, "800.000 ô"),
}


def _round(session: Session) -> int:
    created = SelectionRound(level="tinh", year=2025, province_id=province(session, "da-nang").id,
                             decision_number="99/QĐ-UBND", decision_date=date(2025, 12, 1))
    session.add(created)
    session.commit()
    assert created.id is not None
    return created.id


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_upload_of_a_bad_workbook_is_a_422_naming_the_file(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path, kind: str
) -> None:
    make, fragment = BAD_FILES[kind]
    round_id = _round(session)
    sign_in(client, make_user(session, province_slug="da-nang"))
    path = make(tmp_path / "tep.xlsx")
    response = client.post(f"/quan-ly/dot-binh-chon/{round_id}/nhap",
                           data={"csrf_token": csrf_of(client, "/quan-ly/dot-binh-chon")},
                           files={"file": (FILENAME, path.read_bytes(), "application/octet-stream")},
                           follow_redirects=False)
    assert response.status_code == 422, response.text[:300]
    error = BeautifulSoup(response.text, "html.parser").select_one("#file-error")
    assert error is not None
    assert FILENAME in error.text and fragment in error.text, error.text
    assert session.exec(select(ImportBatch)).first() is None
    folder = settings.data_dir / "private" / "imports"
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize("data", [b"\xff\xfe\x00garbage\x00" * 100,
                                  "Tên;Cấp\n".encode("cp1258", errors="replace")])
def test_upload_of_a_csv_in_a_wrong_encoding_is_a_422(client: TestClient, session: Session,
                                                      data: bytes) -> None:
    round_id = _round(session)
    sign_in(client, make_user(session, province_slug="da-nang"))
    response = client.post(f"/quan-ly/dot-binh-chon/{round_id}/nhap",
                           data={"csrf_token": csrf_of(client, "/quan-ly/dot-binh-chon")},
                           files={"file": ("danh-sach.csv", data, "text/csv")}, follow_redirects=False)
    assert response.status_code == 422
    error = BeautifulSoup(response.text, "html.parser").select_one("#file-error")
    assert error is not None and "danh-sach.csv" in error.text and "CSV UTF-8" in error.text
    assert session.exec(select(ImportBatch)).first() is None


@pytest.mark.parametrize("kind", ["broken-xml", "billion-laughs", "cell-bomb"])
def test_cli_import_of_a_bad_workbook_exits_non_zero_with_one_clear_line(
    settings: Settings, session: Session, tmp_path: Path, kind: str
) -> None:
    make, fragment = BAD_FILES[kind]
    path = make(tmp_path / "danh-sach-2025.xlsx")
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(cli, ["import", str(path)], env=env)
    assert result.exit_code == 1, result.output
    assert "danh-sach-2025.xlsx" in result.output and fragment in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert session.exec(select(Product)).first() is None and session.exec(select(Certificate)).first() is None
