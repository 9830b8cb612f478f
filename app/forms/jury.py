"""The jury's forms: a juror's points and comment per criterion, a conflict's note, the council's decision.

Every scored criterion needs its points (0 to the criterion's points, one decimal at most, a comma or
a point); a comment is optional. Messages name the criterion. Fields for any other key are not read,
so a forged criterion never reaches the stored review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from app.domain.calls import Criterion, points_text
from app.domain.jury import Decision
from app.domain.parsing import ParseError, parse_date
from app.forms.text import multi_line, one_line

MAX_COMMENT = 1000  # per criterion
MAX_CONFLICT_NOTE = 1000  # JurorReview.conflict_note
POINTS_PREFIX = "diem-"
COMMENT_PREFIX = "nhan-xet-"
_NUMBER = re.compile(r"\d{1,3}([.,]\d)?")


class ReviewForm(BaseModel):
    """A juror's scores and comments, cleaned: criterion key → points, criterion key → text (non-empty)."""

    model_config = ConfigDict(frozen=True)

    scores: dict[str, float]
    comments: dict[str, str]


def points_field(criterion: Criterion) -> str:
    """The form field of a criterion's points."""
    return f"{POINTS_PREFIX}{criterion.key}"


def comment_field(criterion: Criterion) -> str:
    """The form field of a criterion's comment."""
    return f"{COMMENT_PREFIX}{criterion.key}"


def _points(text: str, criterion: Criterion) -> float | str:
    """The points typed for `criterion`, or why they are refused (naming the criterion)."""
    text = one_line(text)
    if not text:
        return f"Vui lòng cho điểm tiêu chí “{criterion.label}”."
    value = float(text.replace(",", ".")) if _NUMBER.fullmatch(text) else math.nan
    if math.isnan(value) or not 0 <= value <= criterion.points:
        return (f"Điểm tiêu chí “{criterion.label}” phải là số từ 0 đến {points_text(criterion.points)}, "
                "lẻ tối đa một chữ số thập phân.")
    return value


def parse_review_form(values: Mapping[str, str],
                      criteria: Sequence[Criterion]) -> tuple[ReviewForm | None, dict[str, str]]:
    """The cleaned review, or None and one message per field."""
    errors: dict[str, str] = {}
    scores: dict[str, float] = {}
    comments: dict[str, str] = {}
    for criterion in criteria:
        points = _points(values.get(points_field(criterion), ""), criterion)
        if isinstance(points, str):
            errors[points_field(criterion)] = points
        else:
            scores[criterion.key] = points
        comment = multi_line(values.get(comment_field(criterion), ""))
        if len(comment) > MAX_COMMENT:
            errors[comment_field(criterion)] = (f"Nhận xét tiêu chí “{criterion.label}” dài tối đa "
                                                f"{MAX_COMMENT} ký tự (đang có {len(comment)}).")
        elif comment:
            comments[criterion.key] = comment
    if errors:
        return None, errors
    return ReviewForm(scores=scores, comments=comments), {}


def conflict_note(value: str) -> tuple[str, str | None]:
    """The note of a declared conflict, cleaned, and why it is refused (empty or too long)."""
    note = multi_line(value)
    if not note:
        return note, "Vui lòng ghi ngắn gọn lý do xung đột lợi ích (ví dụ: quan hệ gia đình với chủ cơ sở)."
    if len(note) > MAX_CONFLICT_NOTE:
        return note, f"Lý do dài tối đa {MAX_CONFLICT_NOTE} ký tự (đang có {len(note)})."
    return note, None


MAX_DECISION_NUMBER = 100  # SelectionRound.decision_number
DECISION_PREFIX = "quyet-dinh-"


class DecisionForm(BaseModel):
    """The council's decision: its number and date, and selected / not selected per application id."""

    model_config = ConfigDict(frozen=True)

    number: str
    day: date
    choices: dict[int, Decision]


def decision_field(application_id: int) -> str:
    """The form field of one application's decision."""
    return f"{DECISION_PREFIX}{application_id}"


def _decision_day(text: str) -> date | str:
    """The decision's date typed dd/mm/yyyy (or ISO, from a date picker), or why it is refused."""
    if not text:
        return "Vui lòng nhập ngày quyết định (dd/mm/yyyy)."
    try:
        return parse_date(text)
    except ParseError:
        return "Ngày quyết định cần theo dạng dd/mm/yyyy."


def parse_decision_form(values: Mapping[str, str],
                        application_ids: Sequence[int]) -> tuple[DecisionForm | None, dict[str, str]]:
    """The cleaned decision, or None and one message per field. Only the round's applications are read."""
    errors: dict[str, str] = {}
    number = one_line(values.get("decision_number", ""))
    if not number:
        errors["decision_number"] = "Vui lòng nhập số quyết định của hội đồng."
    elif len(number) > MAX_DECISION_NUMBER:
        errors["decision_number"] = f"Số quyết định dài tối đa {MAX_DECISION_NUMBER} ký tự."
    day = _decision_day(one_line(values.get("decision_date", "")))
    if isinstance(day, str):
        errors["decision_date"] = day
    choices: dict[int, Decision] = {}
    for application_id in application_ids:
        try:
            choices[application_id] = Decision(values.get(decision_field(application_id), ""))
        except ValueError:
            errors[decision_field(application_id)] = "Vui lòng chọn được công nhận hoặc không được chọn."
    if errors or isinstance(day, str):
        return None, errors
    return DecisionForm(number=number, day=day, choices=choices), {}
