"""Nominating a provincial round's winners to a regional call: the dossier carried over, the certificate
attached, the producer mailed, the ministry seeing it; refusals named.

Real database (SQLite and PostgreSQL) and the real app; pages are read by parsing their HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.domain.calls import (
    LOWER_CERTIFICATE_ITEM,
    criteria_json,
    default_criteria,
    default_documents,
    documents_json,
)
from app.domain.levels import Level
from app.domain.states import ApplicationState, ProductState
from app.domain.validity import today_in
from app.files.dossier import check_document, write_document
from app.models import (
    Application,
    ApplicationFile,
    AuditEntry,
    Certificate,
    MailMessage,
    ProducerAccount,
    Product,
    RoundCall,
    SelectionRound,
    utcnow,
)
from app.services.applications.common import application_detail, missing_items
from tests.factories import csrf_of, make_product, make_user, province, sign_in


@dataclass
class World:
    """A provincial round with winners, a regional round taking entries, and the ids the tests use."""

    provincial: int
    regional: int
    winner: int  # certificate of a producer with an account and an online dossier
    no_account: int  # certificate of a producer without an account
    expired: int  # certificate no longer valid
    source: int  # the application that won `winner`
    account: int


def _round(session: Session, level: Level, *, province_slug: str | None, opens: date, closes: date) -> int:
    """A round at `level` with a call open between the dates."""
    selection_round = SelectionRound(
        level=level.value,
        year=opens.year,
        province_id=province(session, province_slug).id if province_slug else None,
        region=None if province_slug else "trung_tay_nguyen",
    )
    session.add(selection_round)
    session.flush()
    session.add(
        RoundCall(
            round_id=selection_round.id or 0,
            opens_on=opens,
            closes_on=closes,
            documents=documents_json(default_documents(level)),
            criteria=criteria_json(default_criteria()),
        )
    )
    session.flush()
    return selection_round.id or 0


def _certificate_of(session: Session, product: Product, round_id: int) -> Certificate:
    cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
    cert.round_id = round_id
    session.add(cert)
    session.flush()
    return cert


def _world(session: Session, settings: Settings) -> World:
    today = today_in()
    provincial = _round(
        session,
        Level.tinh,
        province_slug="da-nang",
        opens=today - timedelta(days=200),
        closes=today - timedelta(days=150),
    )
    regional = _round(
        session,
        Level.khu_vuc,
        province_slug=None,
        opens=today - timedelta(days=5),
        closes=today + timedelta(days=20),
    )
    won = make_product(
        session,
        name="Nước mắm Nam Ô",
        province_slug="da-nang",
        issued_on=today - timedelta(days=60),
        description="Nước mắm cá cơm ủ chượp.",
    )
    winner = _certificate_of(session, won, provincial)
    account = ProducerAccount(
        email="nam-o@vi-du.example",
        name="Chủ cơ sở Nam Ô",
        confirmed_at=utcnow(),
        producer_id=won.producer_id,
    )
    session.add(account)
    session.flush()
    source = Application(
        round_id=provincial,
        call_id=session.exec(select(RoundCall.id).where(RoundCall.round_id == provincial)).one(),
        account_id=account.id or 0,
        producer_id=won.producer_id,
        product_name="Nước mắm Nam Ô (hồ sơ)",
        group="che_bien",
        description="Hồ sơ cấp tỉnh.",
        self_scores=json.dumps({"thi_truong": 35, "khac": 8}),
        state=ApplicationState.ACCEPTED,
        decision="selected",
        certificate_id=winner.id,
    )
    session.add(source)
    session.flush()
    checked = check_document(b"%PDF-1.4\nphieu\n%%EOF\n", filename="phieu.pdf")
    write_document(settings.dossier_path, checked)
    session.add(
        ApplicationFile(
            application_id=source.id or 0,
            document_key="phieu_dang_ky",
            filename="phieu.pdf",
            content_hash=checked.content_hash,
            size=checked.size,
            media_type=checked.media_type,
        )
    )
    lonely = make_product(
        session, name="Bánh tráng Túy Loan", province_slug="da-nang", issued_on=today - timedelta(days=60)
    )
    no_account = _certificate_of(session, lonely, provincial)
    old = make_product(session, name="Chiếu cói Cẩm Nê", province_slug="da-nang", issued_on=date(2018, 1, 10))
    expired = _certificate_of(session, old, provincial)
    withdrawn = make_product(session, name="Gốm Thanh Hà", province_slug="da-nang",
                             issued_on=today - timedelta(days=60))
    withdrawn.state = ProductState.WITHDRAWN
    session.add(withdrawn)
    _certificate_of(session, withdrawn, provincial)
    session.commit()
    return World(
        provincial=provincial,
        regional=regional,
        winner=winner.id or 0,
        no_account=no_account.id or 0,
        expired=expired.id or 0,
        source=source.id or 0,
        account=account.id or 0,
    )


def _nominate(
    client: TestClient, world: World, certificate: int, target: int | None = None
) -> tuple[int, str]:
    token = csrf_of(client, "/quan-ly")
    response = client.post(
        f"/quan-ly/dot-binh-chon/{world.provincial}/de-cu",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "certificate": str(certificate),
            "target": str(world.regional if target is None else target),
        },
    )
    return response.status_code, response.text


def _alert(html: str) -> str:
    found = BeautifulSoup(html, "html.parser").find(id="certificate-error") or BeautifulSoup(
        html, "html.parser"
    ).find(id="target-error")
    assert found is not None, "no refusal shown"
    return found.get_text(" ", strip=True)


def test_an_office_nominates_a_winner_with_its_dossier_and_certificate(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = _world(session, settings)
    sign_in(client, make_user(session, province_slug="da-nang"))
    page = BeautifulSoup(client.get(f"/quan-ly/dot-binh-chon/{world.provincial}/de-cu").text, "html.parser")
    listed = [th.get_text(strip=True) for th in page.select("#winners tbody th")]
    assert listed == ["Bánh tráng Túy Loan", "Nước mắm Nam Ô"]  # valid today, published; Vietnamese order
    assert _nominate(client, world, world.winner)[0] == 303

    session.expire_all()
    nominated = session.exec(select(Application).where(Application.round_id == world.regional)).one()
    assert (nominated.state, nominated.lower_certificate_id, nominated.account_id) == (
        ApplicationState.DRAFT,
        world.winner,
        world.account,
    )
    assert (nominated.product_name, nominated.description) == ("Nước mắm Nam Ô (hồ sơ)", "Hồ sơ cấp tỉnh.")
    assert json.loads(nominated.self_scores) == {"thi_truong": 35, "khac": 8}
    files = session.exec(select(ApplicationFile).where(ApplicationFile.application_id == nominated.id)).all()
    assert [f.document_key for f in files] == ["phieu_dang_ky"]
    detail = application_detail(session, nominated, now=utcnow())
    lower = next(slot for slot in detail.slots if slot.item.key == LOWER_CERTIFICATE_ITEM)
    assert lower.certificate is not None and lower.certificate.id == world.winner
    assert not any(lower.item.label in item for item in missing_items(detail))  # attached: not missing
    mail = session.exec(select(MailMessage).where(MailMessage.recipient == "nam-o@vi-du.example")).one()
    assert "đề cử" in mail.subject
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "application.nominate")).one()
    assert entry.entity_id == nominated.id

    client.cookies.clear()
    sign_in(client, make_user(session, role="admin", province_slug=None))
    listing = client.get(f"/quan-ly/dot-binh-chon/{world.regional}/ho-so")
    assert listing.status_code == 200 and "Nước mắm Nam Ô (hồ sơ)" in listing.text
    shown = client.get(f"/quan-ly/ho-so/{nominated.id}")
    code = session.get_one(Certificate, world.winner).code
    assert shown.status_code == 200 and "gắn tự động khi đề cử" in shown.text and code in shown.text
    assert "phieu.pdf" in shown.text


def test_nominations_that_cannot_be_made_are_refused_by_name(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = _world(session, settings)
    sign_in(client, make_user(session, province_slug="da-nang"))
    status, html = _nominate(client, world, world.no_account)
    assert status == 422 and "chưa có tài khoản" in _alert(html)
    status, html = _nominate(client, world, world.expired)
    assert status == 422 and "còn hiệu lực" in _alert(html)
    status, html = _nominate(client, world, world.winner, target=world.provincial)  # not a higher call
    assert status == 422 and "cấp trên" in _alert(html)
    assert _nominate(client, world, world.winner)[0] == 303
    status, html = _nominate(client, world, world.winner)
    assert status == 422 and "đã có hồ sơ" in _alert(html)
    session.expire_all()
    assert len(session.exec(select(Application).where(Application.round_id == world.regional)).all()) == 1


def test_a_call_past_its_closing_day_takes_no_nomination(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = _world(session, settings)
    call = session.exec(select(RoundCall).where(RoundCall.round_id == world.regional)).one()
    call.closes_on = today_in() - timedelta(days=1)
    session.add(call)
    session.commit()
    sign_in(client, make_user(session, province_slug="da-nang"))
    page = client.get(f"/quan-ly/dot-binh-chon/{world.provincial}/de-cu")
    assert 'id="no-calls"' in page.text
    status, html = _nominate(client, world, world.winner)
    assert status == 422 and "đang nhận hồ sơ" in _alert(html)


def test_another_provinces_office_does_not_reach_the_round(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = _world(session, settings)
    sign_in(client, make_user(session, province_slug="ha-noi"))
    assert client.get(f"/quan-ly/dot-binh-chon/{world.provincial}/de-cu").status_code == 404
    assert _nominate(client, world, world.winner)[0] == 404
    session.expire_all()
    assert session.exec(select(Application).where(Application.round_id == world.regional)).all() == []


def test_a_second_certificate_of_the_same_producer_is_one_entry(
    session: Session, settings: Settings, client: TestClient
) -> None:
    """A producer with two winning products enters the regional round once (one application per producer
    per round): the second is refused by name."""
    world = _world(session, settings)
    won = session.get_one(Certificate, world.winner)
    product = session.get_one(Product, won.product_id)
    other = make_product(
        session, name="Mắm ruốc Nam Ô", province_slug="da-nang", issued_on=today_in() - timedelta(days=30)
    )
    other.producer_id = product.producer_id
    session.add(other)
    second = _certificate_of(session, other, world.provincial)
    session.commit()
    sign_in(client, make_user(session, province_slug="da-nang"))
    assert _nominate(client, world, world.winner)[0] == 303
    status, html = _nominate(client, world, second.id or 0)
    assert status == 422 and "đã có hồ sơ" in _alert(html)
