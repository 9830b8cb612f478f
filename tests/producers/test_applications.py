"""Applications to a call: the producer's whole path, the office's check, the closing day, file access.

Real SQLite, real files (a PDF and a JPEG made by Pillow), the real routes. Dossier files are
reachable only by their producer account, the office of the round's province and administrators.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.config import Settings
from app.domain.calls import Criterion, DocumentItem, criteria_json, documents_json
from app.domain.states import ApplicationState
from app.domain.validity import today_in
from app.errors import InvalidInput
from app.files.dossier import MAX_FILE_BYTES, check_document, write_document
from app.forms.applications import ApplicationForm
from app.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    AuditEntry,
    MailMessage,
    ProducerAccount,
    RoundCall,
    SelectionRound,
    utcnow,
)
from app.routes import producer_applications
from app.services.applications.producer import own_detail, save_draft, start_application, submit_application
from app.services.office.passwords import hash_password
from tests.factories import csrf_of, make_producer, make_user, province, sign_in
from tests.producers.helpers import PASSWORD, password_sign_in

DOCUMENTS = [DocumentItem("phieu_dang_ky", "Phiếu đăng ký tham gia bình chọn"),
             DocumentItem("hinh_anh", "Ảnh sản phẩm"),
             DocumentItem("nhan_hieu", "Giấy chứng nhận đăng ký nhãn hiệu", required=False)]
CRITERIA = [Criterion("thi_truong", "Nhóm tiêu chí về thị trường", 60),
            Criterion("van_hoa", "Nhóm tiêu chí về văn hóa và thẩm mỹ", 40)]
FIELDS = {"product_name": "Nước mắm Nam Ô", "group": "che_bien",
          "description": "Nước mắm cá cơm ủ chượp 12 tháng.", "diem-thi_truong": "50", "diem-van_hoa": "35,5"}


def pdf_bytes() -> bytes:
    """A real one-page PDF (Pillow writes it)."""
    out = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    """A real JPEG photo."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def open_round(session: Session, *, province_slug: str = "da-nang", opens: date | None = None,
           closes: date | None = None) -> SelectionRound:
    """A provincial round with a call open today (Vietnam) unless dates are given."""
    today = today_in()
    selection_round = SelectionRound(level="tinh", year=today.year,
                                     province_id=province(session, province_slug).id)
    session.add(selection_round)
    session.flush()
    assert selection_round.id is not None
    session.add(RoundCall(round_id=selection_round.id, opens_on=opens or today - timedelta(days=5),
                          closes_on=closes or today + timedelta(days=5), documents=documents_json(DOCUMENTS),
                          criteria=criteria_json(CRITERIA)))
    session.commit()
    return selection_round


def linked_account(session: Session, email: str, *, province_slug: str = "da-nang") -> ProducerAccount:
    """A confirmed producer account linked to a new producer of the province."""
    producer = make_producer(session, name=f"Cơ sở {email}", province_slug=province_slug)
    account = ProducerAccount(email=email, name=f"Chủ {email}", password_hash=hash_password(PASSWORD),
                              confirmed_at=utcnow(), producer_id=producer.id)
    session.add(account)
    session.commit()
    return account


def _as_producer(client: TestClient, account: ProducerAccount) -> None:
    client.cookies.clear()
    assert password_sign_in(client, email=account.email) == 303


def _as_office(client: TestClient, session: Session, province_slug: str | None, role: str = "office") -> None:
    client.cookies.clear()
    sign_in(client, make_user(session, province_slug=province_slug, role=role))


def _post(client: TestClient, path: str, data: dict[str, str] | None = None, *,
          token_page: str = "/tai-khoan") -> tuple[int, str]:  # noqa: S107 - a page, not a password
    token = csrf_of(client, token_page)
    response = client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False)
    return response.status_code, response.text


