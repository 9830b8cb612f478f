"""Calls for entries of a selection round: the regulation's defaults, the office's edits, the public stage.

A call lists the documents an applicant attaches (`DocumentItem`: its key is what an attachment
will name) and the criteria jurors score (`Criterion`: its key is what a score will name; a
sub-criterion names its parent). The office edits both as text, one item per line (see
`parse_documents` and `parse_criteria` for the format and why). The stage the public sees
follows from the dates, on a calendar day in Vietnam, and from whether the round's results are
out; it is never stored.

The default checklist adds the still-valid certificate of the level below for regional and
national rounds. For commune/district and provincial rounds it adds none: the regulation's data
this project holds (`shared/data/`) says nothing of a lower certificate for a provincial round.
The default criteria are the four groups of the 100-point scale, without sub-criteria: the
regulation's sub-criteria are not in that data either, and an office adds its own per round.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from app.domain.levels import Level
from app.domain.messages import N_
from app.domain.text import drop_controls, fold, squash_spaces
from app.domain.validity import VIETNAM, today_in

FULL_SCORE = 100
MAX_LINES = 40
MAX_LABEL = 300
KEY_LENGTH = 60
REQUIRED_WORDS = frozenset({"bat buoc", "can", "co"})
OPTIONAL_WORDS = frozenset({"neu co", "khong bat buoc", "tuy chon", "khong"})


class CallStage(StrEnum):
    """Where a call is, as the public reads it."""

    upcoming = "upcoming"
    receiving = "receiving"
    scoring = "scoring"
    published = "published"

    @property
    def label(self) -> str:
        """The stage in words (never shown by colour alone)."""
        return STAGE_LABELS[self]


STAGE_LABELS: dict[CallStage, str] = {
    CallStage.upcoming: N_("Sắp mở nhận hồ sơ"),
    CallStage.receiving: N_("Đang nhận hồ sơ"),
    CallStage.scoring: N_("Đang chấm"),
    CallStage.published: N_("Đã công bố"),
}
# The public list's order: what a producer can still act on first.
STAGE_ORDER = (CallStage.receiving, CallStage.upcoming, CallStage.scoring, CallStage.published)


class CallDates(Protocol):
    """What the stage rules read of a call (a `RoundCall` row has these)."""

    @property
    def opens_on(self) -> date: ...

    @property
    def closes_on(self) -> date: ...


@dataclass(frozen=True, slots=True)
class DocumentItem:
    """One line of the checklist: what to attach, and whether it must be there."""

    key: str
    label: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Criterion:
    """One scoring criterion; `parent` is the key of the criterion it details, None for a main one."""

    key: str
    label: str
    points: float
    parent: str | None = None


_LOWER_CERTIFICATE = {
    Level.khu_vuc: "Giấy chứng nhận sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh còn hiệu lực",
    Level.quoc_gia: "Giấy chứng nhận sản phẩm công nghiệp nông thôn tiêu biểu cấp khu vực còn hiệu lực",
}


LOWER_CERTIFICATE_ITEM = "chung_nhan_cap_duoi"  # the checklist item a nomination's certificate stands for
# The level a round's winners are nominated to: provincial → regional (the ministry's), regional → national.
NOMINATED_TO = {Level.tinh: Level.khu_vuc, Level.khu_vuc: Level.quoc_gia}


def default_documents(level: Level) -> list[DocumentItem]:
    """The regulation's checklist for a round at `level` (the lower certificate for regional and national)."""
    items = [
        DocumentItem("phieu_dang_ky", "Phiếu đăng ký tham gia bình chọn"),
        DocumentItem("mo_ta_san_pham", "Bản thuyết minh, mô tả sản phẩm"),
        DocumentItem("dang_ky_kinh_doanh",
                     "Giấy chứng nhận đăng ký doanh nghiệp, hợp tác xã hoặc hộ kinh doanh"),
        DocumentItem("chat_luong_attp", "Giấy tờ về chất lượng, an toàn thực phẩm (với sản phẩm phải có)",
                     required=False),
        DocumentItem("nhan_hieu", "Giấy chứng nhận đăng ký nhãn hiệu", required=False),
        DocumentItem("hinh_anh", "Ảnh sản phẩm"),
    ]
    if level in _LOWER_CERTIFICATE:
        items.append(DocumentItem(LOWER_CERTIFICATE_ITEM, _LOWER_CERTIFICATE[level]))
    return items


