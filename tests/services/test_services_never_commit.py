"""Services flush, never commit: the route or command that owns the use-case commits, then indexes.

Each representative use-case runs on a real database (SQLite and PostgreSQL) with SQLAlchemy's
`after_commit` event counting commits; none may happen. Then the session is rolled back and
another connection must see none of the change: nothing reached the database behind the
boundary's back, so data and its outbox rows can only ever commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.domain.calls import criteria_text, default_criteria, default_documents, documents_text
from app.domain.levels import Level
from app.domain.permissions import Role
from app.files.images import process_image
from app.forms.calls import parse_call_form
from app.forms.records import CertificateForm, ProductForm, RevokeForm, parse_form
from app.forms.reports import parse_report_form
from app.models import (
    AuditEntry,
    Certificate,
    MailMessage,
    MisuseReport,
    MisuseReportEvent,
    OutboxEvent,
    Product,
    ProductImage,
    SelectionRound,
    VerificationCount,
)
from app.services.demo.calls import add_demo_calls
from app.services.demo.loader import revoke_demo_share
from app.services.imports.importer import import_file
from app.services.office.account import Account
from app.services.office.calls import save_call
from app.services.office.report_handling import change_report_state
from app.services.records import edits as records
from app.services.records.photos import (
    add_photos,
    attach_image,
    move_photo,
    remove_photo,
    save_alt_texts,
    set_cover,
)
from app.services.verification.lookup import look_up
from app.services.verification.misuse_reports import submit_report
from app.services.verification.report_outcome_mail import queue_report_outcome
from tests.factories import make_product, make_user
from tests.services.sheets import jpeg_bytes, row, write_csv

F = TypeVar("F", ProductForm, CertificateForm, RevokeForm)
TABLES = (Product, Certificate, ProductImage, OutboxEvent, AuditEntry, MisuseReport, MisuseReportEvent,
          VerificationCount, MailMessage)


@dataclass(frozen=True, slots=True)
class World:
    """Committed rows the use-cases act on."""

    account: Account
    product: Product
    revoked: Certificate
    photo_ids: list[int]
    folder: Path
    report: MisuseReport


def _report_id(w: World) -> int:
    """The committed report's id."""
    assert w.report.id is not None
    return w.report.id


def _form(model: type[F], values: dict[str, str]) -> F:
    """A parsed form that must be valid."""
    form, errors = parse_form(model, values)
    assert form is not None, errors
    return form


def _certificate(session: Session, product: Product) -> Certificate:
    """The product's certificate."""
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()


@pytest.fixture
def world(session: Session, tmp_path: Path) -> World:
    """An administrator, a product with three photos, a revoked certificate, a report; all committed."""
    user = make_user(session, role="admin")
    product = make_product(session, name="Mật ong rừng U Minh", province_slug="da-nang")
    other = make_product(session, name="Nón lá Huế", revoked_on=date(2024, 5, 1))
    for n in range(3):
        attach_image(session=session, product=product, position=n, alt=product.name,
                     processed=process_image(jpeg_bytes(color=(40 * n, 90, 40)), filename=f"{n}.jpg"))
    report = MisuseReport(product_id=product.id, where_bought="Chợ Hàn", contact="lan@example.vn")
    session.add(report)
    session.commit()
    assert report.id is not None
    photo_ids = [i for i in session.exec(select(ProductImage.id).order_by(col(ProductImage.position))).all()
                 if i is not None]
    return World(account=Account(user=user, role=Role.admin, province_slug=None), product=product,
                 revoked=_certificate(session, other), photo_ids=photo_ids, folder=tmp_path, report=report)


def _counts(session: Session) -> dict[str, int]:
    """Rows per table, as `session` sees them."""
    return {model.__name__: session.exec(select(func.count()).select_from(model)).one() for model in TABLES}


def _committed(engine: Engine) -> dict[str, int]:
    """Rows per table, seen from a connection of its own: only what was committed."""
    with Session(engine) as fresh:
        return _counts(fresh)


def _add_photo(session: Session, w: World) -> None:
    """Upload a new photo, leaving the `with` block without committing."""
    photo = process_image(jpeg_bytes(color=(1, 2, 3)), filename="moi.jpg")
    with add_photos(session=session, account=w.account, product=w.product, photos=[photo], alt="Hũ mật ong",
                    media_dir=w.folder) as added:
        assert added == 1