def _upload(client: TestClient, application_id: int, document: str, name: str, data: bytes,
            posted_type: str = "application/pdf") -> tuple[int, str]:
    token = csrf_of(client, "/tai-khoan")
    response = client.post(f"/tai-khoan/ho-so/{application_id}/tep",
                           data={"csrf_token": token, "document": document},
                           files={"file": (name, data, posted_type)}, follow_redirects=False)
    return response.status_code, response.text


def _start(client: TestClient, round_id: int) -> int:
    status, _ = _post(client, "/tai-khoan/ho-so", {"round": str(round_id)})
    assert status == 303
    with Session(client.app.state.engine) as s:  # type: ignore[attr-defined]
        return int(s.exec(select(Application.id).order_by(col(Application.id).desc())).first() or 0)


def _field_error(html: str, name: str) -> str:
    found = BeautifulSoup(html, "html.parser").find(id=f"{name}-error")
    assert found is not None, f"no error for {name}"
    return found.get_text(" ", strip=True)


def _state(session: Session, application_id: int) -> str:
    session.expire_all()
    application = session.get(Application, application_id)
    assert application is not None
    return str(application.state)


def test_whole_path_from_draft_to_accepted(client: TestClient, session: Session, settings: Settings) -> None:
    selection_round = open_round(session)
    account = linked_account(session, "nam.o@example.vn")
    _as_producer(client, account)
    call_page = BeautifulSoup(client.get(f"/nop-ho-so/{selection_round.id}").text, "html.parser")
    apply = call_page.select_one("#apply a")
    assert apply is not None and apply["href"] == f"/tai-khoan/ho-so/moi?dot={selection_round.id}"
    assert client.get(str(apply["href"])).status_code == 200
    assert selection_round.id is not None
    application_id = _start(client, selection_round.id)
    assert _start(client, selection_round.id) == application_id  # one per producer per round

    assert _post(client, f"/tai-khoan/ho-so/{application_id}", FIELDS)[0] == 303
    assert _upload(client, application_id, "phieu_dang_ky", "phieu.pdf", pdf_bytes())[0] == 303
    status, html = _upload(client, application_id, "phieu_dang_ky", "gia.pdf", b"<!doctype html><p>PDF</p>")
    assert status == 422 and "gia.pdf" in _field_error(html, "file") and "PDF" in _field_error(html, "file")
    too_big = b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES
    status, html = _upload(client, application_id, "nhan_hieu", "lon.pdf", too_big)
    assert status == 422 and "lon.pdf" in _field_error(html, "file") and "20 MB" in _field_error(html, "file")

    status, html = _post(client, f"/tai-khoan/ho-so/{application_id}/nop")
    assert status == 422 and "Ảnh sản phẩm" in _field_error(html, "submit")
    assert "Phiếu đăng ký" not in _field_error(html, "submit")
    assert _upload(client, application_id, "hinh_anh", "anh.jpg", jpeg_bytes(), "image/jpeg")[0] == 303
    assert _post(client, f"/tai-khoan/ho-so/{application_id}/nop")[0] == 303
    assert _state(session, application_id) == ApplicationState.SUBMITTED

    page = BeautifulSoup(client.get(f"/tai-khoan/ho-so/{application_id}").text, "html.parser")  # locked
    assert page.find(id="field-product_name") is None and page.find(id="self-scores") is not None
    status, _ = _post(client, f"/tai-khoan/ho-so/{application_id}", {**FIELDS, "product_name": "Đổi tên"})
    assert status == 422
    files = session.exec(select(ApplicationFile)
                         .where(ApplicationFile.application_id == application_id)).all()
    assert len(files) == 2
    status, _ = _post(client, f"/tai-khoan/ho-so/{application_id}/tep/{files[0].id}/xoa")
    assert status == 422

    _as_office(client, session, "da-nang")
    listing = BeautifulSoup(client.get(f"/quan-ly/dot-binh-chon/{selection_round.id}/ho-so").text,
                            "html.parser")
    assert listing.select_one("#applications") is not None and "Nước mắm Nam Ô" in listing.get_text()
    round_page = BeautifulSoup(client.get(f"/quan-ly/dot-binh-chon/{selection_round.id}").text, "html.parser")
    assert "Nước mắm Nam Ô" in round_page.select_one("#applications").get_text()  # type: ignore[union-attr]
    decide = f"/quan-ly/ho-so/{application_id}"
    status, html = _post(client, decide, {"decision": "return", "note": ""}, token_page="/quan-ly")
    assert status == 422 and "ghi" in _field_error(html, "note")
    note = "Bổ sung ảnh nhãn sản phẩm."
    assert _post(client, decide, {"decision": "return", "note": note}, token_page="/quan-ly")[0] == 303
    assert _state(session, application_id) == ApplicationState.RETURNED

    _as_producer(client, account)
    page = BeautifulSoup(client.get(f"/tai-khoan/ho-so/{application_id}").text, "html.parser")
    assert note in page.select_one("#office-note").get_text()  # type: ignore[union-attr]
    fixed = {**FIELDS, "description": "Có nhãn mới."}
    assert _post(client, f"/tai-khoan/ho-so/{application_id}", fixed)[0] == 303
    assert _post(client, f"/tai-khoan/ho-so/{application_id}/nop")[0] == 303

    _as_office(client, session, "da-nang")
    assert _post(client, decide, {"decision": "accept", "note": ""}, token_page="/quan-ly")[0] == 303
    assert _state(session, application_id) == ApplicationState.ACCEPTED

    moves = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
                         .order_by(col(ApplicationEvent.id))).all()
    assert [(m.from_state, m.to_state) for m in moves] == [
        ("draft", "submitted"), ("submitted", "returned"), ("returned", "submitted"),
        ("submitted", "accepted")]
    assert moves[1].note == note and moves[1].user_id is not None and moves[0].account_id == account.id
    entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "application",
                                                    AuditEntry.entity_id == application_id)).all()
    actions = [e.action for e in entries]
    assert {"application.create", "application.update", "application.file_add", "application.submit",
            "application.return", "application.accept"} <= set(actions)
    _as_office(client, session, None, role="admin")
    log = BeautifulSoup(client.get("/quan-ly/nhat-ky").text, "html.parser").get_text(" ")
    assert "Trả lại hồ sơ để bổ sung" in log and "Cơ sở nộp hồ sơ" in log and "Hồ sơ bình chọn" in log
    mails = session.exec(select(MailMessage).where(MailMessage.recipient == account.email)
                         .order_by(col(MailMessage.id))).all()
    assert len(mails) == 2 and note in mails[0].text_body and "tiếp nhận" in mails[1].subject
    assert (settings.data_dir / "private" / "dossiers").is_dir()
    assert not list(settings.media_path.rglob(files[0].content_hash + "*"))

    client.cookies.clear()
    public = BeautifulSoup(client.get(f"/nop-ho-so/{selection_round.id}").text, "html.parser")
    counts = public.select_one("#application-counts")
    assert counts is not None and "1 hồ sơ đã nộp" in counts.get_text()
    assert "1 hồ sơ đã được tiếp nhận" in counts.get_text()
    assert "Nước mắm Nam Ô" not in public.get_text() and account.email not in public.get_text()
    assert public.select_one("#apply a[href='/tai-khoan/dang-nhap']") is not None


