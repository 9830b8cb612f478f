"""Calls for entries: the regulation's defaults, the office's edited lists, the stage on a Vietnam day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from app.domain.calls import (
    CallStage,
    Criterion,
    DocumentItem,
    accepts_entries,
    call_stage,
    criteria_from_json,
    criteria_json,
    criteria_text,
    default_criteria,
    default_documents,
    documents_from_json,
    documents_json,
    documents_text,
    item_key,
    parse_criteria,
    parse_documents,
)
from app.domain.levels import Level


@dataclass(frozen=True)
class Dates:
    """A call's dates, as a `RoundCall` row has them."""

    opens_on: date
    closes_on: date


CALL = Dates(opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 31))


def test_default_criteria_are_the_100_point_scale() -> None:
    criteria = default_criteria()
    assert [(c.key, c.points) for c in criteria] == [("thi_truong", 40), ("kinh_te_ky_thuat", 40),
                                                     ("van_hoa_tham_my", 10), ("khac", 10)]
    assert sum(c.points for c in criteria) == 100 and all(c.parent is None for c in criteria)
    assert parse_criteria(criteria_text(criteria), criteria) == (criteria, [])


@pytest.mark.parametrize("level", [Level.huyen, Level.xa, Level.tinh])
def test_local_and_provincial_checklists_ask_no_lower_certificate(level: Level) -> None:
    keys = [item.key for item in default_documents(level)]
    assert keys == ["phieu_dang_ky", "mo_ta_san_pham", "dang_ky_kinh_doanh", "chat_luong_attp", "nhan_hieu",
                    "hinh_anh"]
    optional = {item.key for item in default_documents(level) if not item.required}
    assert optional == {"chat_luong_attp", "nhan_hieu"}


@pytest.mark.parametrize(("level", "below"), [(Level.khu_vuc, "cấp tỉnh"), (Level.quoc_gia, "cấp khu vực")])
def test_higher_rounds_ask_the_still_valid_certificate_of_the_level_below(level: Level, below: str) -> None:
    last = default_documents(level)[-1]
    assert last.key == "chung_nhan_cap_duoi" and last.required
    assert below in last.label and "còn hiệu lực" in last.label


def test_documents_parsed_with_marks_and_keys_kept() -> None:
    defaults = default_documents(Level.tinh)
    added = "\nBản sao hợp đồng tiêu thụ | nếu có\n\n  Video giới thiệu   | bắt buộc "
    text = documents_text(defaults) + added
    items, problems = parse_documents(text, defaults)
    assert not problems
    assert items[:len(defaults)] == defaults  # the same labels keep their keys
    assert items[-2:] == [DocumentItem("ban_sao_hop_dong_tieu_thu", "Bản sao hợp đồng tiêu thụ",
                                       required=False),
                          DocumentItem("video_gioi_thieu", "Video giới thiệu", required=True)]
    assert documents_from_json(documents_json(items)) == items


def test_documents_errors_name_the_line() -> None:
    items, problems = parse_documents("Phiếu đăng ký\n| bắt buộc\nẢnh | có lẽ\n" + "x" * 301)
    assert problems == ["Dòng 2: thiếu tên mục.", "Dòng 3: sau dấu | ghi “bắt buộc” hoặc “nếu có”.",
                        "Dòng 4: tên mục dài quá 300 ký tự."]
    assert parse_documents(" \n ") == ([], ["Cần ít nhất một loại giấy tờ trong hồ sơ."])


def test_same_label_twice_gets_two_keys_and_controls_are_dropped() -> None:
    items, problems = parse_documents("Ảnh sản\x00 phẩm\nẢnh sản phẩm | nếu có")
    assert not problems
    assert [(i.key, i.label) for i in items] == [("anh_san_pham", "Ảnh sản phẩm"),
                                                 ("anh_san_pham_2", "Ảnh sản phẩm")]
    assert item_key("Đơn đăng ký!") == "don_dang_ky" and item_key("—") == "muc"


def test_sub_criteria_belong_to_the_main_one_above_and_total_its_points() -> None:
    text = ("Thị trường | 40\n- Khả năng tiêu thụ | 25\n- Quy mô sản xuất | 15\n"
            "Kỹ thuật | 40\nVăn hóa | 10\nKhác | 10")
    items, problems = parse_criteria(text)
    assert not problems
    assert [(c.key, c.points, c.parent) for c in items[:3]] == [
        ("thi_truong", 40, None), ("kha_nang_tieu_thu", 25, "thi_truong"),
        ("quy_mo_san_xuat", 15, "thi_truong")]
    assert criteria_from_json(criteria_json(items)) == items
    assert parse_criteria(criteria_text(items), items) == (items, [])


