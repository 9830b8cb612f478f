"""Rows the accessibility, keyboard and office browser tests need beyond the three seeded products.

Every kind of page the audit visits must have something on it: a product with a photo and
a producer with every contact, a round with its winner, an expired and a revoked
certificate, office and administrator accounts, a misuse report and an audit entry; for the producer
area and the office's application pages (`seed_producers`), producer accounts with an application in an
open round, a submitted one and a pending claim.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image
from sqlmodel import Session, select

from app.config import Settings
from app.domain.calls import criteria_json, default_criteria, default_documents, documents_json
from app.domain.levels import Level
from app.domain.states import ApplicationState
from app.domain.validity import today_in
from app.files.images import process_image
from app.models import (
    Application,
    AuditEntry,
    Certificate,
    CorrectionReport,
    MisuseReport,
    ProducerAccount,
    ProducerClaim,
    Product,
    RoundCall,
    SelectionRound,
    utcnow,
)
from app.services.office.passwords import hash_password
from app.services.producers.tokens import LinkPurpose, sign_link
from app.services.records.photos import attach_image, store_image
from tests.factories import make_producer, make_product, make_user, province


def photo_bytes(size: tuple[int, int] = (640, 480), color: tuple[int, int, int] = (180, 90, 40),
                kind: str = "JPEG") -> bytes:
    """A small real photo file (one plain colour) in `kind` format."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


@dataclass(slots=True)
class Seeded:
    """What the tests address: slugs, codes, ids and accounts of the rows seeded for them."""

    product: str = ""
    producer: str = ""
    valid_code: str = ""
    expired_code: str = ""
    revoked_code: str = ""
    round_id: int = 0
    product_id: int = 0
    certificate_id: int = 0
    office_email: str = ""
    admin_email: str = ""
    report_id: int = 0
    correction_id: int = 0
    open_round_id: int = 0
    draft_id: int = 0  # the draft of `producer_email`'s producer in the open round
    application_id: int = 0  # a submitted application in the open round, which the office sees
    claim_id: int = 0
    producer_email: str = ""  # linked to a producer, with the draft
    claimant_email: str = ""  # not linked: one pending claim
    confirm_token: str = ""  # an unconfirmed account's confirmation link
    page_token: str = ""  # a sign-in link of the link-only account, only looked at
    sign_in_token: str = ""  # another, used to sign that account in
    password_token: str = ""  # that account's link to set a first password


def _certificate_of(session: Session, product: Product) -> Certificate:
    """The product's only certificate."""
    return session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()


def _round_with_winner(session: Session, settings: Settings, seeded: Seeded) -> None:
    """A Đà Nẵng provincial round (with its call for entries) whose winner has a photo and a producer with
    every contact; its certificate is issued this year, so it reads "valid" (not "ending soon") on any day."""
    selection_round = SelectionRound(level="tinh", year=2024, province_id=province(session, "da-nang").id,
                                     decision_number="15/QĐ-UBND", decision_date=date(2024, 11, 20))
    session.add(selection_round)
    producer = make_producer(session, name="HTX Nước mắm Nam Ô (ví dụ)", province_slug="da-nang",
                             legal_form="htx", address="Số 1 đường Ví Dụ, Đà Nẵng", phone="0900 000 111",
                             email="lienhe@nam-o.example", website="https://nam-o.example")
    product = make_product(session, name="Nước mắm Nam Ô", province_slug="da-nang", producer=producer,
                           issued_on=date(date.today().year, 1, 2), number="09/GCN-SCT",
                           description="Nước mắm cá cơm ủ chượp truyền thống.")
    processed = process_image(photo_bytes(), filename="nam-o.jpg")
    store_image(media_dir=settings.media_path, processed=processed)
    attach_image(session=session, product=product, processed=processed, alt="Chai nước mắm Nam Ô", position=0)
    certificate = _certificate_of(session, product)
    certificate.round_id = selection_round.id
    session.flush()
    assert selection_round.id is not None and product.id is not None and certificate.id is not None
    session.add(RoundCall(round_id=selection_round.id, opens_on=date(2024, 6, 1), closes_on=date(2024, 8, 31),
                          documents=documents_json(default_documents(Level.tinh)),
                          criteria=criteria_json(default_criteria()), pass_mark=70))
    seeded.product, seeded.producer, seeded.valid_code = product.slug, producer.slug, certificate.code
    seeded.round_id, seeded.product_id, seeded.certificate_id = selection_round.id, product.id, certificate.id


