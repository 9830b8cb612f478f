"""Every office route × every kind of caller: anonymous, own office, another office, wrong role, admin, juror;
and every juror route (/giam-khao) × the same callers.

Routes are read from the admin routers themselves, so a new route without an entry in
ROUTE_RULES fails `test_every_admin_route_is_in_the_matrix`. For each call the test checks
the status and that no response to the Đà Nẵng office carries any Hà Nội record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.domain.states import ApplicationState
from app.files.dossier import check_document, write_document
from app.files.images import process_image
from app.models import (
    Application,
    ApplicationFile,
    Certificate,
    CorrectionReport,
    ImportBatch,
    MisuseReport,
    ProducerAccount,
    ProducerClaim,
    ProductImage,
    RoundCall,
    SelectionRound,
)
from app.routes import (
    admin_accounts,
    admin_applications,
    admin_auth,
    admin_bulk_photos,
    admin_calls,
    admin_claims,
    admin_corrections,
    admin_dashboard,
    admin_jury,
    admin_nominations,
    admin_photos,
    admin_records,
    admin_reports,
    admin_round_decision,
    admin_rounds,
    juror,
)
from app.services.records.photos import store_image
from tests.admin.jury_seed import ScoredRound, appoint, scored_round
from tests.browser.seeds import photo_bytes
from tests.factories import add_certificate, csrf_of, make_product, make_user, province, sign_in
from tests.services.sheets import row, write_csv

SECRET = "BIMATHANOI"  # appears only in Hà Nội's records: must never reach the Đà Nẵng office
ALLOWED_GET = {200}
ALLOWED_POST = {200, 303, 400, 413, 422}  # an empty form is refused for its content, never for access
PUBLIC = {("GET", "/quan-ly/dang-nhap"), ("POST", "/quan-ly/dang-nhap"), ("POST", "/quan-ly/dang-xuat")}


@dataclass(frozen=True)
class Rule:
    """How a route is reached: which record its parameters name, and who may use it."""

    record: str | None = None  # product, certificate, …, report, correction, claim, dossier
    admin_only: bool = False
    office_forbidden: bool = False  # an office of the right province is still refused (403)
    account_bound: bool = False  # the record belongs to one account: any other, admin included, gets 404


ROUTE_RULES: dict[str, Rule] = {
    "/quan-ly": Rule(),
    "/quan-ly/mat-khau": Rule(),
    "/quan-ly/thong-ke.xlsx": Rule(),
    "/quan-ly/nhat-ky": Rule(admin_only=True),
    "/quan-ly/san-pham": Rule(),
    "/quan-ly/san-pham/{product_id}": Rule("product"),
    "/quan-ly/san-pham/{product_id}/trang-thai": Rule("product"),
    "/quan-ly/san-pham/{product_id}/anh": Rule("product"),
    "/quan-ly/san-pham/{product_id}/anh/mo-ta": Rule("product"),
    "/quan-ly/san-pham/{product_id}/anh/{image_id}/{action}": Rule("image"),
    "/quan-ly/giay-chung-nhan/{certificate_id}": Rule("certificate"),
    "/quan-ly/giay-chung-nhan/{certificate_id}/thu-hoi": Rule("certificate"),
    "/quan-ly/giay-chung-nhan/{certificate_id}/huy-thu-hoi": Rule("certificate"),
    "/quan-ly/dot-binh-chon": Rule(),
    "/quan-ly/dot-binh-chon/moi": Rule(),
    "/quan-ly/dot-binh-chon/{round_id}": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/nhap": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/goi-ho-so": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/quyet-dinh": Rule("round"),
    "/quan-ly/nhap/{batch_id}": Rule("batch"),
    "/quan-ly/nhap/{batch_id}/xuat-ban": Rule("batch"),
    "/quan-ly/mau-danh-sach.xlsx": Rule(),
    "/quan-ly/tai-khoan": Rule(admin_only=True),
    "/quan-ly/tai-khoan/{user_id}": Rule(admin_only=True),
    "/quan-ly/tai-khoan/{user_id}/trang-thai": Rule(admin_only=True),
    "/quan-ly/tai-khoan/{user_id}/dat-lai-mat-khau": Rule(admin_only=True),
    "/quan-ly/bao-cao": Rule(),
    "/quan-ly/bao-cao/{report_id}": Rule("report"),
    "/quan-ly/bao-cao/{report_id}/trang-thai": Rule("report"),
    "/quan-ly/bao-cao/{report_id}/anh": Rule("report"),
    "/quan-ly/bao-sai": Rule(),
    "/quan-ly/bao-sai/{correction_id}": Rule("correction"),
    "/quan-ly/bao-sai/{correction_id}/trang-thai": Rule("correction"),
    "/quan-ly/anh-hang-loat": Rule(),
    "/quan-ly/yeu-cau-nhan-co-so": Rule(),
    "/quan-ly/yeu-cau-nhan-co-so/{claim_id}": Rule("claim"),
    "/quan-ly/anh-hang-loat/{token}": Rule("bulk", account_bound=True),
    "/quan-ly/anh-hang-loat/{token}/ap-dung": Rule("bulk", account_bound=True),
    "/quan-ly/dot-binh-chon/{round_id}/ho-so": Rule("round"),
    "/quan-ly/ho-so/{application_id}": Rule("application"),
    "/quan-ly/ho-so/{application_id}/tep/{file_id}": Rule("application"),
    "/quan-ly/dot-binh-chon/{round_id}/giam-khao": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/giam-khao/{juror_id}/thoi-cu": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/cham-diem": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/cong-bo": Rule("round"),
    "/quan-ly/dot-binh-chon/{round_id}/de-cu": Rule("round"),
}
# The one office page a juror may open: its own password. Every other refuses it (403).
JUROR_ALLOWED = {"/quan-ly/mat-khau"}
# An office may not touch a national certificate even of its own province.
NATIONAL_CERTIFICATE_ROUTES = {p for p in ROUTE_RULES if p.startswith("/quan-ly/giay-chung-nhan/")}


def admin_routes() -> list[tuple[str, str]]:
    """(method, path) of every office route, from the routers themselves."""
    found = set()
    modules = (admin_accounts, admin_applications, admin_auth, admin_bulk_photos, admin_calls, admin_claims,
               admin_corrections, admin_dashboard, admin_jury, admin_nominations, admin_photos, admin_records,
               admin_reports, admin_round_decision, admin_rounds)
    for module in modules:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return sorted(found - PUBLIC)


@dataclass
class World:
    """Records of Đà Nẵng (with former Quảng Nam) and of Hà Nội, and ids to reach them."""

    own: dict[str, int | str]
    other: dict[str, int | str]


def _upload_batch(client: TestClient, round_id: int, path: Path) -> int:
    token = csrf_of(client, "/quan-ly/dot-binh-chon")
    files = {"file": (path.name, path.read_bytes(), "text/csv")}
    response = client.post(f"/quan-ly/dot-binh-chon/{round_id}/nhap", data={"csrf_token": token},
                           files=files, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[-1])


def _stage_photos(client: TestClient) -> str:
    """A bulk photo upload staged by the signed-in account: its token."""
    token = csrf_of(client, "/quan-ly/anh-hang-loat")
    photo = ("photos", ("khong-khop.png", b"\x89PNG not an image", "image/png"))
    response = client.post("/quan-ly/anh-hang-loat", data={"csrf_token": token}, files=[photo],
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[-1]


def _records(session: Session, settings: Settings, slug: str, certified_in: str,
             name: str) -> dict[str, int | str]:
    product = make_product(session, name=name, province_slug=slug, certified_in=certified_in)
    photo = process_image(photo_bytes(), filename="bao-cao.jpg")
    store_image(media_dir=settings.private_media_path, processed=photo)
    report = MisuseReport(product_id=product.id, province_id=province(session, slug).id, reported_code=name,
                          where_bought=f"Chợ của {name}", photo_hash=photo.content_hash,
                          photo_width=photo.width, photo_height=photo.height)
    national = add_certificate(session, product, level="quoc_gia", issued_on=date(2025, 11, 1),
                               certified_in=slug)
    image = ProductImage(product_id=product.id, content_hash="ab" * 32, width=800, height=600, alt=name)
    selection_round = SelectionRound(level="tinh", year=2025, province_id=province(session, slug).id)
    account = ProducerAccount(email=f"co-so-{slug}@vi-du.example", name=f"Chủ cơ sở {name}")
    correction = CorrectionReport(product_id=product.id, producer_id=product.producer_id,
                                  province_id=province(session, slug).id, field="ten",
                                  details=f"Tên đúng là {name}", email=f"bao-sai@{slug}.example")
    session.add_all([image, selection_round, report, account, correction])
    session.flush()
    assert account.id is not None
    claim = ProducerClaim(account_id=account.id, producer_id=product.producer_id,
                          province_id=product.province_id, message=f"Lời nhắn của {name}")
    session.add(claim)
    application, dossier_file = _application(session, settings, selection_round, account, claim.producer_id,
                                             name)
    session.commit()
    assert selection_round.id is not None
    juror_user = appoint(session, selection_round.id)
    tinh = session.exec(select(Certificate).where(Certificate.product_id == product.id,
                                                  Certificate.level == "tinh")).one()
    assert product.id and national.id and tinh.id and image.id and selection_round.id and report.id
    assert claim.id is not None and application.id is not None and dossier_file.id is not None
    assert correction.id is not None
    return {"product": product.id, "certificate": tinh.id, "national": national.id,
            "image": image.id, "round": selection_round.id, "report": report.id, "claim": claim.id,
            "application": application.id, "file": dossier_file.id, "juror": juror_user.id or 0,
            "correction": correction.id}


def _application(session: Session, settings: Settings, selection_round: SelectionRound,
                 account: ProducerAccount, producer_id: int,
                 name: str) -> tuple[Application, ApplicationFile]:
    """A submitted application to the round's call, with one stored PDF."""
    assert selection_round.id is not None and account.id is not None
    call = RoundCall(round_id=selection_round.id, opens_on=date(2025, 6, 1), closes_on=date(2025, 8, 31))
    session.add(call)
    session.flush()
    assert call.id is not None
    application = Application(round_id=selection_round.id, call_id=call.id, account_id=account.id,
                              producer_id=producer_id, product_name=name, state=ApplicationState.SUBMITTED)
    session.add(application)
    session.flush()
    assert application.id is not None
    checked = check_document(b"%PDF-1.4\n" + name.encode() + b"\n%%EOF\n", filename="don.pdf")
    write_document(settings.dossier_path, checked)
    dossier_file = ApplicationFile(application_id=application.id, document_key="phieu_dang_ky",
                                   filename="don.pdf", content_hash=checked.content_hash, size=checked.size,
                                   media_type=checked.media_type)
    session.add(dossier_file)
    session.flush()
    return application, dossier_file


