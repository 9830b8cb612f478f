"""Reading a buyer's list: pasted lines and tables, files, the column found or asked for, limits."""

from __future__ import annotations

import pytest

from app.errors import InvalidInput
from app.services.verification.bulk_input import (
    Columns,
    bulk_items,
    detect_columns,
    header_kind,
    table_from_json,
    table_from_text,
    table_from_upload,
    table_json,
)


@pytest.mark.parametrize(("header", "kind"), [
    ("Mã xác thực", "code"), ("MÃ TRA CỨU (8 ký tự)", "code"), ("Code", "code"), ("Số GCN", "number"),
    ("Số giấy chứng nhận", "number"), ("Certificate number", "number"), ("Tên sản phẩm", "product"),
    ("Product", "product"), ("Cơ sở", "producer"), ("Nhà cung cấp", "producer"), ("Supplier", "producer"),
    ("Mã số thuế", None), ("Ghi chú", None), ("", None), ("Cơ sở Nước mắm Cát Hải", None),
    ("Sản phẩm từ dừa", None), ("Tên sản phẩm (bộ sản phẩm)", "product"),
])
def test_header_words(header: str, kind: str | None) -> None:
    assert header_kind(header) == kind


def test_plain_lines_skip_blanks_and_keep_line_numbers() -> None:
    table = table_from_text("K7QM-4XRT\r\n\n  Nón lá  \n")
    assert table.header == ()
    assert [(r.number, r.cells) for r in table.rows] == [(1, ("K7QM-4XRT",)), (3, ("Nón lá",))]
    assert detect_columns(table) == Columns(lookup=0)


def test_excel_paste_with_header_finds_code_and_producer_columns() -> None:
    table = table_from_text("STT\tNhà cung cấp\tMã xác thực\n1\tHTX A\tK7QM-4XRT\n")
    assert detect_columns(table) == Columns(lookup=2, producer=1)
    items = bulk_items(table, detect_columns(table))
    assert [(i.text, i.producer) for i in items] == [("K7QM-4XRT", "HTX A")]


def test_a_first_row_of_data_is_not_taken_for_a_header() -> None:
    for first in ("Cơ sở Hải Hà\tK7QM-4XRT", "Mã\tK7QM-4XRT", "Sản phẩm từ dừa\tCơ sở Bến Tre"):
        table = table_from_text(f"{first}\nHTX B\tABCD-EFGH\n")
        assert table.header == () and len(table.rows) == 2, first


def test_content_decides_without_header_and_asks_when_unclear() -> None:
    codes = table_from_text("HTX A\tK7QM-4XRT\nHTX B\tABCD-EFGH\nHTX C\tkhông có\n")
    assert detect_columns(codes).lookup == 1
    unclear = table_from_text("HTX A\tNón lá\nHTX B\tChè\n")
    assert detect_columns(unclear).lookup is None
    assert detect_columns(unclear, "1").lookup == 1 and detect_columns(unclear, "9").lookup is None
    with pytest.raises(InvalidInput) as caught:
        bulk_items(unclear, detect_columns(unclear))
    assert caught.value.field == "cot"


def test_json_round_trip_and_tampering() -> None:
    table = table_from_text("Mã\tGhi chú\nK7QM-4XRT\t=1+1\n")
    assert table_from_json(table_json(table)) == table
    for bad in ("", "{", '{"s":"","h":[],"r":[[1,[2]]]}', '{"s":"","h":[],"r":[]}', "[]"):
        with pytest.raises(InvalidInput):
            table_from_json(bad)


def test_limits_name_the_count() -> None:
    with pytest.raises(InvalidInput) as caught:
        table_from_text("\n".join(["x"] * 5001))
    assert "5.001" in caught.value.message and "5.000" in caught.value.message
    assert len(table_from_text("\n".join(["x"] * 5000)).rows) == 5000


def test_uploads_read_csv_and_refuse_others_naming_the_file() -> None:
    table = table_from_upload("ds.csv", "Ghi chú;Mã tra cứu\nx;K7QM-4XRT\n".encode("utf-8-sig"))
    assert table.header == ("Ghi chú", "Mã tra cứu") and detect_columns(table).lookup == 1
    bad = (("ds.txt", b"x"), ("ds.xlsx", b"PK\x03\x04junk"), ("ds.csv", b""), ("ds.ods", b"junk"))
    for name, data in bad:
        with pytest.raises(InvalidInput) as caught:
            table_from_upload(name, data)
        assert name in caught.value.message and caught.value.field == "tep"
