"""The demo's applications: a few accepted ones scored by the two demo jurors (one conflict declared) in the
round being scored, and the demo producer account's draft in the call receiving entries.

The call being scored closed before the load day, so the producer's services (which refuse a closed call)
cannot make its applications: their rows are written here, then moved draft → submitted → accepted through
`move_application`, so their history and audit entries are the ones a real application gets. The reviews
are rows too: the jurors' service takes a posted form. Each application carries one small PDF, stored like
an uploaded one. Helpers flush; the caller commits.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image
from sqlmodel import Session, col, select

from app.domain.calls import Criterion, criteria_from_json, documents_from_json
from app.domain.permissions import Role
from app.domain.states import ApplicationState
from app.files.dossier import check_document, write_document
from app.models import (
    Application,
    ApplicationFile,
    JurorReview,
    Producer,
    ProducerAccount,
    Product,
    RoundCall,
    RoundJuror,
    SelectionRound,
)
from app.services.applications.common import move_application
from app.services.demo.accounts import DemoAccounts, add_demo_accounts, demo_producers, producer_account
from app.services.office.account import Account

# Per application: the self-assessment's and each juror's share of every criterion's points (None: conflict).
SELF_SHARES = (0.9, 0.8, 0.75, 0.6)
JUROR_SHARES: tuple[tuple[float | None, float | None], ...] = ((0.85, 0.8), (0.7, None), (0.6, 0.65))
CONFLICT_NOTE = "Dữ liệu minh họa: giám khảo là người thân của chủ cơ sở."


def _points(criteria: list[Criterion], share: float) -> str:
    """The JSON scores giving `share` of every criterion's points, to the half point."""
    return json.dumps({c.key: round(c.points * share * 2) / 2 for c in criteria}, sort_keys=True)


def _demo_pdf(name: str) -> bytes:
    """A one-page PDF (Pillow's), the dossier's placeholder registration form."""
    buffer = io.BytesIO()
    Image.new("RGB", (210, 297), (255, 255, 255)).save(buffer, "PDF", title=name)
    return buffer.getvalue()


def _application(session: Session, call: RoundCall, account: ProducerAccount, *, share: float) -> Application:
    """A draft of the account's producer, named after its first product, with its self-assessment."""
    product = session.exec(select(Product).where(Product.producer_id == account.producer_id)
                           .order_by(col(Product.id))).first()
    assert call.id is not None and account.id is not None and account.producer_id is not None  # noqa: S101
    application = Application(round_id=call.round_id, call_id=call.id, account_id=account.id,
                              producer_id=account.producer_id,
                              product_name=product.name if product else account.name,
                              group=product.group if product else "khac",
                              description="Hồ sơ minh họa: sản phẩm, quy trình sản xuất và thị trường.",
                              self_scores=_points(criteria_from_json(call.criteria), share))
    session.add(application)
    session.flush()
    return application


def _attach(session: Session, call: RoundCall, application: Application, folder: Path) -> None:
    """The checklist's first item, as a small PDF stored in the dossier folder."""
    assert application.id is not None  # noqa: S101 - flushed
    checked = check_document(_demo_pdf(application.product_name), filename="phieu-dang-ky.pdf")
    write_document(folder, checked)
    first_item = documents_from_json(call.documents)[0].key
    session.add(ApplicationFile(application_id=application.id, document_key=first_item,
                                filename="phieu-dang-ky.pdf", content_hash=checked.content_hash,
                                size=checked.size, media_type=checked.media_type))


def _accepted(session: Session, call: RoundCall, account: ProducerAccount, office: Account, *, share: float,
              folder: Path, province_id: int | None) -> Application:
    """An application submitted by the account and accepted by `office`, with its PDF."""
    application = _application(session, call, account, share=share)
    _attach(session, call, application, folder)
    move_application(session=session, application=application, target=ApplicationState.SUBMITTED,
                     province_id=province_id, producer_account=account)
    move_application(session=session, application=application, target=ApplicationState.ACCEPTED,
                     province_id=province_id, office=office)
    return application


def add_demo_entries(*, session: Session, accounts: DemoAccounts, others: list[Producer],
                     receiving: RoundCall, scoring: RoundCall, dossier_dir: Path) -> list[Application]:
    """The scoring round's applications (the demo producer's and `others`', all accepted), its two jurors and
    their reviews, and the demo producer's draft in the receiving call; the applications made."""
    criteria = criteria_from_json(scoring.criteria)
    scoring_round = session.get_one(SelectionRound, scoring.round_id)
    office = Account(user=accounts.admin, role=Role.admin, province_slug=None)
    entrants = [accounts.producer] + [
        producer_account(session, email=f"co-so-{p.id}@vi-du.example", name=f"Chủ cơ sở {p.name}"[:200],
                         producer=p) for p in others[:len(JUROR_SHARES) - 1]]
    made = [_accepted(session, scoring, account, office, share=share, folder=dossier_dir,
                      province_id=scoring_round.province_id)
            for account, share in zip(entrants, SELF_SHARES[:len(entrants)], strict=True)]
    for number, juror in enumerate(accounts.jurors):
        assert juror.id is not None  # noqa: S101 - flushed
        session.add(RoundJuror(round_id=scoring.round_id, user_id=juror.id, appointed_by=accounts.admin.id))
        for application, shares in zip(made, JUROR_SHARES[:len(made)], strict=True):
            share = shares[number]
            conflict = share is None
            session.add(JurorReview(application_id=application.id or 0, user_id=juror.id, conflict=conflict,
                                    scores="{}" if share is None else _points(criteria, share),
                                    conflict_note=CONFLICT_NOTE if conflict else ""))
    draft = _application(session, receiving, accounts.producer, share=SELF_SHARES[-1])
    session.flush()
    return [*made, draft]


def add_demo_round(*, session: Session, receiving: RoundCall, scoring: RoundCall,
                   dossier_dir: Path) -> list[str]:
    """The demo accounts (the producer's linked to a producer of the demo province) and their applications;
    the addresses that sign in with a password."""
    producers = demo_producers(session, len(JUROR_SHARES))
    accounts = add_demo_accounts(session=session, producer=producers[0])
    add_demo_entries(session=session, accounts=accounts, others=producers[1:], receiving=receiving,
                     scoring=scoring, dossier_dir=dossier_dir)
    return [accounts.admin.email, accounts.office.email, *(j.email for j in accounts.jurors),
            accounts.producer.email]
