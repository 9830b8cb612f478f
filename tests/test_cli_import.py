"""`cnnt import FILE [--level …] [--province …] [--decision-date …] …`: options fill what the file lacks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from app.cli import cli
from app.config import Settings
from app.models import Certificate, Product, Province, SelectionRound
from tests.services.sheets import write_table_csv

runner = CliRunner()
ANNEX = [["DANH SÁCH SẢN PHẨM CNNT TIÊU BIỂU CẤP TỈNH NĂM 2023"],
         ["STT", "Tên sản phẩm", "Tên cơ sở", "Nhóm", "Cấp", "Ngày cấp"],
         [1, "Mỳ Chũ", "HTX Mỳ Chũ", "Nhóm sản phẩm chế biến nông, lâm, thủy sản và thực phẩm", None,
          "Năm 2023"],
         [2, "Gốm Thổ Hà", "Cơ sở gốm Thổ Hà", "Thủ công mỹ nghệ", "Cấp quốc gia", "20/12/2023"]]


def _import(settings: Settings, path: Path, *options: str) -> Result:
    """Run `cnnt import` against the test database."""
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(cli, ["import", str(path), *options], env=env)


def _certificates(session: Session) -> dict[str, Certificate]:
    """Certificates by product name."""
    session.expire_all()
    names = {p.id: p.name for p in session.exec(select(Product)).all()}
    return {names[c.product_id]: c for c in session.exec(select(Certificate)).all()}


def test_options_fill_missing_columns_and_blank_cells_and_a_cell_wins(settings: Settings, session: Session,
                                                                     tmp_path: Path) -> None:
    path = write_table_csv(tmp_path / "phu-luc.csv", ANNEX)
    refused = _import(settings, path)
    assert refused.exit_code == 1
    assert "Thiếu cột Tỉnh/thành phố: thêm cột này, hoặc dùng --province." in refused.output
    result = _import(settings, path, "--level", "tinh", "--province", "Bac Giang", "--decision-number",
                     "1234/QĐ-UBND", "--decision-date", "15/12/2023")
    assert result.exit_code == 0, result.output
    assert "Ghi chú: Bỏ qua 1 dòng tiêu đề phía trên bảng (dòng 1)." in result.output
    certs = _certificates(session)
    assert (certs["Mỳ Chũ"].level, certs["Mỳ Chũ"].issued_on) == ("tinh", date(2023, 12, 15))
    assert (certs["Gốm Thổ Hà"].level, certs["Gốm Thổ Hà"].issued_on) == ("quoc_gia", date(2023, 12, 20))
    assert session.get(Province, certs["Mỳ Chũ"].province_id).slug == "bac-giang"  # type: ignore[union-attr]
    rounds = {r.level: r for r in session.exec(select(SelectionRound)).all()}
    assert rounds["tinh"].decision_number == "1234/QĐ-UBND"
    assert rounds["tinh"].decision_date == date(2023, 12, 15)


def test_issued_on_option_and_iso_dates(settings: Settings, session: Session, tmp_path: Path) -> None:
    rows = [["Tên sản phẩm", "Tên cơ sở", "Nhóm"], ["Mỳ Chũ", "HTX Mỳ Chũ", "2"]]
    path = write_table_csv(tmp_path / "ds.csv", rows)
    result = _import(settings, path, "--level", "Cấp tỉnh", "--province", "Bắc Ninh", "--decision-date",
                     "2023-12-15", "--issued-on", "2023-12-18", "--dry-run")
    assert result.exit_code == 0 and "Kiểm tra xong" in result.output, result.output
    assert _certificates(session) == {}
    result = _import(settings, path, "--level", "Cấp tỉnh", "--province", "Bắc Ninh", "--decision-date",
                     "2023-12-15", "--issued-on", "2023-12-18")
    assert result.exit_code == 0, result.output
    assert _certificates(session)["Mỳ Chũ"].issued_on == date(2023, 12, 18)


def test_a_bad_option_is_exit_code_2_with_one_clear_message(settings: Settings, session: Session,
                                                           tmp_path: Path) -> None:
    path = write_table_csv(tmp_path / "ds.csv", ANNEX)
    for option, value, said in (
        ("--level", "cấp thôn", "Lỗi: Tùy chọn --level: Không rõ cấp 'cấp thôn'"),
        ("--decision-date", "31/02/2023", "Lỗi: Tùy chọn --decision-date: Ngày '31/02/2023' không tồn tại."),
        ("--province", "Xứ Đoài", "Lỗi: Tùy chọn --province: Không rõ tỉnh/thành phố 'Xứ Đoài'."),
    ):
        result = _import(settings, path, option, value)
        assert result.exit_code == 2 and result.output.startswith(said), result.output
        assert "Lỗi: Lỗi" not in result.output and "Traceback" not in result.output
    assert _certificates(session) == {}