def _ended_certificates(session: Session, seeded: Seeded) -> None:
    """An expired certificate (issued 2019, valid to 31/12/2022) and a revoked one."""
    expired = make_product(session, name="Chiếu cói Kim Sơn", province_slug="ninh-binh",
                           group="thu_cong_my_nghe", issued_on=date(2019, 6, 1))
    revoked = make_product(session, name="Chè búp Tân Cương", province_slug="thai-nguyen",
                           issued_on=date(2023, 3, 1), revoked_on=date(2025, 2, 10))
    seeded.expired_code = _certificate_of(session, expired).code
    seeded.revoked_code = _certificate_of(session, revoked).code


def _office_records(session: Session, settings: Settings, seeded: Seeded) -> None:
    """Accounts, a misuse report with a photo about the Đà Nẵng product, an audit entry: for the office."""
    office = make_user(session, province_slug="da-nang")
    admin = make_user(session, role="admin", province_slug=None)
    seeded.office_email, seeded.admin_email = office.email, admin.email
    da_nang = province(session, "da-nang").id
    photo = process_image(photo_bytes((400, 300), (40, 90, 180)), filename="bao-cao.jpg")
    store_image(media_dir=settings.private_media_path, processed=photo)
    report = MisuseReport(product_id=seeded.product_id, certificate_id=seeded.certificate_id,
                          province_id=da_nang, reported_code=seeded.valid_code,
                          where_bought="Chợ Ví Dụ, Đà Nẵng", details="Bao bì khác ảnh trên trang.",
                          contact="nguoi-mua@vi-du.example", photo_hash=photo.content_hash,
                          photo_width=photo.width, photo_height=photo.height)
    session.add(report)
    session.flush()
    assert report.id is not None
    seeded.report_id = report.id
    correction = CorrectionReport(product_id=seeded.product_id, province_id=da_nang, field="co_so",
                                  details="Số điện thoại đã đổi.", email="nguoi-bao@vi-du.example")
    session.add(correction)
    session.flush()
    assert correction.id is not None
    seeded.correction_id = correction.id
    session.add(AuditEntry(user_id=office.id, action="product.update", entity="product",
                           entity_id=seeded.product_id, province_id=da_nang,
                           before=json.dumps({"name": "Nước mắm Nam O"}),
                           after=json.dumps({"name": "Nước mắm Nam Ô"})))


def seed_variety(session: Session, settings: Settings, seeded: Seeded) -> None:
    """Everything above, filled into `seeded` and committed."""
    _round_with_winner(session, settings, seeded)
    _ended_certificates(session, seeded)
    session.commit()  # make_user commits on its own: commit the rows above first, as one batch
    _office_records(session, settings, seeded)
    session.commit()  # the report's id was flushed: no write lock may outlive the seeding


PRODUCER_PASSWORD = "mat-khau-co-so-123"  # noqa: S105 - browser test accounts only


def _producer_account(session: Session, email: str, producer_id: int | None) -> ProducerAccount:
    """A confirmed producer account that signs in with PRODUCER_PASSWORD."""
    account = ProducerAccount(email=email, name=f"Chủ cơ sở {email.split('@')[0]}", confirmed_at=utcnow(),
                              password_hash=hash_password(PRODUCER_PASSWORD), producer_id=producer_id)
    session.add(account)
    session.flush()
    return account


