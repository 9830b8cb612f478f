"""Publishing a round's results from the scoring board: certificates, final applications, mails, public pages.

Real database (SQLite and PostgreSQL) and the real app; pages are read by parsing their HTML.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import date

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.domain.codes import normalize_code
from app.domain.permissions import Role
from app.domain.states import ApplicationState
from app.errors import InvalidInput
from app.forms.jury import decision_field
from app.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Certificate,
    JurorReview,
    MailMessage,
    OutboxEvent,
    ProducerAccount,
    Product,
    RoundCall,
    SelectionRound,
)
from app.services.imports.upsert import Upserter
from app.services.jury.board import scoring_board
from app.services.jury.results import publish_results
from app.services.office.account import Account
from app.web.deps import get_today
from tests.admin.jury_seed import appoint, scored_round
from tests.factories import csrf_of, make_producer, make_user, province, sign_in

ACCEPTED = ApplicationState.ACCEPTED
DECIDED_ON = date(2026, 11, 20)
WINNERS = ("Mực một nắng Sơn Trà", "Trà thảo mộc Bà Nà")
KNOWN = "Nước mắm Nam Ô"  # its producer already has this product in the catalog
LOSER = "Bánh khô mè Cẩm Lệ"


@dataclass
class World:
    """A decided round: its id and its applications by product name."""

    round_id: int
    applications: dict[str, int]


def _scores(total_market: int) -> str:
    """A complete review's points, the market criterion varied (totals 45 + `total_market`)."""
    return json.dumps({"thi_truong": total_market, "kinh_te_ky_thuat": 30, "van_hoa_tham_my": 8, "khac": 7})


def _applicant(session: Session, round_id: int, call_id: int, product_name: str) -> int:
    """An accepted application of a new producer (no product in the catalog yet), by its own account."""
    producer = make_producer(session, name=f"Cơ sở {product_name}", province_slug="da-nang")
    account = ProducerAccount(email=f"{producer.slug}@vi-du.example", name=f"Chủ {product_name}",
                              producer_id=producer.id)
    session.add(account)
    session.flush()
    application = Application(round_id=round_id, call_id=call_id, account_id=account.id or 0,
                              producer_id=producer.id or 0, product_name=product_name, group="che_bien",
                              description=f"Mô tả {product_name}", state=ACCEPTED)
    session.add(application)
    session.flush()
    return application.id or 0


def _world(session: Session, settings: Settings, *, decide: bool = True) -> World:
    """Three winners (two new products, one already listed) and one not selected, scored and decided."""
    seeded = scored_round(session, settings, names={KNOWN: ACCEPTED})
    call = session.exec(select(RoundCall).where(RoundCall.round_id == seeded.round_id)).one()
    applications = dict(seeded.applications)
    for name in (*WINNERS, LOSER):
        applications[name] = _applicant(session, seeded.round_id, call.id or 0, name)
    juror = appoint(session, seeded.round_id)
    for n, application_id in enumerate(applications.values()):
        session.add(_review(application_id, juror.id or 0, 30 - n))
    if decide:
        selection_round = session.get_one(SelectionRound, seeded.round_id)
        selection_round.decision_number, selection_round.decision_date = "2468/QĐ-UBND", DECIDED_ON
        session.add(selection_round)
        for name, application_id in applications.items():
            application = session.get_one(Application, application_id)
            application.decision = "not_selected" if name == LOSER else "selected"
            session.add(application)
    session.commit()
    return World(round_id=seeded.round_id, applications=applications)


def _review(application_id: int, juror_id: int, market: int) -> JurorReview:
    """A complete review by the juror."""
    return JurorReview(application_id=application_id, user_id=juror_id, scores=_scores(market))


def _publish(client: TestClient, round_id: int, *, confirm: bool = True) -> tuple[int, str]:
    token = csrf_of(client, "/quan-ly")
    data = {"csrf_token": token, **({"xac_nhan": "1"} if confirm else {})}
    response = client.post(f"/quan-ly/dot-binh-chon/{round_id}/cong-bo", data=data, follow_redirects=False)
    return response.status_code, response.text


def _count(session: Session, model: type[Certificate | Product | MailMessage | OutboxEvent]) -> int:
    session.expire_all()
    return len(session.exec(select(model)).all())


