"""Workflow states of products, rounds, import batches and misuse reports, with their labels.

Each state is stored as its value in a VARCHAR(16) column; the labels are the office's words
for it, Vietnamese only (office pages are not translated). One mapping per enum: the same value
("published") means a different member in each workflow, and a shared mapping would merge them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from app.domain.messages import N_


class ProductState(StrEnum):
    """Where a product is in its life: only a published one is shown to the public."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """The office's words for the state."""
        return PRODUCT_STATE_LABELS[self]


class RoundState(StrEnum):
    """Where a selection round is in its life: only a published one has a public page."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """The office's words for the state."""
        return ROUND_STATE_LABELS[self]


class ImportBatchState(StrEnum):
    """Where an uploaded winners spreadsheet is: previewed, published, or replaced by a newer upload."""

    PREVIEW = "preview"
    PUBLISHED = "published"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        """The office's words for the state."""
        return IMPORT_BATCH_STATE_LABELS[self]


class ReportState(StrEnum):
    """Where an office is with a misuse report: received, being checked, a finding, closed."""

    NEW = "new"
    CHECKING = "checking"
    CONFIRMED = "confirmed"
    UNFOUNDED = "unfounded"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The office's words for the state."""
        return REPORT_STATE_LABELS[self]


class MailState(StrEnum):
    """Where an outgoing e-mail is: waiting (or waiting to retry), being sent, sent, given up."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The operator's words for the state (`cnnt mail list`)."""
        return MAIL_STATE_LABELS[self]


class ClaimState(StrEnum):
    """Where a producer account's claim to an existing producer record is: waiting, approved, refused."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        """The office's and the producer's words for the state."""
        return CLAIM_STATE_LABELS[self]


class ApplicationState(StrEnum):
    """Where a producer's application to a call is: a draft, sent, sent back to fix, accepted for scoring,
    then, once the round's results are published, selected (a certificate) or not selected.

    The council's decision is recorded on an accepted application; publishing makes it final.
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"

    @property
    def label(self) -> str:
        """The office's and the producer's words for the state."""
        return APPLICATION_STATE_LABELS[self]


PRODUCT_STATE_LABELS: dict[ProductState, str] = {
    ProductState.DRAFT: N_("Bản nháp"),
    ProductState.PUBLISHED: N_("Đã công bố"),
    ProductState.WITHDRAWN: N_("Đã rút khỏi danh mục"),
}
ROUND_STATE_LABELS: dict[RoundState, str] = {
    RoundState.DRAFT: N_("Bản nháp"),
    RoundState.PUBLISHED: N_("Đã công bố"),
    RoundState.WITHDRAWN: N_("Đã rút khỏi danh mục"),
}
IMPORT_BATCH_STATE_LABELS: dict[ImportBatchState, str] = {
    ImportBatchState.PREVIEW: N_("Đang xem trước"),
    ImportBatchState.PUBLISHED: N_("Đã công bố"),
    ImportBatchState.DISCARDED: N_("Đã thay bằng tệp mới"),  # a newer upload for the round replaced it
}
REPORT_STATE_LABELS: dict[ReportState, str] = {
    ReportState.NEW: N_("Mới"),
    ReportState.CHECKING: N_("Đang xác minh"),
    ReportState.CONFIRMED: N_("Xác nhận vi phạm"),
    ReportState.UNFOUNDED: N_("Không có cơ sở"),
    ReportState.CLOSED: N_("Đã đóng"),
}
CLAIM_STATE_LABELS: dict[ClaimState, str] = {
    ClaimState.PENDING: N_("Chờ Sở Công Thương duyệt"),
    ClaimState.APPROVED: N_("Đã duyệt"),
    ClaimState.REFUSED: N_("Không được duyệt"),
}
APPLICATION_STATE_LABELS: dict[ApplicationState, str] = {
    ApplicationState.DRAFT: N_("Bản nháp"),
    ApplicationState.SUBMITTED: N_("Đã nộp, chờ Sở Công Thương kiểm tra"),
    ApplicationState.RETURNED: N_("Trả lại để bổ sung"),
    ApplicationState.ACCEPTED: N_("Đã tiếp nhận"),
    ApplicationState.SELECTED: N_("Được công nhận"),
    ApplicationState.NOT_SELECTED: N_("Không được công nhận"),
}

# Which product state may go to which, and the audit action the move records.
PRODUCT_TRANSITIONS: dict[ProductState, dict[ProductState, str]] = {
    ProductState.DRAFT: {ProductState.PUBLISHED: "product.publish"},
    ProductState.PUBLISHED: {ProductState.WITHDRAWN: "product.withdraw"},
    ProductState.WITHDRAWN: {ProductState.PUBLISHED: "product.publish"},
}