def _open_call(session: Session, province_id: int) -> RoundCall:
    """A provincial round of this year whose call for entries is open today (Vietnam)."""
    today = today_in()
    selection_round = SelectionRound(level="tinh", year=today.year, province_id=province_id)
    session.add(selection_round)
    session.flush()
    assert selection_round.id is not None
    call = RoundCall(round_id=selection_round.id, opens_on=today - timedelta(days=10),
                     closes_on=today + timedelta(days=20), pass_mark=70,
                     documents=documents_json(default_documents(Level.tinh)),
                     criteria=criteria_json(default_criteria()))
    session.add(call)
    session.flush()
    return call


def _application(session: Session, call: RoundCall, name: str, state: ApplicationState) -> Application:
    """A new Đà Nẵng producer, its linked account and its application to `call` in `state`."""
    producer = make_producer(session, name=name, province_slug="da-nang")
    account = _producer_account(session, f"{producer.slug}@vi-du.example", producer.id)
    assert account.id is not None and producer.id is not None and call.id is not None
    application = Application(round_id=call.round_id, call_id=call.id, account_id=account.id,
                              producer_id=producer.id, product_name=name.removeprefix("Cơ sở "),
                              group="che_bien", description="Làm thủ công theo cách truyền thống.",
                              state=state, submitted_at=None if state is ApplicationState.DRAFT else utcnow())
    session.add(application)
    session.flush()
    return application


def seed_producers(session: Session, seeded: Seeded) -> None:
    """A Đà Nẵng round open today with a draft and a submitted application, and an account with a pending
    claim to the Nam Ô producer; after `seed_variety`."""
    da_nang = province(session, "da-nang").id
    assert da_nang is not None
    call = _open_call(session, da_nang)
    draft = _application(session, call, "Cơ sở Bánh khô mè Cẩm Lệ", ApplicationState.DRAFT)
    submitted = _application(session, call, "Cơ sở Chả bò Đà Nẵng", ApplicationState.SUBMITTED)
    claimant = _producer_account(session, "nguoi-nhan-co-so@vi-du.example", None)
    nam_o = session.exec(select(Product).where(Product.id == seeded.product_id)).one().producer_id
    claim = ProducerClaim(account_id=claimant.id or 0, producer_id=nam_o, province_id=da_nang,
                          message="Mã số thuế 0401234567; điện thoại 0900 000 111.")
    session.add(claim)
    session.flush()
    drafter = session.get(ProducerAccount, draft.account_id)
    assert drafter is not None and draft.id is not None and submitted.id is not None and claim.id is not None
    seeded.open_round_id, seeded.draft_id, seeded.application_id = call.round_id, draft.id, submitted.id
    seeded.producer_email, seeded.claimant_email, seeded.claim_id = drafter.email, claimant.email, claim.id
    session.commit()


def seed_links(session: Session, settings: Settings, seeded: Seeded) -> None:
    """An unconfirmed account and a link-only one, and live one-time links of theirs (each page's own)."""
    unconfirmed = ProducerAccount(email="chua-xac-nhan@vi-du.example", name="Người đăng ký mới")
    session.add(unconfirmed)
    link_only = _producer_account(session, "chi-dung-duong-dan@vi-du.example", None)
    link_only.password_hash = ""
    session.add(link_only)
    session.flush()
    secret = settings.secret_key
    seeded.confirm_token = sign_link(secret=secret, purpose=LinkPurpose.confirm, account=unconfirmed)[0]
    seeded.page_token = sign_link(secret=secret, purpose=LinkPurpose.sign_in, account=link_only)[0]
    seeded.sign_in_token = sign_link(secret=secret, purpose=LinkPurpose.sign_in, account=link_only)[0]
    seeded.password_token = sign_link(secret=secret, purpose=LinkPurpose.password, account=link_only)[0]
    session.commit()