def _report_outcome(session: Session, w: World) -> None:
    """Queue the outcome e-mail of a committed report (the report itself is made in the world)."""
    queued = queue_report_outcome(session=session, report=w.report, outcome="Không có cơ sở", note="")
    assert queued is not None


def _import(session: Session, w: World) -> None:
    """Import a one-row spreadsheet."""
    report = import_file(session=session, path=write_csv(w.folder / "danh-sach.csv", [row()]),
                         media_dir=w.folder)
    assert report.ok, report.problems


def _open_call(session: Session, w: World) -> None:
    """Open a call for entries on a new provincial round."""
    selection_round = SelectionRound(level="tinh", year=2026, province_id=w.product.province_id)
    session.add(selection_round)
    session.flush()
    documents, criteria = documents_text(default_documents(Level.tinh)), criteria_text(default_criteria())
    form, errors = parse_call_form({"opens_on": "01/12/2026", "closes_on": "31/12/2026",
                                    "documents": documents, "criteria": criteria})
    assert form is not None, errors
    save_call(session=session, account=w.account, selection_round=selection_round, form=form)


USE_CASES: dict[str, Callable[[Session, World], object]] = {
    "update_product": lambda s, w: records.update_product(
        session=s, account=w.account, product=w.product,
        form=_form(ProductForm, {"name": "Mật ong U Minh", "group": "che_bien", "producer_name": "HTX Ong"})),
    "change_product_state": lambda s, w: records.change_product_state(
        session=s, account=w.account, product=w.product, target="withdrawn"),
    "update_certificate": lambda s, w: records.update_certificate(
        session=s, account=w.account, certificate=_certificate(s, w.product),
        form=_form(CertificateForm, {"number": "99/GCN", "issued_on": "15/12/2023"})),
    "revoke": lambda s, w: records.revoke(
        session=s, account=w.account, certificate=_certificate(s, w.product),
        form=_form(RevokeForm, {"revoked_on": "01/06/2024", "reason": "Dùng logo sai quy định"})),
    "reinstate": lambda s, w: records.reinstate(session=s, account=w.account, certificate=w.revoked),
    "add_photos": _add_photo,
    "save_alt_texts": lambda s, w: save_alt_texts(session=s, account=w.account, product=w.product,
                                                  alts={w.photo_ids[0]: "Hũ mật ong trên bàn gỗ"}),
    "set_cover": lambda s, w: set_cover(session=s, account=w.account, product=w.product,
                                        image_id=w.photo_ids[2]),
    "move_photo": lambda s, w: move_photo(session=s, account=w.account, product=w.product,
                                          image_id=w.photo_ids[0], step=1),
    "remove_photo": lambda s, w: remove_photo(session=s, account=w.account, product=w.product,
                                              image_id=w.photo_ids[1]),
    "submit_report": lambda s, w: submit_report(
        session=s, form=parse_report_form({"ma": "mat ong rung", "noi_mua": "Chợ Hàn"})[0],  # type: ignore[arg-type]
        photo=process_image(jpeg_bytes(), filename="bao-bi.jpg"), media_dir=w.folder),
    "change_report_state": lambda s, w: change_report_state(
        session=s, account=w.account, report_id=_report_id(w), to_state="checking", note="Đã gọi cơ sở."),
    "look_up": lambda s, w: look_up(session=s, text=_certificate(s, w.product).code, today=date(2025, 1, 2)),
    "import_file": _import,
    "queue_report_outcome": _report_outcome,
    "revoke_demo_share": lambda s, w: revoke_demo_share(session=s, share=1.0),
    "save_call": _open_call,
    "add_demo_calls": lambda s, w: add_demo_calls(session=s, today=date(2026, 12, 7)),
}


@pytest.fixture
def commits(session: Session) -> Iterator[list[object]]:
    """Every commit of the test's session, as SQLAlchemy reports it."""
    seen: list[object] = []

    def count(committed: Session) -> None:
        seen.append(committed)

    event.listen(session, "after_commit", count)
    yield seen
    event.remove(session, "after_commit", count)


@pytest.mark.parametrize("name", USE_CASES)
def test_a_service_changes_rows_but_never_commits(name: str, engine: Engine, session: Session, world: World,
                                                  commits: list[object]) -> None:
    before = _committed(engine)
    USE_CASES[name](session, world)
    session.flush()
    assert commits == [], f"{name} committed"
    assert _committed(engine) == before  # another connection sees nothing yet
    assert _counts(session) != before, f"{name} changed nothing: the check would prove nothing"
    session.rollback()
    assert _committed(engine) == before and commits == []