def test_sub_criteria_that_do_not_total_their_main_one_are_refused() -> None:
    _, problems = parse_criteria("Thị trường | 40\n- Tiêu thụ | 25\n- Quy mô | 10\nKỹ thuật | 60")
    assert problems == ["Các tiêu chí con của “Thị trường” cộng lại 35 điểm, phải bằng 40."]


def test_main_criteria_must_total_100() -> None:
    _, problems = parse_criteria("Thị trường | 40\nKỹ thuật | 40,5\nVăn hóa | 10")
    assert problems == ["Tổng điểm các tiêu chí chính là 90,5, phải bằng 100."]


def test_criteria_errors_name_the_line() -> None:
    text = "- Tiêu thụ | 10\nThị trường\nKỹ thuật | bốn mươi\nVăn hóa | 0\nKhác | 101"
    items, problems = parse_criteria(text)
    assert problems == [
        "Dòng 1: tiêu chí con (bắt đầu bằng “-”) phải đứng sau một tiêu chí chính.",
        "Dòng 2: ghi số điểm sau dấu |, ví dụ “Thị trường | 10”.",
        "Dòng 3: số điểm “bốn mươi” không phải là số.",
        "Dòng 4: số điểm phải lớn hơn 0 và không quá 100.",
        "Dòng 5: số điểm phải lớn hơn 0 và không quá 100.",
    ]
    assert parse_criteria("") == ([], ["Cần ít nhất một tiêu chí chấm điểm."])


def test_too_many_lines_refused() -> None:
    assert parse_documents("a\n" * 41)[1] == ["Tối đa 40 dòng."]
    assert parse_criteria("a | 1\n" * 41)[1] == ["Tối đa 40 dòng."]


def test_decimal_points_kept_as_typed() -> None:
    items, problems = parse_criteria("A | 62,5\nB | 37.5")
    assert not problems and [c.points for c in items] == [62.5, 37.5]
    assert criteria_text(items) == "A | 62,5\nB | 37,5"
    assert isinstance(items[0], Criterion)


@pytest.mark.parametrize(("day", "stage"), [
    (date(2026, 11, 30), CallStage.upcoming),  # the day before opening
    (date(2026, 12, 1), CallStage.receiving),  # the opening day
    (date(2026, 12, 31), CallStage.receiving),  # the closing day, all of it
    (date(2027, 1, 1), CallStage.scoring),  # the day after closing
    (date(2027, 6, 1), CallStage.scoring),  # past the planned results day, results not out: still scoring
])
def test_stage_on_each_side_of_each_date(day: date, stage: CallStage) -> None:
    assert call_stage(CALL, results_published=False, on=day) is stage


@pytest.mark.parametrize("day", [date(2026, 11, 1), date(2026, 12, 15), date(2027, 2, 1)])
def test_published_results_win_over_the_dates(day: date) -> None:
    assert call_stage(CALL, results_published=True, on=day) is CallStage.published


def test_stage_labels_in_words() -> None:
    assert [s.label for s in CallStage] == ["Sắp mở nhận hồ sơ", "Đang nhận hồ sơ", "Đang chấm", "Đã công bố"]


def test_entries_taken_until_the_end_of_the_closing_day_in_vietnam() -> None:
    """Vietnam is UTC+7: 23:59 there on 31/12 is 16:59 UTC; 00:01 on 01/01 is 17:01 UTC on 31/12."""
    assert accepts_entries(CALL, datetime(2026, 12, 31, 16, 59, tzinfo=UTC))  # 23:59 on the closing day
    assert not accepts_entries(CALL, datetime(2026, 12, 31, 17, 1, tzinfo=UTC))  # 00:01 the day after
    assert not accepts_entries(CALL, datetime(2026, 11, 30, 16, 59, tzinfo=UTC))  # 23:59, day before opening
    assert accepts_entries(CALL, datetime(2026, 11, 30, 17, 1, tzinfo=UTC))  # 00:01 on the opening day


def test_entries_need_an_aware_clock() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        accepts_entries(CALL, datetime(2026, 12, 15, 12, 0))  # noqa: DTZ001 - the point of the test