@pytest.fixture
def world(client: TestClient, session: Session, settings: Settings, tmp_path: Path) -> World:
    """Both provinces' records (a misuse report with a photo each), and one import batch each."""
    own = _records(session, settings, "da-nang", "quang-nam", "Nước mắm Nam Ô")
    other = _records(session, settings, "ha-noi", "ha-noi", f"Lụa Vạn Phúc {SECRET}")
    for slug, ids, product_name in (("da-nang", own, "Chả bò Đà Nẵng"), ("ha-noi", other, f"Bánh {SECRET}")):
        office = make_user(session, province_slug=slug)
        assert office.id is not None
        ids["user"] = office.id
        sign_in(client, office)
        winner = row(province=slug, issued_on="15/12/2025", product_name=product_name,
                     producer_name=product_name)
        sheet = write_csv(tmp_path / f"{slug}.csv", [winner])
        ids["batch"] = _upload_batch(client, int(ids["round"]), sheet)
        ids["token"] = _stage_photos(client)
        client.cookies.clear()
    assert session.exec(select(ImportBatch)).all()
    return World(own=own, other=other)


def _url(path: str, rule: Rule, ids: dict[str, int | str]) -> str:
    values = {"product_id": ids["product"], "certificate_id": ids["certificate"], "round_id": ids["round"],
              "batch_id": ids["batch"], "image_id": ids["image"], "action": "bia",
              "user_id": ids["user"], "report_id": ids["report"], "token": ids["token"],
              "claim_id": ids["claim"], "application_id": ids["application"], "file_id": ids["file"],
              "juror_id": ids["juror"], "correction_id": ids["correction"]}
    return path.format(**values)