def test_self_assessment_over_the_criterion_points_is_refused(client: TestClient, session: Session) -> None:
    selection_round = open_round(session)
    account = linked_account(session, "diem@example.vn")
    _as_producer(client, account)
    assert selection_round.id is not None
    application_id = _start(client, selection_round.id)
    status, html = _post(client, f"/tai-khoan/ho-so/{application_id}", {**FIELDS, "diem-van_hoa": "41"})
    message = _field_error(html, "diem-van_hoa")
    assert status == 422 and "văn hóa" in message and "40" in message


def _complete(session: Session, account: ProducerAccount, round_id: int, now: datetime) -> Application:
    """A draft with every field, score and required file, started at `now`."""
    application = start_application(session=session, account=account, round_id=round_id, now=now)
    assert application.id is not None
    detail = own_detail(session=session, account=account, application_id=application.id, now=now)
    save_draft(session=session, account=account, detail=detail,
               form=ApplicationForm(product_name="Chiếu cói", group="thu_cong_my_nghe",
                                    description="Chiếu dệt tay.", scores={"thi_truong": 40, "van_hoa": 30}))
    for key in ("phieu_dang_ky", "hinh_anh"):
        session.add(ApplicationFile(application_id=application.id, document_key=key, filename=f"{key}.pdf",
                                    content_hash="ab" * 32, size=10, media_type="application/pdf"))
    session.commit()
    return application


