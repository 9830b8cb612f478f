"""The application forms: the producer's fields and self-assessment, the office's return note.

Messages name their field and are translated inside the request (Vietnamese msgids until then). A
self-assessed score is optional while the application is a draft (submitting asks for every one)
and, when given, lies between 0 and its criterion's points; a comma or a point for decimals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from app.domain.calls import Criterion, points_text
from app.domain.groups import ProductGroup
from app.domain.messages import N_
from app.forms.text import multi_line, one_line
from app.i18n import gettext

MAX_PRODUCT_NAME = 300  # Application.product_name
MAX_DESCRIPTION = 5000
MAX_NOTE = 2000  # Application.note
SCORE_PREFIX = "diem-"
TEXT_FIELDS = ("product_name", "group", "description")


class ApplicationForm(BaseModel):
    """What the producer typed, cleaned: product, group (a code or empty), description, scores by key."""

    model_config = ConfigDict(frozen=True)

    product_name: str = ""
    group: str = ""
    description: str = ""
    scores: dict[str, float] = Field(default_factory=dict)


def score_field(criterion: Criterion) -> str:
    """The form field of a criterion's self-assessed score."""
    return f"{SCORE_PREFIX}{criterion.key}"


def application_fields(criteria: Sequence[Criterion]) -> tuple[str, ...]:
    """Every field the form posts for a call with these criteria."""
    return (*TEXT_FIELDS, *(score_field(c) for c in criteria))


def _length(value: str, label: str, limit: int) -> str | None:
    """Why a text is too long, naming its field; None when it fits."""
    if len(value) <= limit:
        return None
    return gettext(N_("%(field)s dài tối đa %(max)s ký tự (đang có %(count)s).")) % {
        "field": gettext(label), "max": limit, "count": len(value)}


def _score(text: str, criterion: Criterion) -> float | str | None:
    """The points typed for `criterion` (None: left empty), or why they are refused."""
    text = one_line(text)
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= criterion.points:
        return gettext(N_("Điểm tự chấm “%(label)s” phải là số từ 0 đến %(max)s.")) % {
            "label": criterion.label, "max": points_text(criterion.points)}
    return value


def parse_application_form(values: Mapping[str, str],
                           criteria: Sequence[Criterion]) -> tuple[ApplicationForm | None, dict[str, str]]:
    """The cleaned form, or None and one message per field (in the page's language)."""
    errors: dict[str, str] = {}
    name = one_line(values.get("product_name", ""))
    description = multi_line(values.get("description", ""))
    group = one_line(values.get("group", ""))
    for field, value, label, limit in (("product_name", name, N_("Tên sản phẩm"), MAX_PRODUCT_NAME),
                                       ("description", description, N_("Mô tả sản phẩm"), MAX_DESCRIPTION)):
        if problem := _length(value, label, limit):
            errors[field] = problem
    if group and group not in {g.value for g in ProductGroup}:
        errors["group"] = gettext(N_("Vui lòng chọn nhóm sản phẩm trong danh sách."))
    scores: dict[str, float] = {}
    for criterion in criteria:
        score = _score(values.get(score_field(criterion), ""), criterion)
        if isinstance(score, str):
            errors[score_field(criterion)] = score
        elif score is not None:
            scores[criterion.key] = score
    if errors:
        return None, errors
    return ApplicationForm(product_name=name, group=group, description=description, scores=scores), {}


def decision_note(value: str) -> tuple[str, str | None]:
    """The office's note on a decision, cleaned, and why it is refused (too long); the service asks for one
    when it returns the application."""
    note = multi_line(value)
    if len(note) > MAX_NOTE:
        return note, f"Ghi chú dài tối đa {MAX_NOTE} ký tự (đang có {len(note)})."
    return note, None