def default_criteria() -> list[Criterion]:
    """The 100-point scale: 40 market, 40 economic-technical-social-environmental, 10 culture, 10 other."""
    return [
        Criterion("thi_truong", "Nhóm tiêu chí về thị trường", 40),
        Criterion("kinh_te_ky_thuat", "Nhóm tiêu chí về kinh tế – kỹ thuật – xã hội – môi trường", 40),
        Criterion("van_hoa_tham_my", "Nhóm tiêu chí về văn hóa và thẩm mỹ", 10),
        Criterion("khac", "Nhóm tiêu chí khác", 10),
    ]


def call_stage(call: CallDates, *, results_published: bool, on: date) -> CallStage:
    """The public stage on Vietnam day `on`: published once results are out, else by the dates.

    Before the opening day: upcoming; from it to the closing day inclusive: receiving; after:
    scoring, until the results are published (the results date is a plan, not a switch).
    """
    if results_published:
        return CallStage.published
    if on < call.opens_on:
        return CallStage.upcoming
    if on <= call.closes_on:
        return CallStage.receiving
    return CallStage.scoring


def accepts_entries(call: CallDates, now: datetime) -> bool:
    """True from the opening day to the end of the closing day in Asia/Ho_Chi_Minh, whatever `now`'s zone."""
    day = today_in(VIETNAM, now=now)
    return call.opens_on <= day <= call.closes_on


def item_key(label: str) -> str:
    """A stable ASCII key from a label: folded, words joined by '_' ("Ảnh sản phẩm" → "anh_san_pham")."""
    return "_".join(re.findall(r"[a-z0-9]+", fold(label)))[:KEY_LENGTH].strip("_") or "muc"


def _lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of each non-blank line, controls dropped and spaces squashed."""
    cleaned = drop_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    return [(n, squash_spaces(line)) for n, line in enumerate(cleaned.split("\n"), 1) if line.strip()]


def _keyed(label: str, previous: dict[str, str], taken: set[str]) -> str:
    """The key an earlier item with the same label had, else one made from the label, unique in the list."""
    key = previous.get(fold(label)) or item_key(label)
    base, n = key, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _label_problem(n: int, label: str) -> str | None:
    """Why a line's label is refused, naming the line; None when it is fine."""
    if not label:
        return f"Dòng {n}: thiếu tên mục."
    if len(label) > MAX_LABEL:
        return f"Dòng {n}: tên mục dài quá {MAX_LABEL} ký tự."
    return None


def parse_documents(text: str, previous: Sequence[DocumentItem] = ()) -> tuple[list[DocumentItem], list[str]]:
    """The checklist from one item per line: "Tên giấy tờ | bắt buộc" or "… | nếu có" (no mark: required).

    A textarea rather than rows of inputs: any number of items without JavaScript or empty rows,
    and reordering is cut and paste. An item keeps the key an earlier item of the same label had.
    """
    known = {fold(item.label): item.key for item in previous}
    items: list[DocumentItem] = []
    problems: list[str] = []
    taken: set[str] = set()
    lines = _lines(text)
    if not lines:
        return [], ["Cần ít nhất một loại giấy tờ trong hồ sơ."]
    if len(lines) > MAX_LINES:
        return [], [f"Tối đa {MAX_LINES} dòng."]
    for n, line in lines:
        label, _, mark = (part.strip() for part in line.partition("|"))
        problem = _label_problem(n, label)
        folded = fold(mark)
        if problem is None and folded and folded not in REQUIRED_WORDS | OPTIONAL_WORDS:
            problem = f"Dòng {n}: sau dấu | ghi “bắt buộc” hoặc “nếu có”."
        if problem:
            problems.append(problem)
            continue
        items.append(DocumentItem(_keyed(label, known, taken), label, required=folded not in OPTIONAL_WORDS))
    return items, problems