def _audited(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def _text(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


def test_publishing_makes_certificates_final_applications_mails_and_public_winners(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _world(session, settings)
    client.app.dependency_overrides[get_today] = lambda: date(2026, 12, 1)  # type: ignore[attr-defined]
    call_page = _text(client, f"/nop-ho-so/{world.round_id}")
    assert "Đang chấm" in call_page and "4 hồ sơ đã được tiếp nhận" in call_page
    assert not any(name in call_page for name in (*WINNERS, KNOWN, LOSER))  # applicants stay private
    products_before, certificates_before = _count(session, Product), _count(session, Certificate)
    sign_in(client, make_user(session, province_slug="da-nang"))

    status, page = _publish(client, world.round_id, confirm=False)
    assert status == 200 and "Xác nhận công bố kết quả" in page and "2468/QĐ-UBND ngày 20/11/2026" in page
    assert _count(session, Certificate) == certificates_before  # nothing before the confirmation

    assert _publish(client, world.round_id)[0] == 303
    assert _count(session, Product) == products_before + 2  # the listed product is found, not duplicated
    assert _count(session, Certificate) == certificates_before + 3
    applications = {name: session.get_one(Application, i) for name, i in world.applications.items()}
    loser = applications[LOSER]
    assert loser.state == ApplicationState.NOT_SELECTED and loser.certificate_id is None
    for name in (*WINNERS, KNOWN):
        application = applications[name]
        assert application.state == ApplicationState.SELECTED
        certificate = session.get_one(Certificate, application.certificate_id)
        product = session.get_one(Product, certificate.product_id)
        assert product.name == name and product.producer_id == application.producer_id
        assert (certificate.level, certificate.issued_on, certificate.valid_until) == (
            "tinh", DECIDED_ON, date(2029, 12, 31))
        assert certificate.round_id == world.round_id and certificate.number is None
        assert certificate.province_id == province(session, "da-nang").id
        assert normalize_code(certificate.code) == certificate.code
        events = session.exec(select(ApplicationEvent)
                              .where(ApplicationEvent.application_id == application.id)).all()
        assert [(e.from_state, e.to_state) for e in events] == [(ACCEPTED, ApplicationState.SELECTED)]
    winner = session.get_one(Certificate, applications[WINNERS[0]].certificate_id)
    assert winner.score == 74  # the jury's average: 45 + 29 (the second application reviewed)
    assert session.get_one(Product, winner.product_id).description == f"Mô tả {WINNERS[0]}"

    verify = BeautifulSoup(client.get(f"/v/{winner.code}").text, "html.parser")
    assert verify.select_one(".verdict__title").get_text(strip=True) == "Còn hiệu lực"
    hits = client.get("/api/v1/products?q=muc mot nang son tra").json()["hits"]
    assert WINNERS[0] in [hit["name"] for hit in hits]  # indexed through the outbox after the commit
    assert session.exec(select(OutboxEvent)).first() is None

    mails = {m.recipient: m for m in session.exec(select(MailMessage)).all()}
    for name, application in applications.items():
        account = session.get_one(ProducerAccount, application.account_id)
        mail = mails[account.email]
        assert name in mail.subject
        if name == LOSER:
            assert "chưa được công nhận" in mail.text_body and "/v/" not in mail.text_body
        else:
            code = session.get_one(Certificate, application.certificate_id).code
            assert "đã được công nhận" in mail.text_body and f"/v/{code}" in mail.text_body
    assert len(_audited(session, "application.select")) == 3
    assert len(_audited(session, "application.not_select")) == 1
    [published] = _audited(session, "round.publish_results")
    assert json.loads(published.after or "{}")["selected"] == 3

    round_page = _text(client, f"/dot-binh-chon/{world.round_id}")
    assert all(name in round_page for name in (*WINNERS, KNOWN)) and LOSER not in round_page
    call_page = _text(client, f"/nop-ho-so/{world.round_id}")
    assert "Đã công bố" in call_page and "3 sản phẩm được công nhận" in call_page
    board = _text(client, f"/quan-ly/dot-binh-chon/{world.round_id}/cham-diem")
    assert "Kết quả đã được công bố" in board and LOSER in board


def test_publishing_again_or_redeciding_is_refused(client: TestClient, session: Session,
                                                    settings: Settings) -> None:
    world = _world(session, settings)
    sign_in(client, make_user(session, role="admin", province_slug=None))
    assert _publish(client, world.round_id)[0] == 303
    certificates = _count(session, Certificate)
    status, page = _publish(client, world.round_id)
    assert status == 422 and "Kết quả của đợt này đã được công bố." in page
    assert _publish(client, world.round_id, confirm=False)[0] == 422
    token = csrf_of(client, f"/quan-ly/dot-binh-chon/{world.round_id}/cham-diem")
    data = {"csrf_token": token, "decision_number": "1/QĐ", "decision_date": "01/12/2026",
            **{decision_field(i): "not_selected" for i in world.applications.values()}}
    redecided = client.post(f"/quan-ly/dot-binh-chon/{world.round_id}/cham-diem", data=data)
    assert redecided.status_code == 422
    assert _count(session, Certificate) == certificates
    assert len(_audited(session, "round.publish_results")) == 1


def test_publishing_before_the_decision_is_refused(client: TestClient, session: Session,
                                                   settings: Settings) -> None:
    world = _world(session, settings, decide=False)
    sign_in(client, make_user(session, province_slug="da-nang"))
    status, page = _publish(client, world.round_id)
    assert status == 422 and "Chưa ghi số và ngày quyết định của hội đồng." in page
    selection_round = session.get_one(SelectionRound, world.round_id)
    selection_round.decision_number, selection_round.decision_date = "2468/QĐ-UBND", DECIDED_ON
    session.add(selection_round)
    only = session.get_one(Application, world.applications[KNOWN])
    only.decision = "selected"
    session.add(only)
    session.commit()
    status, page = _publish(client, world.round_id, confirm=False)
    assert status == 422 and "Chưa có quyết định của hội đồng cho mọi hồ sơ được tiếp nhận." in page
    session.expire_all()
    assert session.exec(select(Application).where(col(Application.state) != ACCEPTED)).first() is None
    assert not _audited(session, "round.publish_results")


def test_another_province_office_cannot_publish(client: TestClient, session: Session,
                                                settings: Settings) -> None:
    world = _world(session, settings)
    sign_in(client, make_user(session, province_slug="ha-noi"))
    assert _publish(client, world.round_id)[0] == 404
    session.expire_all()
    assert session.exec(select(Application).where(col(Application.state) != ACCEPTED)).first() is None


def test_a_failure_midway_leaves_nothing(session: Session, settings: Settings,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    world = _world(session, settings)
    before = [_count(session, model) for model in (Product, Certificate, MailMessage, OutboxEvent)]
    original = Upserter.certificate
    calls: list[int] = []

    def failing(self: Upserter, *args: object, **kwargs: object) -> Certificate:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Upserter, "certificate", failing)
    office = make_user(session, province_slug="da-nang")
    account = Account(user=office, role=Role.office, province_slug="da-nang")
    board = scoring_board(session=session, account=account, round_id=world.round_id)
    with pytest.raises(RuntimeError):
        publish_results(session=session, account=account, board=board, base_url="https://cnnt.example.vn")
    session.rollback()
    assert [_count(session, model) for model in (Product, Certificate, MailMessage, OutboxEvent)] == before
    assert session.exec(select(Application).where(col(Application.state) != ACCEPTED)).first() is None
    assert not _audited(session, "round.publish_results")


def test_a_winner_without_a_group_is_refused_not_half_made(client: TestClient, session: Session,
                                                           settings: Settings) -> None:
    world = _world(session, settings)
    changed = session.get_one(Application, world.applications[WINNERS[1]])
    changed.group = "không rõ"
    session.add(changed)
    session.commit()
    products = _count(session, Product)
    sign_in(client, make_user(session, province_slug="da-nang"))
    status, page = _publish(client, world.round_id)
    assert status == 422 and f"Hồ sơ thiếu tên hoặc nhóm sản phẩm: {WINNERS[1]}." in page
    assert _count(session, Product) == products


def test_two_publishes_at_once_make_one_set_of_certificates(session: Session, settings: Settings,
                                                            engine: Engine) -> None:
    """A double click, or two offices at once: both boards pass the checks, the first publishes and holds
    its transaction open; the second waits for it, then is refused (not a database error, not twice)."""
    world = _world(session, settings)
    certificates = _count(session, Certificate)
    office = make_user(session, province_slug="da-nang")
    account = Account(user=office, role=Role.office, province_slug="da-nang")
    first = scoring_board(session=session, account=account, round_id=world.round_id)
    outcome: list[object] = []

    def second() -> None:
        with Session(engine, expire_on_commit=False) as other:
            board = scoring_board(session=other, account=account, round_id=world.round_id)
            started.set()
            try:
                publish_results(session=other, account=account, board=board, base_url="https://cnnt.example.vn")
                other.commit()
                outcome.append("published")
            except InvalidInput as error:
                other.rollback()
                outcome.append(error.message)

    started = threading.Event()
    publish_results(session=session, account=account, board=first, base_url="https://cnnt.example.vn")
    thread = threading.Thread(target=second)
    thread.start()
    assert started.wait(10)
    time.sleep(0.5)  # the second is past its checks and waits on the first's lock
    session.commit()
    thread.join(20)
    assert outcome == ["Kết quả của đợt này đã được công bố."]
    assert len(_audited(session, "round.publish_results")) == 1
    assert _count(session, Certificate) == certificates + 3  # the three winners', once
