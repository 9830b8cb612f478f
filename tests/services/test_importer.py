"""The winners-spreadsheet importer on real files and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cli import run_import
from app.config import Settings
from app.models import Certificate, OutboxEvent, Producer, Product, ProductImage, Province, SelectionRound
from app.services.imports.importer import ImportReport, import_file
from tests.services.sheets import HEADERS, jpeg_bytes, media_files, row, write_csv, write_xlsx

TABLES = (Producer, Product, Certificate, SelectionRound, ProductImage, OutboxEvent)


def snapshot(session: Session) -> dict[str, int]:
    """Row counts of every table the importer writes."""
    return {model.__name__: len(session.exec(select(model)).all()) for model in TABLES}


def run(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Import `path` with media beside it, committing like the CLI when it succeeded."""
    report = import_file(session=session, path=path, media_dir=path.parent / "media", dry_run=dry_run)
    if report.ok and not dry_run:
        session.commit()
    else:
        session.rollback()
    return report


def problems_of(report: ImportReport) -> list[tuple[int | None, str | None]]:
    """(row, column) of each problem."""
    return [(p.row, p.column) for p in report.problems]


def test_csv_import_creates_everything(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "w.csv", [row(), row(product_name="Bánh đa Kế", level="huyện",
                                                     issued_on="2024-06-30", certificate_number=None)],
                     delimiter=";", bom=True)
    report = run(session, path)
    assert report.ok, report.problems
    assert report.counts.products.created == 2 and report.counts.certificates.created == 2
    assert report.counts.producers.created == 1
    cert = session.exec(select(Certificate).where(Certificate.number == "12/GCN-SCT")).one()
    assert cert.number_key == "12GCNSCT" and cert.score == 85.5
    assert cert.valid_until == date(2026, 12, 31) and len(cert.code) == 8
    producer = session.exec(select(Producer)).one()
    assert producer.legal_form == "htx" and producer.website == "https://vi-du.example"
    assert len(session.exec(select(OutboxEvent)).all()) == 2


def test_former_province_kept_on_certificate_current_on_product(session: Session, tmp_path: Path) -> None:
    report = run(session, write_csv(tmp_path / "w.csv", [row(province="Bac Giang")]))
    assert report.ok
    product = session.exec(select(Product)).one()
    cert = session.exec(select(Certificate)).one()
    assert session.get(Province, product.province_id).slug == "bac-ninh"  # type: ignore[union-attr]
    assert session.get(Province, cert.province_id).slug == "bac-giang"  # type: ignore[union-attr]
    selection_round = session.get(SelectionRound, cert.round_id)
    assert selection_round is not None and selection_round.province_id == cert.province_id


def test_xlsx_import_with_date_cells_and_vietnamese_headers(session: Session, tmp_path: Path) -> None:
    headers = ("Số GCN", "Cấp", "Ngày cấp", "Khu vực", "Tỉnh/Thành phố", "Tên sản phẩm", "Nhóm sản phẩm",
               "Tên cơ sở", "Điểm")
    keys = ("certificate_number", "level", "issued_on", "region", "province", "product_name", "product_group",
            "producer_name", "score")
    values = [(12, "Cấp khu vực", datetime(2022, 10, 5), "phía Nam", "Tiền Giang", "Lạp xưởng", 2,
               "Cơ sở Chín Trọng", 90), (None, "quoc_gia", 45261, None, "TP. Hồ Chí Minh", "Bánh pía", 2,
                                         "Cơ sở B", None)]
    rows = [dict(zip(headers, v, strict=True)) for v in values]
    report = run(session, write_xlsx(tmp_path / "w.xlsx", rows, headers=headers))
    assert report.ok, report.problems
    assert keys  # headers are aliases of these columns
    certs = {c.level: c for c in session.exec(select(Certificate)).all()}
    assert certs["khu_vuc"].issued_on == date(2022, 10, 5) and certs["khu_vuc"].number == "12"
    assert certs["quoc_gia"].issued_on == date(2023, 12, 1)
    regional = session.get(SelectionRound, certs["khu_vuc"].round_id)
    assert regional is not None and regional.region == "nam" and regional.province_id is None


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"level": "cấp thôn"}, "level"),
        ({"level": None}, "level"),
        ({"issued_on": "31/02/2023"}, "issued_on"),
        ({"issued_on": "31/12/2099", "province": "Bắc Ninh"}, "issued_on"),
        ({"level": "huyen", "issued_on": "01/07/2025", "province": "Bắc Ninh"}, "level"),
        ({"level": "xa", "issued_on": "30/06/2025"}, "level"),
        ({"level": "khu_vuc", "region": None}, "region"),
        ({"province": "Atlantis"}, "province"),
        ({"province": "Bắc Giang", "issued_on": "15/08/2025"}, "province"),
        ({"product_group": "9"}, "product_group"),
        ({"score": "101"}, "score"),
        ({"email": "not-an-email"}, "email"),
        ({"legal_form": "hội"}, "legal_form"),
        ({"product_name": "x" * 301}, "product_name"),
        ({"images": "/etc/passwd"}, "images"),
        ({"images": "../outside.jpg"}, "images"),
        ({"images": "missing.jpg"}, "images"),
    ],
)
def test_each_error_is_reported_by_row_and_column_and_nothing_changes(
    session: Session, tmp_path: Path, overrides: dict[str, object], column: str
) -> None:
    (tmp_path / "outside.jpg").write_bytes(jpeg_bytes())
    folder = tmp_path / "sheet"
    folder.mkdir()
    (folder / "ok.jpg").write_bytes(jpeg_bytes())
    path = write_csv(folder / "w.csv", [row(product_name="Sản phẩm tốt", images="ok.jpg"), row(**overrides)])
    before = snapshot(session)
    report = run(session, path)
    assert problems_of(report) == [(3, column)], [str(p) for p in report.problems]
    letter = "ABCDEFGHIJKLMNOPQR"[HEADERS.index(column)]  # the clerk's header and its letter, not a key alone
    assert str(report.problems[0]).startswith(f"Dòng 3, cột {letter} – {column}: ")
    assert snapshot(session) == before
    assert media_files(folder / "media") == []