# Which report state may go to which, with the words of the button that makes the move.
REPORT_TRANSITIONS: dict[ReportState, dict[ReportState, str]] = {
    ReportState.NEW: {ReportState.CHECKING: "Bắt đầu xác minh"},
    ReportState.CHECKING: {ReportState.CONFIRMED: "Kết luận: xác nhận vi phạm",
                           ReportState.UNFOUNDED: "Kết luận: không có cơ sở"},
    ReportState.CONFIRMED: {ReportState.CLOSED: "Đóng báo cáo"},
    ReportState.UNFOUNDED: {ReportState.CLOSED: "Đóng báo cáo"},
    ReportState.CLOSED: {ReportState.CHECKING: "Mở lại để xác minh"},
}
# Which application state may go to which, and the audit action the move records.
APPLICATION_TRANSITIONS: dict[ApplicationState, dict[ApplicationState, str]] = {
    ApplicationState.DRAFT: {ApplicationState.SUBMITTED: "application.submit"},
    ApplicationState.SUBMITTED: {ApplicationState.RETURNED: "application.return",
                                 ApplicationState.ACCEPTED: "application.accept"},
    ApplicationState.RETURNED: {ApplicationState.SUBMITTED: "application.submit"},
    ApplicationState.ACCEPTED: {ApplicationState.SELECTED: "application.select",
                                ApplicationState.NOT_SELECTED: "application.not_select"},
}
EDITABLE_APPLICATION_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.RETURNED})  # the producer's
OPEN_REPORT_STATES = (ReportState.NEW, ReportState.CHECKING)  # what still waits for the office
NOTE_REQUIRED_STATES = frozenset({ReportState.CONFIRMED, ReportState.UNFOUNDED})  # a finding says why

State = TypeVar("State", ProductState, RoundState, ImportBatchState, ReportState, ClaimState,
                ApplicationState)


def parse_state(kind: type[State], value: str) -> State | None:
    """The member of `kind` stored or posted as `value`; None for a value the workflow does not know."""
    try:
        return kind(value)
    except ValueError:
        return None


def state_label(kind: type[State], value: str) -> str:
    """The label of a stored state; a value the workflow does not know is shown as stored."""
    state = parse_state(kind, value)
    return state.label if state is not None else value


def next_product_states(current: ProductState) -> list[ProductState]:
    """The states an office may move a product to from `current`."""
    return list(PRODUCT_TRANSITIONS.get(current, {}))


def product_transition(current: ProductState, target: ProductState) -> str | None:
    """The audit action of moving a product from `current` to `target`; None if the move is not allowed."""
    return PRODUCT_TRANSITIONS.get(current, {}).get(target)


def application_transition(current: ApplicationState, target: ApplicationState) -> str | None:
    """The audit action of moving an application from `current` to `target`; None if not allowed."""
    return APPLICATION_TRANSITIONS.get(current, {}).get(target)


def next_report_states(current: ReportState) -> list[ReportState]:
    """The states an office may move a misuse report to from `current`."""
    return list(REPORT_TRANSITIONS.get(current, {}))


def report_transition_refusal(current: ReportState, target: ReportState, note: str,
                              labels: Mapping[ReportState, str] = REPORT_STATE_LABELS) -> str | None:
    """Why a report may not move from `current` to `target` with `note`; None when it may.

    `labels` names the states (a correction report words its finding differently, same moves).
    """
    if target not in REPORT_TRANSITIONS.get(current, {}):
        allowed = ", ".join(f"“{labels[state]}”" for state in next_report_states(current))
        return (f"Không thể chuyển báo cáo từ “{labels[current]}” sang “{labels[target]}”. "
                f"Từ trạng thái này chỉ chuyển được sang: {allowed}.")
    if target in NOTE_REQUIRED_STATES and not note.strip():
        return f"Vui lòng ghi rõ căn cứ kết luận “{labels[target]}”."
    return None


# A report of wrong information (a correction) goes through the same states and moves as a misuse
# report; only the finding is worded for what it is about: the record was fixed, or was right.
CORRECTION_STATE_LABELS: dict[ReportState, str] = {
    **REPORT_STATE_LABELS,
    ReportState.CONFIRMED: N_("Đã sửa thông tin"),
    ReportState.UNFOUNDED: N_("Thông tin vốn đúng"),
}
CORRECTION_MOVE_WORDS: dict[ReportState, str] = {  # the button's words where they differ from a report's
    ReportState.CONFIRMED: "Kết luận: thông tin sai, đã sửa",
    ReportState.UNFOUNDED: "Kết luận: thông tin vốn đúng",
}


def correction_move_words(current: ReportState, target: ReportState) -> str:
    """The button's words for moving a correction report from `current` to `target`."""
    return CORRECTION_MOVE_WORDS.get(target) or REPORT_TRANSITIONS.get(current, {}).get(target, "")


# For the operator's `cnnt mail list` only: Vietnamese, not marked for translation.
MAIL_STATE_LABELS: dict[MailState, str] = {
    MailState.QUEUED: "đang chờ gửi",
    MailState.SENDING: "đang gửi",
    MailState.SENT: "đã gửi",
    MailState.FAILED: "không gửi được",
}
