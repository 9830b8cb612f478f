"""A round being scored: a call with the regulation's four criteria, accepted and submitted applications with
one PDF each, and its jurors; shared by the jury tests and the authorization matrix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.config import Settings
from app.domain.calls import criteria_json, default_criteria, default_documents, documents_json
from app.domain.levels import Level
from app.domain.states import ApplicationState
from app.files.dossier import check_document, write_document
from app.models import (
    Application,
    ApplicationFile,
    ProducerAccount,
    RoundCall,
    RoundJuror,
    SelectionRound,
    User,
)
from tests.factories import make_product, make_user, province


@dataclass
class ScoredRound:
    """Ids of a round, its applications by product name and their files."""

    round_id: int
    applications: dict[str, int]
    files: dict[str, int]


def add_application(session: Session, settings: Settings, *, round_id: int, call_id: int, name: str,
                    province_slug: str, state: ApplicationState) -> tuple[int, int]:
    """An application of a new producer in `state`, with one stored PDF: (application id, file id)."""
    product = make_product(session, name=name, province_slug=province_slug, certified_in=province_slug)
    account = ProducerAccount(email=f"{product.slug}@vi-du.example", name=f"Chủ cơ sở {name}")
    session.add(account)
    session.flush()
    assert account.id is not None
    application = Application(round_id=round_id, call_id=call_id, account_id=account.id,
                              producer_id=product.producer_id, product_name=name, state=state,
                              description=f"Mô tả {name}", group="che_bien")
    session.add(application)
    session.flush()
    checked = check_document(b"%PDF-1.4\n" + name.encode() + b"\n%%EOF\n", filename="don.pdf")
    write_document(settings.dossier_path, checked)
    stored = ApplicationFile(application_id=application.id or 0, document_key="phieu_dang_ky",
                             filename="don.pdf", content_hash=checked.content_hash, size=checked.size,
                             media_type=checked.media_type)
    session.add(stored)
    session.flush()
    assert application.id is not None and stored.id is not None
    return application.id, stored.id


def scored_round(session: Session, settings: Settings, *, province_slug: str | None = "da-nang",
                 names: dict[str, ApplicationState], level: str = "tinh", region: str | None = None,
                 pass_mark: float | None = 70) -> ScoredRound:
    """A round with a call and applications (product name → state)."""
    province_id = province(session, province_slug).id if province_slug else None
    selection_round = SelectionRound(level=level, year=2026, province_id=province_id, region=region)
    session.add(selection_round)
    session.flush()
    assert selection_round.id is not None
    call = RoundCall(round_id=selection_round.id, opens_on=date(2026, 6, 1), closes_on=date(2026, 8, 31),
                     criteria=criteria_json(default_criteria()), pass_mark=pass_mark,
                     documents=documents_json(default_documents(Level(level))))
    session.add(call)
    session.flush()
    assert call.id is not None
    applications, files = {}, {}
    for name, state in names.items():
        applications[name], files[name] = add_application(
            session, settings, round_id=selection_round.id, call_id=call.id, name=name,
            province_slug=province_slug or "ha-noi", state=state)
    session.commit()
    return ScoredRound(round_id=selection_round.id, applications=applications, files=files)


def appoint(session: Session, round_id: int, juror: User | None = None) -> User:
    """Appoint `juror` (a new juror account when None) to the round, directly in the database."""
    juror = juror or make_user(session, role="juror")
    session.add(RoundJuror(round_id=round_id, user_id=juror.id or 0))
    session.commit()
    return juror
