"""Workflow states: every state has its own label, and a product moves only along the allowed transitions."""

from __future__ import annotations

import pytest

from app.domain.states import (
    ImportBatchState,
    ProductState,
    ReportState,
    RoundState,
    next_product_states,
    next_report_states,
    parse_state,
    product_transition,
    report_transition_refusal,
    state_label,
)

Workflow = type[ProductState] | type[RoundState] | type[ImportBatchState] | type[ReportState]
WORKFLOWS: list[Workflow] = [ProductState, RoundState, ImportBatchState, ReportState]


@pytest.mark.parametrize("kind", WORKFLOWS, ids=lambda kind: kind.__name__)
def test_every_state_has_a_label_of_its_own(kind: Workflow) -> None:
    labels = [state.label for state in kind]
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (ProductState.PUBLISHED, "Đã công bố"),
        (ImportBatchState.PREVIEW, "Đang xem trước"),
        (ImportBatchState.PUBLISHED, "Đã công bố"),  # the same word as for products
        (ImportBatchState.DISCARDED, "Đã thay bằng tệp mới"),  # a newer upload replaced it
        (ReportState.NEW, "Mới"),
        (ReportState.CHECKING, "Đang xác minh"),
        (ReportState.CONFIRMED, "Xác nhận vi phạm"),
        (ReportState.UNFOUNDED, "Không có cơ sở"),
        (ReportState.CLOSED, "Đã đóng"),
    ],
)
def test_labels_are_the_unified_words(state: ProductState | ImportBatchState | ReportState,
                                      label: str) -> None:
    assert state.label == label


@pytest.mark.parametrize(
    ("current", "target", "action"),
    [
        (ProductState.DRAFT, ProductState.PUBLISHED, "product.publish"),
        (ProductState.PUBLISHED, ProductState.WITHDRAWN, "product.withdraw"),
        (ProductState.WITHDRAWN, ProductState.PUBLISHED, "product.publish"),
        (ProductState.DRAFT, ProductState.WITHDRAWN, None),
        (ProductState.PUBLISHED, ProductState.DRAFT, None),
        (ProductState.WITHDRAWN, ProductState.DRAFT, None),
        (ProductState.PUBLISHED, ProductState.PUBLISHED, None),
    ],
)
def test_product_transitions(current: ProductState, target: ProductState, action: str | None) -> None:
    assert product_transition(current, target) == action
    assert (target in next_product_states(current)) == (action is not None)


def test_stored_values_parse_and_unknown_ones_show_as_stored() -> None:
    assert parse_state(ProductState, "withdrawn") is ProductState.WITHDRAWN
    assert parse_state(ReportState, "hidden") is None
    assert state_label(ImportBatchState, "discarded") == "Đã thay bằng tệp mới"
    assert state_label(ProductState, "hidden") == "hidden"
    stored: str = "published"  # what a query may hand back: a plain string
    assert stored == ProductState.PUBLISHED


R = ReportState
REPORT_MOVES = {(R.NEW, R.CHECKING), (R.CHECKING, R.CONFIRMED), (R.CHECKING, R.UNFOUNDED),
                (R.CONFIRMED, R.CLOSED), (R.UNFOUNDED, R.CLOSED), (R.CLOSED, R.CHECKING)}


@pytest.mark.parametrize("current", list(ReportState))
@pytest.mark.parametrize("target", list(ReportState))
def test_report_transitions(current: ReportState, target: ReportState) -> None:
    refusal = report_transition_refusal(current, target, "Đã kiểm tra tại chỗ.")
    allowed = (current, target) in REPORT_MOVES
    assert (refusal is None) == allowed
    assert (target in next_report_states(current)) == allowed
    if not allowed:
        assert refusal is not None and current.label in refusal and target.label in refusal


@pytest.mark.parametrize("target", [R.CONFIRMED, R.UNFOUNDED])
def test_a_finding_needs_a_note(target: ReportState) -> None:
    refusal = report_transition_refusal(R.CHECKING, target, "  ")
    assert refusal == f"Vui lòng ghi rõ căn cứ kết luận “{target.label}”."


@pytest.mark.parametrize(("current", "target"),
                         [(R.NEW, R.CHECKING), (R.CONFIRMED, R.CLOSED), (R.CLOSED, R.CHECKING)])
def test_other_moves_need_no_note(current: ReportState, target: ReportState) -> None:
    assert report_transition_refusal(current, target, "") is None
