"""The juror's forms: points and a comment per criterion, and the note of a declared conflict.

Every scored criterion needs its points (0 to the criterion's points, one decimal at most, a comma or
a point); a comment is optional. Messages name the criterion. Fields for any other key are not read,
so a forged criterion never reaches the stored review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from app.domain.calls import Criterion, points_text
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
            errors[comment_field(criterion)] = (f"Nhận xét tiêu chí “{criterion.label}” dài tối đa {MAX_COMMENT} "
                                                f"ký tự (đang có {len(comment)}).")
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
