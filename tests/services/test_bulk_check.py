"""The list check's service: the single lookup's answer for every row, in order, from batched queries."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.services.verification.bulk_check import MAX_CANDIDATES, BulkItem, BulkStatus, check_items
from app.services.verification.lookup import look_up
from tests.factories import make_producer, make_product
from tests.services.bulk_data import make_catalog

TODAY = date(2026, 11, 1)


def _statements(session: Session) -> list[str]:
    """A list that collects every SQL statement the session's engine runs from now on."""
    seen: list[str] = []
    sa.event.listen(session.get_bind(), "before_cursor_execute",
                    lambda *args: seen.append(str(args[2])))
    return seen


def test_each_row_agrees_with_the_single_lookup(session: Session) -> None:
    catalog = make_catalog(session)
    items = [BulkItem(c) for c in catalog.codes] + [BulkItem(catalog.number), BulkItem("ZZZZ-ZZZZ")]
    rows = check_items(session=session, items=items, today=TODAY)
    for item, row in zip(items, rows, strict=True):
        single = look_up(session=session, text=item.text, today=TODAY)
        assert row.status.value == single.verdict.value, item
        if single.found:
            assert row.found is not None and row.found.days_left == single.certificates[0].days_left
            assert row.matched_by == single.matched_by
    session.rollback()  # look_up counted; the bulk check did not


def test_a_few_queries_for_many_rows(session: Session) -> None:
    catalog = make_catalog(session)
    items = [BulkItem(t) for t in (catalog.codes + [catalog.number, "nuoc mam", "ZZZZ-ZZZZ"]) * 200]
    seen = _statements(session)
    rows = check_items(session=session, items=items, today=TODAY)
    assert len(rows) == len(items) and [r.input for r in rows] == [i.text for i in items]
    assert len(seen) <= 12, seen  # codes, numbers, names, their certificates, provinces, rounds, producers


def test_names_exact_folded_and_narrowed_by_producer(session: Session) -> None:
    catalog = make_catalog(session)
    items = [BulkItem("VAI THIEU  SAY KHO"), BulkItem("Nước mắm"), BulkItem("nuoc mam", producer="Cát Hải"),
             BulkItem("nuoc mam", producer="nobody"), BulkItem("Vải thiều")]
    rows = check_items(session=session, items=items, today=TODAY)
    assert [r.status for r in rows] == [BulkStatus.expiring, BulkStatus.ambiguous, BulkStatus.valid,
                                        BulkStatus.not_found, BulkStatus.not_found]
    assert rows[0].found is not None and rows[0].found.view.product.id == catalog.products[0].id
    assert rows[2].found is not None and rows[2].found.producer.name == "Cơ sở Nước mắm Cát Hải"
    assert {c.producer_name for c in rows[1].candidates} == {"HTX Cá cơm Phú Quốc", "Cơ sở Nước mắm Cát Hải"}


def test_shared_printed_number_is_ambiguous(session: Session) -> None:
    make_product(session, name="Một", number="7/QĐ")
    make_product(session, name="Hai", number="7/QĐ")
    session.commit()
    [row] = check_items(session=session, items=[BulkItem("7/qđ")], today=TODAY)
    assert row.status is BulkStatus.ambiguous and row.matched_by == "number" and len(row.candidates) == 2


def test_many_sharing_a_number_or_a_name_name_the_first_few(session: Session) -> None:
    """Only the first few are loaded, but narrowing by producer still finds the last of many namesakes."""
    for n in range(MAX_CANDIDATES + 4):
        maker = make_producer(session, name=f"HTX Chè số {n}")
        make_product(session, name="Chè búp", producer=maker, number="001/2025/GCN-SCT",
                     issued_on=date(2025, 1, 1 + n))
    session.commit()
    items = [BulkItem("001/2025/GCN-SCT"), BulkItem("che bup"), BulkItem("che bup", producer=f"số {n}")]
    by_number, by_name, narrowed = check_items(session=session, items=items, today=TODAY)
    assert by_number.status is BulkStatus.ambiguous and len(by_number.candidates) == MAX_CANDIDATES
    assert by_number.candidates[0].producer_name == f"HTX Chè số {n}"  # newest issued first, as /tra-cuu
    assert by_name.status is BulkStatus.ambiguous and len(by_name.candidates) == MAX_CANDIDATES
    assert narrowed.status is BulkStatus.valid and narrowed.found is not None
    assert narrowed.found.producer.name == f"HTX Chè số {n}"


def test_control_characters_are_dropped_before_any_query(session: Session) -> None:
    """A NUL (which PostgreSQL refuses in a text parameter) or another control character in an item
    is dropped, as a pasted list's cells are cleaned: the rest is looked up, nothing fails."""
    catalog = make_catalog(session)
    code = catalog.codes[0]
    rows = check_items(session=session, items=[BulkItem(f"{code[:3]}\x00{code[3:]}"), BulkItem("\x00"),
                                               BulkItem("ab\x07\x00c", producer="\x00Cát Hải")], today=TODAY)
    assert [row.input for row in rows] == [code, "", "abc"]
    assert rows[0].status != BulkStatus.not_found
    assert [row.status for row in rows[1:]] == [BulkStatus.not_found] * 2