def test_duplicate_rows_are_an_error(session: Session, tmp_path: Path) -> None:
    report = run(session, write_csv(tmp_path / "w.csv", [row(), row(product_name="mỳ chũ")]))
    assert problems_of(report) == [(3, "product_name")]
    assert "dòng 2" in report.problems[0].message
    assert snapshot(session)["Product"] == 0


def test_unknown_column_warns_and_missing_columns_say_how_to_fix(session: Session, tmp_path: Path) -> None:
    headers = ("Màu sắc", "Tên sản phẩm", "Tên cơ sở")
    path = write_csv(tmp_path / "w.csv", [{"Màu sắc": "đỏ", "Tên sản phẩm": "Mỳ", "Tên cơ sở": "HTX"}],
                     headers=headers)
    report = run(session, path)
    assert report.notes == ["Cột A – 'Màu sắc' không dùng, bỏ qua."]
    assert [str(p) for p in report.problems] == [
        "Thiếu cột Cấp: thêm cột này, hoặc dùng --level.",
        "Thiếu cột Ngày cấp: thêm cột này, hoặc dùng --issued-on hoặc --decision-date.",
        "Thiếu cột Tỉnh/thành phố: thêm cột này, hoặc dùng --province.",
        "Thiếu cột Nhóm sản phẩm: thêm cột này (xem mẫu danh sách).",
    ]
    assert all(p.row is None for p in report.problems) and snapshot(session)["Product"] == 0


def test_dry_run_changes_nothing(session: Session, tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes())
    before = snapshot(session)
    report = run(session, write_csv(tmp_path / "w.csv", [row(images="a.jpg")]), dry_run=True)
    assert report.ok and report.counts.products.created == 1 and report.counts.images_added == 1
    assert snapshot(session) == before
    assert media_files(tmp_path / "media") == []


def test_reimport_changes_nothing(session: Session, tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes())
    path = write_csv(tmp_path / "w.csv", [row(images="a.jpg"), row(level="quoc_gia", issued_on="2025-11-20",
                                                                   province="Bắc Ninh", images="a.jpg")])
    assert run(session, path).ok
    codes = sorted(session.exec(select(Certificate.code)).all())
    before = snapshot(session)
    report = run(session, path)
    assert report.ok and report.counts.products.unchanged == 1 and report.counts.certificates.unchanged == 2
    assert report.counts.products.updated == report.counts.certificates.updated == 0
    assert report.counts.images_added == 0
    assert snapshot(session) == before
    assert sorted(session.exec(select(Certificate.code)).all()) == codes


def test_changed_value_updates_and_adds_one_outbox_row(session: Session, tmp_path: Path) -> None:
    assert run(session, write_csv(tmp_path / "w.csv", [row()])).ok
    outbox_before = snapshot(session)["OutboxEvent"]
    report = run(session, write_csv(tmp_path / "w2.csv", [row(score="90", phone="0900 000 999")]))
    assert report.counts.certificates.updated == 1 and report.counts.producers.updated == 1
    assert snapshot(session)["OutboxEvent"] == outbox_before + 1