@pytest.mark.parametrize(("instant", "accepted"), [
    (datetime(2026, 12, 31, 16, 59, tzinfo=UTC), True),  # 23:59 on the closing day in Vietnam
    (datetime(2026, 12, 31, 17, 1, tzinfo=UTC), False),  # 00:01 the next day in Vietnam
])
def test_submit_until_the_end_of_the_closing_day_in_vietnam(session: Session, instant: datetime,
                                                          accepted: bool) -> None:
    selection_round = open_round(session, opens=date(2026, 12, 1), closes=date(2026, 12, 31))
    account = linked_account(session, "han.chot@example.vn")
    assert selection_round.id is not None
    application = _complete(session, account, selection_round.id, datetime(2026, 12, 20, 3, 0, tzinfo=UTC))
    assert application.id is not None
    detail = own_detail(session=session, account=account, application_id=application.id, now=instant)
    if accepted:
        submit_application(session=session, account=account, detail=detail)
        assert application.state == ApplicationState.SUBMITTED
    else:
        with pytest.raises(InvalidInput, match="không còn nhận hồ sơ"):
            submit_application(session=session, account=account, detail=detail)
        assert application.state == ApplicationState.DRAFT


def test_after_the_closing_day_the_page_is_read_only(client: TestClient, session: Session) -> None:
    today = today_in()
    selection_round = open_round(session, opens=today - timedelta(days=30), closes=today - timedelta(days=1))
    account = linked_account(session, "tre.han@example.vn")
    assert selection_round.id is not None and account.producer_id is not None
    call = session.exec(select(RoundCall).where(RoundCall.round_id == selection_round.id)).one()
    assert account.id is not None and call.id is not None
    application = Application(round_id=selection_round.id, call_id=call.id, account_id=account.id,
                              producer_id=account.producer_id, product_name="Gốm Thanh Hà")
    session.add(application)
    session.commit()
    _as_producer(client, account)
    page = BeautifulSoup(client.get(f"/tai-khoan/ho-so/{application.id}").text, "html.parser")
    assert page.find(id="closed") is not None and page.find(id="field-product_name") is None
    status, html = _post(client, f"/tai-khoan/ho-so/{application.id}/nop")
    assert status == 422 and "không còn nhận hồ sơ" in _field_error(html, "state")
    assert _post(client, "/tai-khoan/ho-so", {"round": str(selection_round.id)})[0] == 303  # opens its own
    other = linked_account(session, "tre.han.2@example.vn")
    _as_producer(client, other)
    status, html = _post(client, "/tai-khoan/ho-so", {"round": str(selection_round.id)})
    assert status == 422 and "không còn nhận hồ sơ" in _field_error(html, "round")