def _call(client: TestClient, method: str, url: str) -> tuple[int, str]:
    if method == "GET":
        response = client.get(url, follow_redirects=False)
    else:
        token = csrf_of(client, "/quan-ly/dang-nhap")
        response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    body = response.text if "text" in response.headers.get("content-type", "") else ""
    return response.status_code, body


def test_every_admin_route_is_in_the_matrix() -> None:
    missing = {path for _, path in admin_routes()} - ROUTE_RULES.keys()
    assert not missing, f"add these routes to ROUTE_RULES: {sorted(missing)}"


@pytest.mark.parametrize(("method", "path"), admin_routes())
def test_route_answers_each_caller_as_expected(client: TestClient, session: Session, world: World,
                                               method: str, path: str) -> None:
    rule = ROUTE_RULES[path]
    allowed = ALLOWED_GET if method == "GET" else ALLOWED_POST
    own_url = _url(path, rule, world.own)

    status, _ = _call(client, method, own_url)  # anonymous (with a session token for POSTs)
    assert status == 302, f"anonymous {method} {own_url}: {status}"

    sign_in(client, make_user(session, province_slug="da-nang"))
    if rule.account_bound:  # the office's own upload; the world's Đà Nẵng upload is a colleague's
        status, _ = _call(client, method, own_url)
        assert status == 404, f"colleague's upload {method} {own_url}: {status}"
        own_url = _url(path, rule, {**world.own, "token": _stage_photos(client)})
    status, body = _call(client, method, own_url)
    expected = {403} if rule.admin_only or rule.office_forbidden else allowed
    assert status in expected, f"own office {method} {own_url}: {status}"
    assert SECRET not in body
    if rule.record is not None:
        other_url = _url(path, rule, world.other)
        status, body = _call(client, method, other_url)
        assert status in ({403} if rule.admin_only else {404}), f"own office on Hà Nội {method} {other_url}"
        assert SECRET not in body
    if path in NATIONAL_CERTIFICATE_ROUTES:
        national_url = _url(path, rule, {**world.own, "certificate": world.own["national"]})
        status, body = _call(client, method, national_url)
        assert status == 403, f"office on a national certificate {method} {national_url}: {status}"
    client.cookies.clear()

    sign_in(client, make_user(session, role="admin"))
    for ids in (world.own, world.other):
        status, _ = _call(client, method, _url(path, rule, ids))
        expected = {404} if rule.account_bound else allowed
        assert status in expected, f"admin {method} {_url(path, rule, ids)}: {status}"
    if rule.account_bound:
        own_upload = _url(path, rule, {**world.own, "token": _stage_photos(client)})
        status, _ = _call(client, method, own_upload)
        assert status in allowed, f"admin on its own upload {method} {own_upload}: {status}"
    client.cookies.clear()

    sign_in(client, make_user(session, role="juror"))  # appointed or not, a juror never enters /quan-ly
    status, body = _call(client, method, _url(path, rule, world.own))
    expected = allowed if path in JUROR_ALLOWED else {403}
    assert status in expected, f"juror {method} {own_url}: {status}"
    assert SECRET not in body


