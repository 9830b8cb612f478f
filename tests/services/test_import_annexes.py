"""Winners lists as offices publish them (decision annexes) import as they are, on SQLite and PostgreSQL.

Each case was refused before issue 15: title rows above the header, STT and unknown columns,
group sub-header rows, merged title cells, a column-number row, footnotes and signatures, group
and level phrases, year-only dates, and files without level, province or date columns.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from sqlmodel import Session, select

from app.domain.levels import Level
from app.domain.provinces import resolve_province
from app.models import Certificate, Producer, Product, Province, SelectionRound
from app.services.imports.defaults import ImportDefaults
from app.services.imports.importer import ImportReport, import_file
from tests.services import annex_files
from tests.services.sheets import write_table_csv, write_table_xlsx

TITLE = [
    ["ỦY BAN NHÂN DÂN TỈNH BẮC NINH", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["SỞ CÔNG THƯƠNG", None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH SẢN PHẨM CÔNG NGHIỆP NÔNG THÔN TIÊU BIỂU CẤP TỈNH NĂM 2023"],
    ["(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15/12/2023 của UBND tỉnh Bắc Ninh)"],
]
HEADER = ["STT", "Tên sản phẩm, bộ sản phẩm", "Tên cơ sở/chủ cơ sở", "Địa chỉ", "Điện thoại", "Tổng điểm",
          "Ghi chú"]
NUMBERS = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"]
FOOTER = [
    [],
    ["Ghi chú: danh sách gồm 5 sản phẩm."],
    ["* Sản phẩm số 3 đổi tên cơ sở."],
    [None, "Người lập biểu", None, None, "KT. GIÁM ĐỐC"],
    [None, None, None, None, "PHÓ GIÁM ĐỐC"],
    [None, "Nguyễn Văn Lập", None, None, "Trần Thị Ký"],
]
BODY = [
    ["I", "Nhóm sản phẩm thủ công mỹ nghệ"],
    [1, "Tranh Đông Hồ", "Cơ sở tranh Đông Hồ", "Thôn Đông Hồ, xã Song Hồ", "0912 345 678", 88, None],
    [2, "Gốm Phù Lãng", "HTX gốm Phù Lãng", "Xã Phù Lãng", "0222 3856 789", 85, "Bộ 5 món"],
    ["II", "NHÓM SẢN PHẨM CHẾ BIẾN NÔNG, LÂM, THỦY SẢN VÀ THỰC PHẨM"],
    [None, "Huyện Tiên Du"],
    [3, "Bánh phu thê Đình Bảng", "Cơ sở bánh Đình Bảng", "Phường Đình Bảng", "0912345678 - 0987654321", 80],
    [4, "Mỳ Chũ", "HTX Mỳ Chũ", "Xã Nam Dương", "12345", 82, None],
    ["III", "NHÓM 3: Thiết bị, máy móc, dụng cụ và phụ tùng cơ khí"],
    [5, "Máy tẽ ngô", "Cơ sở cơ khí Đa Hội", "Phường Châu Khê", None, 79, None],
]
ANNEX = TITLE + [HEADER, NUMBERS] + BODY + FOOTER
MERGES = ("A1:C1", "D1:G1", "A4:G4", "A5:G5", "B8:G8", "B11:G11", "B15:G15")
ROUND_2023 = ImportDefaults(level=Level.tinh, province=resolve_province("Bắc Ninh"),
                            decision_number="1234/QĐ-UBND", decision_date=date(2023, 12, 15))


def run(session: Session, path: Path, defaults: ImportDefaults | None = None) -> ImportReport:
    """Import `path` with these defaults, committing when it succeeded."""
    report = import_file(session=session, path=path, media_dir=path.parent / "media", defaults=defaults)
    if report.ok:
        session.commit()
    else:
        session.rollback()
    return report


def groups(session: Session) -> dict[str, str]:
    """Product name → group code."""
    return {p.name: p.group for p in session.exec(select(Product)).all()}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_annex_with_titles_numbers_groups_and_signatures_imports_as_it_is(session: Session, tmp_path: Path,
                                                                          kind: str) -> None:
    path = (write_table_xlsx(tmp_path / "phu-luc.xlsx", ANNEX, merges=MERGES) if kind == "xlsx"
            else write_table_csv(tmp_path / "phu-luc.csv", ANNEX))
    report = run(session, path, ROUND_2023)
    assert report.ok, [str(p) for p in report.problems]
    assert report.rows == 5 and report.counts.products.created == 5
    assert groups(session) == {"Tranh Đông Hồ": "thu_cong_my_nghe", "Gốm Phù Lãng": "thu_cong_my_nghe",
                               "Bánh phu thê Đình Bảng": "che_bien", "Mỳ Chũ": "che_bien",
                               "Máy tẽ ngô": "co_khi"}
    certs = session.exec(select(Certificate)).all()
    assert {c.issued_on for c in certs} == {date(2023, 12, 15)} and {c.level for c in certs} == {"tinh"}
    assert {c.score for c in certs} == {88, 85, 80, 82, 79}
    selection_round = session.exec(select(SelectionRound)).one()
    assert selection_round.decision_number == "1234/QĐ-UBND"
    assert selection_round.decision_date == date(2023, 12, 15)
    assert report.notes[0] == "Bỏ qua 5 dòng tiêu đề phía trên bảng (dòng 1–5)."
    assert "Cột G – 'Ghi chú' không dùng, bỏ qua." in report.notes
    assert "Dòng 7 là dòng số thứ tự cột, bỏ qua." in report.notes
    assert any(n.startswith("Dòng 8 – 'Nhóm sản phẩm thủ công mỹ nghệ'") for n in report.notes)
    assert "Dòng 12 – 'Huyện Tiên Du': dòng tiêu đề mục, bỏ qua." in report.notes
    assert report.notes[-1] == "Bỏ qua phần ghi chú và chữ ký dưới bảng (dòng 18–22)."
    assert [(w.row, str(w)) for w in report.warnings] == [
        (14, "Dòng 14, cột E – Điện thoại: Số điện thoại '12345' không giống số Việt Nam (0 và 9–10 chữ số, "
             "hoặc +84); hãy kiểm tra lại.")]
    again = run(session, path, ROUND_2023)
    assert again.ok and again.counts.products.created == 0 and again.counts.certificates.updated == 0


def test_annex_on_a_later_sheet_with_a_group_column_and_address_parts(session: Session,
                                                                       tmp_path: Path) -> None:
    rows = [["DANH SÁCH SẢN PHẨM ĐẠT CẤP TỈNH"],
            ["TT", "Tên sản phẩm dự thi", "Chủ thể", "Nhóm", "Xã", "Huyện", "Cấp", "Ngày cấp", "Tỉnh"],
            [1, "Chè Tân Cương", "HTX chè Tân Cương",
             "Nhóm sản phẩm chế biến nông, lâm, thủy sản và thực phẩm",
             "Xã Tân Cương", "TP Thái Nguyên", "Sản phẩm CNNT tiêu biểu cấp tỉnh", "Năm 2023", "Thái Nguyên"],
            [2, "Nón lá", "Cơ sở nón Phú Cam", "Thủ công mỹ nghệ", None, "Huyện Phú Vang",
             "Cấp Tỉnh", "15/12/2023", "Thái Nguyên"]]
    path = write_table_xlsx(tmp_path / "qd.xlsx", rows, sheets_before=1)
    without_date = run(session, path)
    assert [str(p) for p in without_date.problems] == [
        "Dòng 3, cột H – Ngày cấp: 'Năm 2023' chỉ có năm: hãy ghi đủ ngày dd/mm/yyyy, "
        "hoặc ghi ngày quyết định của đợt."]
    report = run(session, path, ImportDefaults(decision_date=date(2023, 11, 20)))
    assert report.ok, [str(p) for p in report.problems]
    assert report.notes[0] == "Đọc bảng thứ 2 của tệp (các bảng trước không có dòng tên cột)."
    producers = {p.name: p.address for p in session.exec(select(Producer)).all()}
    assert producers == {"HTX chè Tân Cương": "Xã Tân Cương, TP Thái Nguyên",
                         "Cơ sở nón Phú Cam": "Huyện Phú Vang"}
    dates = {c.issued_on for c in session.exec(select(Certificate)).all()}
    assert dates == {date(2023, 11, 20), date(2023, 12, 15)}  # the cell wins over the decision date


@pytest.mark.parametrize(("phrase", "group"), [
    ("Nhóm sản phẩm thủ công mỹ nghệ", "thu_cong_my_nghe"), ("THỦ CÔNG MỸ NGHỆ", "thu_cong_my_nghe"),
    ("Nhóm sản phẩm chế biến nông, lâm, thủy sản và thực phẩm", "che_bien"),
    ("Che bien nong lam thuy san", "che_bien"),
    ("Nhóm sản phẩm thiết bị, máy móc, dụng cụ, phụ tùng cơ khí", "co_khi"), ("Nhóm 3", "co_khi"),
    ("Nhóm sản phẩm khác", "khac"), ("Sản phẩm khác", "khac"),
])
def test_group_phrases_as_published(session: Session, tmp_path: Path, phrase: str, group: str) -> None:
    rows = [["Tên sản phẩm", "Tên cơ sở", "Lĩnh vực"], ["Sản phẩm A", "Cơ sở A", phrase]]
    report = run(session, write_table_csv(tmp_path / "n.csv", rows), ROUND_2023)
    assert report.ok, [str(p) for p in report.problems]
    assert groups(session) == {"Sản phẩm A": group}


@pytest.mark.parametrize(("phrase", "level", "region"), [
    ("Sản phẩm CNNT tiêu biểu cấp tỉnh", "tinh", None), ("Cấp Tỉnh", "tinh", None),
    ("SP CNNT tiêu biểu cấp khu vực phía Bắc", "khu_vuc", "bac"), ("Cấp quốc gia", "quoc_gia", None),
    ("cấp huyện", "huyen", None),
])
def test_level_phrases_as_published_and_the_region_they_name(session: Session, tmp_path: Path, phrase: str,
                                                             level: str, region: str | None) -> None:
    rows = [["Tên sản phẩm", "Tên cơ sở", "Nhóm", "Cấp"], ["Sản phẩm A", "Cơ sở A", "2", phrase]]
    report = run(session, write_table_csv(tmp_path / "c.csv", rows), ROUND_2023)
    assert report.ok, [str(p) for p in report.problems]
    cert = session.exec(select(Certificate)).one()
    selection_round = session.get(SelectionRound, cert.round_id)
    assert cert.level == level and selection_round is not None and selection_round.region == region


def test_missing_columns_without_defaults_are_one_error_each_saying_how(session: Session,
                                                                        tmp_path: Path) -> None:
    rows = [["Tên sản phẩm", "Tên cơ sở", "Nhóm"], ["Sản phẩm A", "Cơ sở A", "2"]]
    report = run(session, write_table_csv(tmp_path / "thieu.csv", rows))
    assert [str(p) for p in report.problems] == [
        "Thiếu cột Cấp: thêm cột này, hoặc dùng --level.",
        "Thiếu cột Ngày cấp: thêm cột này, hoặc dùng --issued-on hoặc --decision-date.",
        "Thiếu cột Tỉnh/thành phố: thêm cột này, hoặc dùng --province."]
    assert session.exec(select(Product)).all() == []


def test_a_cell_wins_over_a_default_and_the_issue_date_falls_back_to_the_decision_date(
        session: Session, tmp_path: Path) -> None:
    rows = [["Tên sản phẩm", "Tên cơ sở", "Nhóm", "Cấp", "Tỉnh", "Ngày cấp"],
            ["Sản phẩm A", "Cơ sở A", "1", "cấp huyện", "Bắc Giang", "01/03/2024"],
            ["Sản phẩm B", "Cơ sở B", "1", None, None, None]]
    report = run(session, write_table_csv(tmp_path / "o.csv", rows), ROUND_2023)
    assert report.ok, [str(p) for p in report.problems]
    certs = {session.get(Product, c.product_id).name: c for c in session.exec(select(Certificate)).all()}  # type: ignore[union-attr]
    a, b = certs["Sản phẩm A"], certs["Sản phẩm B"]
    assert (a.level, a.issued_on) == ("huyen", date(2024, 3, 1))
    assert (b.level, b.issued_on) == ("tinh", date(2023, 12, 15))
    assert session.get(Province, a.province_id).slug == "bac-giang"  # type: ignore[union-attr]
    assert session.get(Province, b.province_id).slug == "bac-ninh"  # type: ignore[union-attr]


@pytest.mark.parametrize(("cell", "expected"), [
    ("Năm 2023", None), ("12/2023", None), ("Tháng 12/2023", None), ("tháng 12 năm 2023", None),
    ("Năm 2022", "'Năm 2022' (năm 2022) không chứa ngày 15/12/2023 của đợt"),
    ("06/2023", "'06/2023' (tháng 06/2023) không chứa ngày 15/12/2023 của đợt"),
])
def test_year_and_month_only_dates_take_the_round_date_within_them(session: Session, tmp_path: Path,
                                                                   cell: str, expected: str | None) -> None:
    rows = [["Tên sản phẩm", "Tên cơ sở", "Nhóm", "Ngày cấp"], ["Sản phẩm A", "Cơ sở A", "1", cell]]
    report = run(session, write_table_csv(tmp_path / "d.csv", rows), ROUND_2023)
    if expected is None:
        assert report.ok and session.exec(select(Certificate)).one().issued_on == date(2023, 12, 15)
    else:
        assert len(report.problems) == 1 and str(report.problems[0]).startswith(
            f"Dòng 2, cột D – Ngày cấp: {expected}")


def test_a_footer_never_swallows_a_data_row(session: Session, tmp_path: Path) -> None:
    rows = [["STT", "Tên sản phẩm", "Tên cơ sở", "Nhóm", "Địa chỉ"],
            [1, "Sản phẩm A", "Cơ sở A", "1", "Xã A"],
            ["Ghi chú: bổ sung sau"],
            [2, "Sản phẩm B", "Cơ sở B", "2", "Xã B"]]
    report = run(session, write_table_csv(tmp_path / "f.csv", rows), ROUND_2023)
    assert report.ok, [str(p) for p in report.problems]
    assert set(groups(session)) == {"Sản phẩm A", "Sản phẩm B"}
    assert report.notes == ["Bỏ qua phần ghi chú và chữ ký dưới bảng (dòng 3)."]


BAC_GIANG_2023 = ImportDefaults(level=Level.tinh, province=resolve_province("Bắc Giang"),
                                decision_number="123/QĐ-UBND", decision_date=date(2023, 12, 15))


def _annex_docx(path: Path) -> Path:
    """A Word annex: a heading paragraph, the table (a title merged across it, STT, a group
    sub-header row merged across it), then the signature paragraphs outside the table."""
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG")
    rows = [("STT", "Tên sản phẩm", "Tên cơ sở / chủ cơ sở", "Ngày cấp"),
            ("1", "Nón lá làng Chuông", "Cơ sở Nguyễn Thị Hường", "15/12/2023"),
            ("2", "Mây tre đan Phú Vinh", "HTX Mây tre đan Phú Vinh", "Năm 2023")]
    table = document.add_table(rows=len(rows) + 2, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3)).text = "DANH SÁCH SẢN PHẨM CNNT TIÊU BIỂU CẤP TỈNH NĂM 2023"
    for column, text in enumerate(rows[0]):
        table.cell(1, column).text = text
    table.cell(2, 0).merge(table.cell(2, 3)).text = "I. Nhóm thủ công mỹ nghệ"
    for number, values in enumerate(rows[1:], start=3):
        for column, text in enumerate(values):
            table.cell(number, column).text = text
    document.add_paragraph("KT. GIÁM ĐỐC")
    document.save(str(path))
    return path


@pytest.mark.parametrize("kind", ["xls", "ods", "docx"])
def test_legacy_excel_opendocument_and_word_annexes_import_as_they_are(session: Session, tmp_path: Path,
                                                                       kind: str) -> None:
    """The annex as an .xls (Excel 97–2003), an .ods or a table in a Word file: no reshaping, the
    round's level, province and decision date filling the columns the annex does not have."""
    writers = {"xls": annex_files.write_xls, "ods": annex_files.write_ods, "docx": _annex_docx}
    path = writers[kind](tmp_path / f"phu-luc.{kind}")
    report = run(session, path, BAC_GIANG_2023)
    assert report.ok, [str(p) for p in report.problems]
    names = {"Nón lá làng Chuông", "Mây tre đan Phú Vinh"}
    assert set(groups(session)) == names and set(groups(session).values()) == {"thu_cong_my_nghe"}
    certs = session.exec(select(Certificate)).all()
    assert {(c.level, c.issued_on) for c in certs} == {("tinh", date(2023, 12, 15))}
    bac_ninh = session.exec(select(Province).where(Province.slug == "bac-ninh")).one()  # Bắc Giang joined it
    assert {p.province_id for p in session.exec(select(Product)).all()} == {bac_ninh.id}
    assert report.notes and report.notes[0].startswith("Bỏ qua")
    assert run(session, path, BAC_GIANG_2023).counts.products.created == 0
