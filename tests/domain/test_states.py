"""Workflow states: every state has its own label, and a product moves only along the allowed transitions."""

from __future__ import annotations

import pytest

from app.domain.states import (
    ImportBatchState,
    ProductState,
    ReportState,
    RoundState,
    next_product_states,
    parse_state,
    product_transition,
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
        (ReportState.NEW, "Mới tiếp nhận"),
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