def test_dossier_files_per_role(client: TestClient, session: Session) -> None:
    selection_round = open_round(session)
    owner = linked_account(session, "chu.ho.so@example.vn")
    _as_producer(client, owner)
    assert selection_round.id is not None
    application_id = _start(client, selection_round.id)
    assert _upload(client, application_id, "phieu_dang_ky", "phieu.pdf", pdf_bytes())[0] == 303
    assert _post(client, f"/tai-khoan/ho-so/{application_id}", FIELDS)[0] == 303
    assert _upload(client, application_id, "hinh_anh", "anh.jpg", jpeg_bytes(), "image/jpeg")[0] == 303
    assert _post(client, f"/tai-khoan/ho-so/{application_id}/nop")[0] == 303
    stored = session.exec(select(ApplicationFile).where(ApplicationFile.application_id == application_id)
                          .order_by(col(ApplicationFile.id))).first()
    assert stored is not None
    producer_url = f"/tai-khoan/ho-so/{application_id}/tep/{stored.id}"
    office_url = f"/quan-ly/ho-so/{application_id}/tep/{stored.id}"

    got = client.get(producer_url)
    assert got.status_code == 200 and got.content.startswith(b"%PDF-")
    assert got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff" and "no-store" in got.headers["cache-control"]

    _as_producer(client, linked_account(session, "khac@example.vn"))
    assert client.get(producer_url).status_code == 404
    assert client.get(f"/tai-khoan/ho-so/{application_id}").status_code == 404
    assert _post(client, f"/tai-khoan/ho-so/{application_id}/nop")[0] == 404
    client.cookies.clear()
    anonymous = client.get(producer_url, follow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/tai-khoan/dang-nhap")
    assert client.get(office_url, follow_redirects=False).status_code == 302

    _as_office(client, session, "ha-noi")
    assert client.get(office_url).status_code == 404
    assert client.get(f"/quan-ly/ho-so/{application_id}").status_code == 404
    for slug, role in (("da-nang", "office"), (None, "admin")):
        _as_office(client, session, slug, role)
        got = client.get(office_url)
        assert got.status_code == 200 and got.content.startswith(b"%PDF-")
        assert got.headers["content-disposition"].startswith("attachment")
    assert client.get(f"/media/{stored.content_hash[:2]}/{stored.content_hash}/tep").status_code == 404


def test_a_draft_stays_private_to_its_producer(client: TestClient, session: Session) -> None:
    selection_round = open_round(session)
    account = linked_account(session, "nhap@example.vn")
    _as_producer(client, account)
    assert selection_round.id is not None
    application_id = _start(client, selection_round.id)
    dashboard = BeautifulSoup(client.get("/tai-khoan").text, "html.parser")
    line = dashboard.select_one("#applications li")
    assert line is not None and "Bản nháp" in line.get_text()
    _as_office(client, session, "da-nang")
    assert client.get(f"/quan-ly/ho-so/{application_id}").status_code == 404
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "application.create")).one()
    assert json.loads(audit.after or "{}")["by_producer_account"] == account.id and audit.user_id is None


def test_a_producer_without_a_linked_record_cannot_start(client: TestClient, session: Session) -> None:
    selection_round = open_round(session)
    account = ProducerAccount(email="chua.gan@example.vn", name="Chưa gắn",
                              password_hash=hash_password(PASSWORD), confirmed_at=utcnow())
    session.add(account)
    session.commit()
    _as_producer(client, account)
    page = BeautifulSoup(client.get(f"/tai-khoan/ho-so/moi?dot={selection_round.id}").text, "html.parser")
    assert page.find(id="needs-producer") is not None
    status, html = _post(client, "/tai-khoan/ho-so", {"round": str(selection_round.id)})
    assert status == 422 and "gắn với một cơ sở" in _field_error(html, "round")
    assert session.exec(select(Application)).all() == []


def _producer_routes() -> list[tuple[str, str]]:
    """(method, path) of every /tai-khoan/ho-so route, from the router itself."""
    found = set()
    for route in producer_applications.router.routes:
        assert isinstance(route, APIRoute)
        found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return sorted(found)


