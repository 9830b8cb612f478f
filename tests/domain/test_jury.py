"""Jury scoring rules with known numbers: totals, averages per criterion, conflicts left out, ranking."""

from __future__ import annotations

from app.domain.calls import Criterion, default_criteria
from app.domain.jury import CONFLICT, Marks, ranked, review_total, scored_criteria, standing
from app.domain.text import vietnamese_sort_key
from app.forms.jury import parse_decision_form, parse_review_form

CRITERIA = default_criteria()  # 40 + 40 + 10 + 10
KEYS = [c.key for c in CRITERIA]


def _marks(juror: int, *points: float, conflict: bool = False) -> Marks:
    scores = dict(zip(KEYS, points, strict=True)) if points else {}
    return Marks(juror_id=juror, conflict=conflict, scores=scores)


def test_a_main_criterion_with_sub_criteria_is_not_scored_itself() -> None:
    criteria = [Criterion("a", "A", 60), Criterion("a1", "A1", 30, "a"), Criterion("a2", "A2", 30, "a"),
                Criterion("b", "B", 40)]
    assert [c.key for c in scored_criteria(criteria)] == ["a1", "a2", "b"]
    assert review_total({"a1": 20, "a2": 25.5, "b": 30}, criteria) == 75.5
    assert review_total({"a1": 20, "b": 30}, criteria) is None  # incomplete


def test_averages_leave_out_conflicts_and_missing_reviews() -> None:
    marks = [_marks(1, 30, 30, 8, 7), _marks(2, 35, 32.5, 9, 6), _marks(3, conflict=True)]
    result = standing(10, "Nước mắm Nam Ô", marks, [1, 2, 3, 4], CRITERIA)
    assert result.totals == {1: 75, 2: 82.5, 3: CONFLICT, 4: None}
    assert result.average == 78.75
    assert result.criterion_averages == {"thi_truong": 32.5, "kinh_te_ky_thuat": 31.25,
                                         "van_hoa_tham_my": 8.5, "khac": 6.5}
    assert result.counted == 2


def test_ranking_by_average_then_vietnamese_name() -> None:
    jurors = [1]
    items = [standing(1, "Đường phèn", [_marks(1, 30, 30, 5, 5)], jurors, CRITERIA),
             standing(2, "Bánh tráng", [_marks(1, 35, 35, 10, 10)], jurors, CRITERIA),
             standing(3, "Dương xỉ", [_marks(1, 30, 30, 5, 5)], jurors, CRITERIA),
             standing(4, "Chè Tân Cương", [], jurors, CRITERIA)]
    order = ranked(items)
    assert [(s.name, s.rank) for s in order] == [("Bánh tráng", 1), ("Dương xỉ", 2), ("Đường phèn", 2),
                                                 ("Chè Tân Cương", None)]


def _form(**points: str) -> dict[str, str]:
    return {f"diem-{key}": value for key, value in points.items()}


def test_score_form_refuses_and_names_the_criterion() -> None:
    good = _form(thi_truong="40", kinh_te_ky_thuat="12,5", van_hoa_tham_my="0", khac="9.5")
    form, errors = parse_review_form({**good, "diem-bia_dat": "99", "nhan-xet-khac": "Tốt"}, CRITERIA)
    assert errors == {}
    assert form is not None
    assert form.scores == {"thi_truong": 40, "kinh_te_ky_thuat": 12.5, "van_hoa_tham_my": 0, "khac": 9.5}
    assert form.comments == {"khac": "Tốt"}
    for bad in ("40.1", "-1", "12,25", "mười", "1e1"):
        form, errors = parse_review_form({**good, "diem-thi_truong": bad}, CRITERIA)
        assert form is None
        assert "Nhóm tiêu chí về thị trường" in errors["diem-thi_truong"], bad
    form, errors = parse_review_form({k: v for k, v in good.items() if k != "diem-khac"}, CRITERIA)
    assert form is None and "Nhóm tiêu chí khác" in errors["diem-khac"]
    form, errors = parse_review_form({**good, "nhan-xet-khac": "x" * 1001}, CRITERIA)
    assert form is None and "1000" in errors["nhan-xet-khac"]


def test_decision_form_needs_number_date_and_each_choice() -> None:
    form, errors = parse_decision_form({"quyet-dinh-7": "selected", "quyet-dinh-99": "selected"}, [7, 8])
    assert form is None
    assert set(errors) == {"decision_number", "decision_date", "quyet-dinh-8"}
    posted = {"decision_number": "12/QĐ-SCT", "decision_date": "31/02/2026", "quyet-dinh-7": "selected"}
    assert "decision_date" in parse_decision_form(posted, [7])[1]
    form, errors = parse_decision_form({**posted, "decision_date": "05/12/2026"}, [7])
    assert errors == {} and form is not None
    assert form.day.isoformat() == "2026-12-05" and form.choices[7] == "selected"


def test_vietnamese_order_puts_each_letter_after_its_base_and_tones_after_letters() -> None:
    names = ["Đường phèn", "Dương xỉ", "Ăn liền", "Bánh", "Banh", "Bành", "An toàn", "Ấm chén"]
    assert sorted(names, key=vietnamese_sort_key) == ["An toàn", "Ăn liền", "Ấm chén", "Banh", "Bành", "Bánh",
                                                      "Dương xỉ", "Đường phèn"]