def _points(n: int, text: str) -> float | str:
    """The points of line `n` (0 < p ≤ 100, comma or point for decimals), or why they are refused."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return f"Dòng {n}: số điểm “{text}” không phải là số."
    if not 0 < value <= FULL_SCORE:
        return f"Dòng {n}: số điểm phải lớn hơn 0 và không quá {FULL_SCORE}."
    return value


def parse_criteria(text: str, previous: Sequence[Criterion] = ()) -> tuple[list[Criterion], list[str]]:
    """The criteria, one per line, "Tên tiêu chí | điểm"; a line starting with "-" details the main one above.

    The main criteria must total 100, and the sub-criteria of a criterion (if any) its points.
    """
    known = {fold(item.label): item.key for item in previous}
    items: list[Criterion] = []
    problems: list[str] = []
    taken: set[str] = set()
    lines = _lines(text)
    if not lines:
        return [], ["Cần ít nhất một tiêu chí chấm điểm."]
    if len(lines) > MAX_LINES:
        return [], [f"Tối đa {MAX_LINES} dòng."]
    parent: Criterion | None = None
    for n, line in lines:
        is_sub = line.startswith(("-", "–", "+"))
        label, bar, points_text = (part.strip() for part in line.lstrip("-–+ ").partition("|"))
        problem = _label_problem(n, label)
        if problem is None and not bar:
            problem = f"Dòng {n}: ghi số điểm sau dấu |, ví dụ “{label} | 10”."
        points = _points(n, points_text) if problem is None else problem
        if problem is None and is_sub and parent is None:
            problem = f"Dòng {n}: tiêu chí con (bắt đầu bằng “-”) phải đứng sau một tiêu chí chính."
        if problem or isinstance(points, str):
            problems.append(problem or str(points))
            continue
        item = Criterion(_keyed(label, known, taken), label, points,
                         parent=parent.key if is_sub and parent else None)
        parent = parent if is_sub else item
        items.append(item)
    return items, problems or _total_problems(items)


def _total_problems(items: list[Criterion]) -> list[str]:
    """The sums that do not add up: main criteria to 100, each criterion's sub-criteria to its points."""
    problems = []
    main_total = sum(item.points for item in items if item.parent is None)
    if abs(main_total - FULL_SCORE) > 1e-9:
        problems.append(f"Tổng điểm các tiêu chí chính là {points_text(main_total)}, phải bằng {FULL_SCORE}.")
    for main in (item for item in items if item.parent is None):
        subs = [item.points for item in items if item.parent == main.key]
        if subs and abs(sum(subs) - main.points) > 1e-9:
            problems.append(f"Các tiêu chí con của “{main.label}” cộng lại {points_text(sum(subs))} điểm, "
                            f"phải bằng {points_text(main.points)}.")
    return problems


def points_text(points: float) -> str:
    """Points as people write them: 40, 2,5."""
    return f"{points:g}".replace(".", ",")


def documents_text(items: list[DocumentItem]) -> str:
    """The checklist as the office edits it (the inverse of `parse_documents`)."""
    return "\n".join(item.label if item.required else f"{item.label} | nếu có" for item in items)


def criteria_text(items: list[Criterion]) -> str:
    """The criteria as the office edits them (the inverse of `parse_criteria`)."""
    return "\n".join(f"{'- ' if item.parent else ''}{item.label} | {points_text(item.points)}"
                     for item in items)


def documents_json(items: list[DocumentItem]) -> str:
    """The checklist as stored in `RoundCall.documents`."""
    return json.dumps([asdict(item) for item in items], ensure_ascii=False)


def criteria_json(items: list[Criterion]) -> str:
    """The criteria as stored in `RoundCall.criteria`."""
    return json.dumps([asdict(item) for item in items], ensure_ascii=False)


def documents_from_json(stored: str) -> list[DocumentItem]:
    """The stored checklist back as items."""
    return [DocumentItem(str(d["key"]), str(d["label"]), bool(d.get("required", True)))
            for d in json.loads(stored)]


def criteria_from_json(stored: str) -> list[Criterion]:
    """The stored criteria back as items."""
    return [Criterion(str(c["key"]), str(c["label"]), float(c["points"]), c.get("parent") or None)
            for c in json.loads(stored)]