@pytest.mark.parametrize(("method", "path"), _producer_routes())
def test_every_application_route_answers_only_its_owner(client: TestClient, session: Session,
                                                        settings: Settings, method: str, path: str) -> None:
    selection_round = open_round(session)
    owner = linked_account(session, "chu@example.vn")
    assert selection_round.id is not None
    application = start_application(session=session, account=owner, round_id=selection_round.id, now=utcnow())
    assert application.id is not None
    checked = check_document(pdf_bytes(), filename="don.pdf")
    write_document(settings.dossier_path, checked)
    stored = ApplicationFile(application_id=application.id, document_key="phieu_dang_ky",
                             filename="don.pdf", content_hash=checked.content_hash, size=checked.size,
                             media_type=checked.media_type)
    session.add(stored)
    session.commit()
    url = path.format(application_id=application.id, file_id=stored.id)
    url += f"?dot={selection_round.id}" if url.endswith("/moi") else ""

    def call() -> int:
        if method == "GET":
            return client.get(url, follow_redirects=False).status_code
        return _post(client, url, {"round": str(selection_round.id)}, token_page="/tai-khoan/dang-nhap")[0]

    client.cookies.clear()
    assert call() == 302, f"anonymous {method} {url}"
    if "{application_id}" in path:
        _as_producer(client, linked_account(session, "nguoi.khac@example.vn"))
        assert call() == 404, f"another producer {method} {url}"
    _as_producer(client, owner)
    assert call() in ({200} if method == "GET" else {303, 422}), f"owner {method} {url}"
    _as_office(client, session, None, role="admin")  # an office session never opens /tai-khoan
    assert call() == 302, f"admin on the producer route {method} {url}"


def test_a_renewal_starts_from_the_earlier_dossier(client: TestClient, session: Session) -> None:
    """In the certificate's fourth year a producer starts the next round's application from its last
    dossier: fields, self-assessment and files are carried (the same stored bytes), the earlier one
    stays as it was, and only the account's own dossier of another round can be the source."""
    account = linked_account(session, "taituc@example.vn")
    first = open_round(session)
    earlier = _complete(session, account, first.id or 0, utcnow())
    second = open_round(session)
    _as_producer(client, account)
    page = BeautifulSoup(client.get(f"/tai-khoan/ho-so/moi?dot={second.id}").text, "html.parser")
    assert page.find("input", attrs={"name": "tu", "value": str(earlier.id)}) is not None
    status, _ = _post(client, "/tai-khoan/ho-so", {"round": str(second.id), "tu": str(earlier.id)})
    assert status == 303
    session.expire_all()
    renewed = session.exec(select(Application).where(Application.round_id == second.id)).one()
    assert (renewed.product_name, renewed.group, renewed.description) == (
        "Chiếu cói", "thu_cong_my_nghe", "Chiếu dệt tay.")
    assert json.loads(renewed.self_scores) == {"thi_truong": 40, "van_hoa": 30}
    assert renewed.state == ApplicationState.DRAFT and renewed.id != earlier.id
    files = session.exec(select(ApplicationFile).where(ApplicationFile.application_id == renewed.id)).all()
    assert sorted((f.document_key, f.content_hash) for f in files) == [
        ("hinh_anh", "ab" * 32), ("phieu_dang_ky", "ab" * 32)]
    kept = session.exec(select(ApplicationFile).where(ApplicationFile.application_id == earlier.id)).all()
    assert len(kept) == 2


def test_a_dossier_to_start_from_must_be_the_accounts_own(client: TestClient, session: Session) -> None:
    account = linked_account(session, "chinh@example.vn")
    stranger = linked_account(session, "la@example.vn")
    first, second = open_round(session), open_round(session)
    theirs = _complete(session, stranger, first.id or 0, utcnow())
    _as_producer(client, account)
    status, _ = _post(client, "/tai-khoan/ho-so", {"round": str(second.id), "tu": str(theirs.id)})
    assert status == 404  # another account's dossier is not revealed
    status, _ = _post(client, "/tai-khoan/ho-so", {"round": str(second.id), "tu": "9" * 30})
    assert status == 303  # a forged id reads as none: an empty draft
    session.expire_all()
    assert session.exec(select(Application).where(Application.round_id == second.id)).one().product_name == ""