def test_no_csrf_token_no_change(client: TestClient, session: Session, world: World) -> None:
    sign_in(client, make_user(session, role="admin"))
    for method, path in admin_routes():
        if method == "POST":
            url = _url(path, ROUTE_RULES[path], world.own)
            photo = {"photos": ("a.jpg", b"\xff\xd8", "image/jpeg")}  # a well-formed multipart post
            forged = client.post(url, data={"alt": "x"}, files=photo, follow_redirects=False)
            assert forged.status_code == 403, url


def juror_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the jurors' area, from its router."""
    found = set()
    for route in juror.router.routes:
        assert isinstance(route, APIRoute)
        found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return sorted(found)


JUROR_PATHS = {"/giam-khao", "/giam-khao/dot/{round_id}", "/giam-khao/ho-so/{application_id}",
               "/giam-khao/ho-so/{application_id}/xung-dot",
               "/giam-khao/ho-so/{application_id}/tep/{file_id}"}


def test_every_juror_route_is_in_the_matrix() -> None:
    assert {path for _, path in juror_routes()} == JUROR_PATHS


@pytest.mark.parametrize(("method", "path"), juror_routes())
def test_juror_route_answers_each_caller_as_expected(client: TestClient, session: Session, settings: Settings,
                                                     method: str, path: str) -> None:
    accepted = ApplicationState.ACCEPTED
    own = scored_round(session, settings, province_slug="da-nang", names={"Nước mắm Nam Ô": accepted})
    other = scored_round(session, settings, province_slug="ha-noi", names={f"Lụa {SECRET}": accepted})
    appointed = appoint(session, own.round_id)
    appoint(session, other.round_id)  # another juror's round

    def url(world: ScoredRound) -> str:
        (application_id, file_id), = zip(world.applications.values(), world.files.values(), strict=True)
        return path.format(round_id=world.round_id, application_id=application_id, file_id=file_id)

    allowed = ALLOWED_GET if method == "GET" else ALLOWED_POST
    status, _ = _call(client, method, url(own))
    assert status == 302, f"anonymous {method} {url(own)}: {status}"
    for staff in (make_user(session, province_slug="da-nang"), make_user(session, role="admin")):
        sign_in(client, staff)
        status, body = _call(client, method, url(own))
        assert status == 403, f"{staff.role} {method} {url(own)}: {status}"
        assert SECRET not in body
        client.cookies.clear()
    sign_in(client, appointed)
    status, body = _call(client, method, url(own))
    assert status in allowed, f"appointed juror {method} {url(own)}: {status}"
    assert SECRET not in body
    if "{" in path:
        status, body = _call(client, method, url(other))
        assert status == 404, f"juror on another round {method} {url(other)}: {status}"
        assert SECRET not in body


def test_juror_forms_need_the_csrf_token(client: TestClient, session: Session, settings: Settings) -> None:
    own = scored_round(session, settings, names={"Nước mắm Nam Ô": ApplicationState.ACCEPTED})
    sign_in(client, appoint(session, own.round_id))
    (application_id,) = own.applications.values()
    for path in ("/giam-khao/ho-so/{id}", "/giam-khao/ho-so/{id}/xung-dot"):
        forged = client.post(path.format(id=application_id), data={"conflict_note": "x", "diem-khac": "1"},
                             follow_redirects=False)
        assert forged.status_code == 403, path