def test_slugs_are_unique(session: Session, tmp_path: Path) -> None:
    rows = [row(producer_name=f"Cơ sở Đông {n}", product_name="Đường phèn") for n in range(3)]
    assert run(session, write_csv(tmp_path / "w.csv", rows)).ok
    slugs = sorted(session.exec(select(Product.slug)).all())
    assert slugs == ["duong-phen", "duong-phen-2", "duong-phen-3"]


def test_images_are_stored_and_attached_once(session: Session, tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(jpeg_bytes((1600, 1200)))
    (tmp_path / "b.png").write_bytes(jpeg_bytes((300, 200), (10, 120, 10)))  # a JPEG named .png decodes
    report = run(session, write_csv(tmp_path / "w.csv", [row(images="photos/a.jpg; b.png|photos\\a.jpg")]))
    assert report.ok, report.problems
    images = session.exec(select(ProductImage).order_by(ProductImage.position)).all()  # type: ignore[arg-type]
    assert [(i.width, i.position) for i in images] == [(1600, 0), (300, 1)]
    assert len(media_files(tmp_path / "media")) == 18  # 2 photos × 3 widths × AVIF, WebP, JPEG


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"not a picture at all", "không phải ảnh"), (jpeg_bytes()[:400], "hỏng")],
)
def test_image_rejections_change_nothing(session: Session, tmp_path: Path, content: bytes,
                                         expected: str) -> None:
    (tmp_path / "good.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "bad.jpg").write_bytes(content)
    path = write_csv(tmp_path / "w.csv", [row(product_name="Tốt", images="good.jpg"), row(images="bad.jpg")])
    before = snapshot(session)
    report = run(session, path)
    assert problems_of(report) == [(3, "images")]
    assert expected in report.problems[0].message and "bad.jpg" in report.problems[0].message
    assert snapshot(session) == before
    assert media_files(tmp_path / "media") == []


def test_spreadsheet_errors_become_problems(session: Session, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    report = run(session, broken)
    assert len(report.problems) == 1 and "Excel" in report.problems[0].message


def test_image_column_rotated_jpeg_with_gps_gives_upright_clean_variants(session: Session,
                                                                         tmp_path: Path) -> None:
    from PIL import Image

    from tests.test_images import jpeg_with_exif

    (tmp_path / "xoay.jpg").write_bytes(jpeg_with_exif((1600, 1200), orientation=6))
    assert run(session, write_csv(tmp_path / "w.csv", [row(images="xoay.jpg")])).ok
    image = session.exec(select(ProductImage)).one()
    assert (image.width, image.height) == (1200, 1600)
    for path in media_files(tmp_path / "media"):
        variant = Image.open(path)
        assert variant.height > variant.width and not variant.getexif()
        assert b"Exif" not in path.read_bytes()


def test_decompression_bomb_in_image_column_changes_nothing(session: Session, tmp_path: Path) -> None:
    from tests.test_images import bomb_png

    (tmp_path / "ok.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "bom.png").write_bytes(bomb_png(100_000, 100_000))
    path = write_csv(tmp_path / "w.csv", [row(product_name="Tốt", images="ok.jpg"), row(images="bom.png")])
    report = run(session, path)
    assert problems_of(report) == [(3, "images")] and "bom.png" in report.problems[0].message
    assert snapshot(session)["Product"] == 0 and media_files(tmp_path / "media") == []


def test_run_import_prints_problems_and_exits_1_then_imports_and_indexes(settings: Settings, engine: Engine,
                                                                         tmp_path: Path) -> None:
    said: list[str] = []
    bad = write_csv(tmp_path / "bad.csv", [row(), row(product_name="Khác", level="xa")])
    assert run_import(settings, bad, dry_run=False, echo=said.append) == 1
    assert said[0].startswith("Dòng 3, cột B – level: ")
    good = write_csv(tmp_path / "good.csv", [row()])
    assert run_import(settings, good, dry_run=True, echo=said.append) == 0
    with Session(engine) as session:
        assert snapshot(session)["Product"] == 0
    assert run_import(settings, good, dry_run=False, echo=said.append) == 0
    assert said[-1].startswith("Đã nhập 1 dòng")
    with Session(engine) as session:
        assert snapshot(session)["Product"] == 1 and snapshot(session)["OutboxEvent"] == 0  # indexed


def test_same_product_in_two_groups_is_an_error(session: Session, tmp_path: Path) -> None:
    rows = [row(), row(level="quoc_gia", issued_on="2025-11-20", province="Bắc Ninh", product_group="1")]
    report = run(session, write_csv(tmp_path / "w.csv", rows))
    assert problems_of(report) == [(3, "product_group")]
