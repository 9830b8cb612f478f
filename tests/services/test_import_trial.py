"""The preview's count-only trial run gives exactly the counts of the upsert that publishing runs.

The preview no longer applies the rows and rolls back (a third of a 20,000-row preview's time);
it classifies them (app.services.imports.trial). If the two ever disagree, the preview promises
one thing and publishing does another, so this test runs both on a file that mixes every case.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

from sqlmodel import Session, func, select

from app.domain.permissions import Role
from app.files.spreadsheet import read_spreadsheet
from app.models import Product, SelectionRound
from app.services.imports.preview import apply_rows, check_rows
from app.services.imports.trial import count_round_rows
from app.services.imports.validate import ValidRow
from app.services.office.account import Account
from tests.factories import make_user, province
from tests.services.sheets import row, write_csv


def _row(n: int, producer: int, **values: object) -> dict[str, object]:
    """A provincial row of Đà Nẵng in 2025: product `n` of producer `producer`."""
    base = row(province="Đà Nẵng", issued_on="15/12/2025", certificate_number=f"{n}/GCN-SCT",
               product_name=f"Nước mắm Nam Ô loại {n}", producer_name=f"Cơ sở Nam Ô {producer}")
    return {**base, **values}


def _valid(session: Session, account: Account, selection_round: SelectionRound, path: Path) -> list[ValidRow]:
    """The file's rows as the preview checks them; none may have an error."""
    check = check_rows(session=session, account=account, selection_round=selection_round,
                       sheet=read_spreadsheet(path))
    assert check.errors == 0, [r.errors for r in check.rows if r.errors]
    return check.valid


def test_trial_counts_equal_the_upsert_on_a_mixed_file(session: Session, tmp_path: Path) -> None:
    user = make_user(session, role="admin", province_slug=None)
    account = Account(user=user, role=Role.admin, province_slug=None)
    selection_round = SelectionRound(level="tinh", year=2025, province_id=province(session, "da-nang").id,
                                     decision_number="9/QĐ", decision_date=date(2025, 12, 1))
    session.add(selection_round)
    session.commit()
    first = [_row(n, n // 2) for n in range(6)]
    apply_rows(session=session, selection_round=selection_round,
               rows=_valid(session, account, selection_round, write_csv(tmp_path / "a.csv", first)))
    session.commit()
    second = [
        first[0],                                       # all unchanged
        {**first[1], "score": "91"},                    # certificate updated
        {**first[2], "phone": "0911 111 111"},          # producer 1 updated
        first[3],                                       # producer 1 again, as stored: stays updated
        {**first[4], "description": "Ủ chượp 12 tháng"},  # product updated
        {**first[5], "address": "Hoà Hiệp Bắc"},         # producer 2: first row adds an address
        _row(6, 2),                                     # producer 2 again, no address: still updated
        _row(7, 0, issued_on="16/12/2025"),             # new product of a stored producer
        _row(8, 9), _row(9, 9, address="Liên Chiểu"),   # a new producer, two products
        {**first[0], "issued_on": "20/12/2025", "certificate_number": "20/GCN-SCT"},  # new certificate
    ]
    rows = _valid(session, account, selection_round, write_csv(tmp_path / "b.csv", second))
    trial = count_round_rows(session=session, selection_round=selection_round, rows=rows)
    assert not session.new and not session.dirty  # the trial adds and changes nothing
    applied = apply_rows(session=session, selection_round=selection_round, rows=rows)
    session.rollback()
    assert asdict(trial) == asdict(applied)
    assert asdict(trial.producers) == {"created": 1, "updated": 2, "unchanged": 1}
    assert asdict(trial.products) == {"created": 4, "updated": 1, "unchanged": 5}
    assert trial.certificates.updated == 1 and trial.certificates.created == 5
    assert session.exec(select(func.count()).select_from(Product)).one() == 6
