"""Offices handle misuse reports: scoped list, filters, the report page, moves with notes, the photo."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.config import Settings
from app.domain.states import ReportState
from app.errors import InvalidInput, NotFound
from app.files.images import process_image
from app.main import create_app
from app.models import AuditEntry, MailMessage, MisuseReport, MisuseReportEvent, Product, User
from app.services.office import report_listing
from app.services.office.account import Account
from app.services.office.report_handling import change_report_state
from app.services.records.photos import store_image
from tests.browser.seeds import photo_bytes
from tests.factories import csrf_of, make_product, make_user, province, sign_in
from tests.smtp import smtp_server

SECRET = "BIMATHANOI"  # only in Hà Nội's and the ministry's reports: never on the Đà Nẵng office's pages


@dataclass
class World:
    """Accounts and reports of Đà Nẵng, Hà Nội and the ministry."""

    office: User
    other_office: User
    admin: User
    product: Product
    own: int  # Đà Nẵng, with a photo, received 02/03/2026 00:30 in Vietnam (01/03 17:30 UTC)
    own_old: int  # Đà Nẵng, received 10/01/2026, already closed
    other: int  # Hà Nội
    ministry: int  # product unknown: no province


def _report(
    session: Session,
    *,
    slug: str | None,
    where: str,
    at: datetime,
    product: Product | None = None,
    state: ReportState = ReportState.NEW,
    **extra: object,
) -> int:
    report = MisuseReport(
        province_id=province(session, slug).id if slug else None,
        where_bought=where,
        product_id=product.id if product else None,
        created_at=at,
        state=state,
        **extra,
    )
    session.add(report)
    session.flush()
    assert report.id is not None
    return report.id


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    """Three reports an office may or may not see, one with a photo in the private store."""
    product = make_product(session, name="Nước mắm Nam Ô", province_slug="da-nang", certified_in="quang-nam")
    other_product = make_product(session, name=f"Lụa {SECRET}", province_slug="ha-noi")
    photo = process_image(photo_bytes((900, 600)), filename="bao-cao.jpg")
    store_image(media_dir=settings.private_media_path, processed=photo)
    own = _report(
        session,
        slug="da-nang",
        where="Chợ Hàn, Đà Nẵng",
        at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
        product=product,
        reported_code="NAMO-1234",
        details="Bao bì in nhòe, màu khác ảnh.",
        contact="nguoi.mua@vi-du.example",
        photo_hash=photo.content_hash,
        photo_width=photo.width,
        photo_height=photo.height,
    )
    own_old = _report(
        session,
        slug="da-nang",
        where="Siêu thị Ví Dụ",
        at=datetime(2026, 1, 10, 3, 0, tzinfo=UTC),
        product=product,
        state=ReportState.CLOSED,
        details="Logo dán trên sản phẩm khác.",
    )
    other = _report(
        session,
        slug="ha-noi",
        where=f"Chợ {SECRET}",
        at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        product=other_product,
        reported_code=SECRET,
    )
    ministry = _report(
        session,
        slug=None,
        where=f"Sàn {SECRET}",
        at=datetime(2026, 3, 3, 3, 0, tzinfo=UTC),
        reported_code=f"KHONGRO {SECRET}",
    )
    session.commit()
    return World(
        office=make_user(session, province_slug="da-nang"),
        other_office=make_user(session, province_slug="ha-noi"),
        admin=make_user(session, role="admin"),
        product=product,
        own=own,
        own_old=own_old,
        other=other,
        ministry=ministry,
    )


def _soup(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def _listed(soup: BeautifulSoup) -> list[int]:
    """Report ids in the list, in order."""
    links = soup.select("table.report-table tbody tr td:nth-of-type(2) a")
    return [int(str(a["href"]).rsplit("/", 1)[-1]) for a in links]


def _count(soup: BeautifulSoup, words: str) -> int:
    """The count beside a state link ("Mới: 2")."""
    for link in soup.select(".state-counts a"):
        text = " ".join(link.get_text().split())
        if text.startswith(f"{words}:"):
            return int(text.rsplit(":", 1)[1])
    raise AssertionError(f"no count for {words}")


def _move(client: TestClient, report_id: int, state: str, note: str = "") -> tuple[int, str]:
    token = csrf_of(client, "/quan-ly/bao-cao")
    response = client.post(
        f"/quan-ly/bao-cao/{report_id}/trang-thai",
        data={"csrf_token": token, "state": state, "note": note},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get(
        "location", ""
    ) if response.status_code == 303 else response.text


def test_office_sees_only_its_provinces_reports(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    response = client.get("/quan-ly/bao-cao")
    assert response.status_code == 200
    assert SECRET not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert _listed(soup) == [world.own, world.own_old]  # newest first
    row = soup.select("table.report-table tbody tr")[0]
    cells = [" ".join(td.get_text().split()) for td in row.find_all("td")]
    assert cells == ["02/03/2026", "NAMO-1234", "Nước mắm Nam Ô", "Chợ Hàn, Đà Nẵng", "Mới"]  # Vietnam's date
    product_link = row.find_all("td")[2].find("a")
    assert isinstance(product_link, Tag) and product_link["href"] == f"/san-pham/{world.product.slug}"
    assert (_count(soup, "Tất cả"), _count(soup, "Mới"), _count(soup, "Đã đóng")) == (2, 1, 1)
    assert soup.find("select", {"name": "tinh"}) is None  # no province filter for an office
    for report_id in (world.other, world.ministry):
        assert client.get(f"/quan-ly/bao-cao/{report_id}").status_code == 404
    assert _move(client, world.other, "checking")[0] == 404
    assert (
        SECRET not in client.get("/quan-ly/bao-cao", params={"tinh": "ha-noi"}).text
    )  # ignored for an office


def test_admin_sees_every_report_and_filters_by_office(client: TestClient, world: World) -> None:
    sign_in(client, world.admin)
    assert _listed(_soup(client, "/quan-ly/bao-cao")) == [
        world.ministry,
        world.other,
        world.own,
        world.own_old,
    ]
    assert _listed(_soup(client, "/quan-ly/bao-cao?tinh=bo")) == [world.ministry]
    assert _listed(_soup(client, "/quan-ly/bao-cao?tinh=ha-noi")) == [world.other]
    assert _listed(_soup(client, "/quan-ly/bao-cao?tinh=quang-nam")) == [
        world.own,
        world.own_old,
    ]  # → Đà Nẵng
    soup = _soup(client, "/quan-ly/bao-cao?tinh=khong-co-tinh-nay", 422)
    error = soup.select_one("#tinh-error")
    assert error is not None and "Không có tỉnh/thành phố này." in error.get_text()
    ministry = _soup(client, f"/quan-ly/bao-cao/{world.ministry}")
    assert "Bộ Công Thương" in " ".join(ministry.get_text().split())


def test_filters_by_state_dates_and_text(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    assert _listed(_soup(client, "/quan-ly/bao-cao?state=closed")) == [world.own_old]
    assert _listed(_soup(client, "/quan-ly/bao-cao?state=mo")) == [world.own]
    # 01/03/2026 17:30 UTC is 02/03/2026 00:30 in Vietnam: it belongs to the 2nd, not the 1st
    assert _listed(_soup(client, "/quan-ly/bao-cao?tu=02/03/2026")) == [world.own]
    assert _listed(_soup(client, "/quan-ly/bao-cao?den=01/03/2026")) == [world.own_old]
    assert _listed(_soup(client, "/quan-ly/bao-cao?tu=2026-01-10&den=2026-01-10")) == [world.own_old]
    assert _listed(_soup(client, "/quan-ly/bao-cao?q=nhòe")) == [world.own]  # in the details
    assert _listed(_soup(client, "/quan-ly/bao-cao?q=SIÊU THỊ")) == [world.own_old]  # where bought, any case
    assert _listed(_soup(client, "/quan-ly/bao-cao?q=namo-12")) == [world.own]  # the code typed
    assert _listed(_soup(client, "/quan-ly/bao-cao?q=100%")) == []  # a LIKE wildcard is a plain character
    soup = _soup(client, "/quan-ly/bao-cao?state=mo&q=chợ")
    assert (_count(soup, "Tất cả"), _count(soup, "Đã đóng")) == (1, 0)  # counts follow the other filters
    assert _listed(_soup(client, "/quan-ly/bao-cao?state=khong-ro")) == [world.own, world.own_old]


def test_a_bad_date_is_a_message_not_a_crash(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    soup = _soup(client, "/quan-ly/bao-cao?tu=31/02/2026", 422)
    error = soup.select_one("#tu-error")
    assert error is not None and "Ngày '31/02/2026' không tồn tại." in error.get_text()
    field = soup.select_one("#field-tu")
    assert field is not None and field["value"] == "31/02/2026"  # kept as typed
    assert _listed(soup) == [world.own, world.own_old]
    later = _soup(client, "/quan-ly/bao-cao?tu=05/03/2026&den=01/03/2026", 422)
    assert later.select_one("#den-error") is not None


def test_paging_keeps_the_filters(
    client: TestClient, world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_listing, "PAGE_SIZE", 1)
    sign_in(client, world.office)
    first = _soup(client, "/quan-ly/bao-cao?q=o")  # in both: "NAMO-1234", "Logo dán …"
    assert _listed(first) == [world.own]
    following = first.select_one(".pagination a[rel=next]")
    assert (
        isinstance(following, Tag) and "q=o" in str(following["href"]) and "page=2" in str(following["href"])
    )
    assert _listed(_soup(client, f"/quan-ly/bao-cao{following['href']}")) == [world.own_old]
    assert _listed(_soup(client, "/quan-ly/bao-cao?page=99")) == [
        world.own_old
    ]  # past the end: the last page
    assert client.get("/quan-ly/bao-cao?page=x").status_code == 422


def test_report_page_shows_details_product_and_photo(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    soup = _soup(client, f"/quan-ly/bao-cao/{world.own}")
    facts = {
        " ".join(dt.get_text().split()): " ".join(dd.get_text().split())  # type: ignore[union-attr]
        for dt, dd in zip(soup.select(".report-facts dt"), soup.select(".report-facts dd"), strict=True)
    }
    assert facts["Trạng thái"] == "Mới"
    assert facts["Nhận lúc"] == "00:30 ngày 02/03/2026 (giờ Việt Nam)"
    assert facts["Nơi mua"] == "Chợ Hàn, Đà Nẵng"
    assert facts["Liên hệ"] == "nguoi.mua@vi-du.example"
    assert facts["Đơn vị xử lý"] == "Sở Công Thương Đà Nẵng"
    hrefs = {str(a["href"]) for a in soup.select(".report-links a")}
    assert {f"/san-pham/{world.product.slug}", f"/quan-ly/san-pham/{world.product.id}"} <= hrefs
    image = soup.select_one(".report-photo img")
    assert isinstance(image, Tag) and image["src"] == f"/quan-ly/bao-cao/{world.own}/anh"
    assert (image["width"], image["height"]) == ("900", "600")
    buttons = [" ".join(b.get_text().split()) for b in soup.select("form.report-move button")]
    assert buttons == ["Bắt đầu xác minh"]


def test_every_move_through_the_page_is_recorded(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.office)
    steps = [
        ("checking", "", "Đang xác minh"),
        ("confirmed", "Cơ sở xác nhận không sản xuất lô này.", "Xác nhận vi phạm"),
        ("closed", "", "Đã đóng"),
        ("checking", "Có thêm phản ánh.", "Đang xác minh"),
        ("unfounded", "Ảnh chụp là sản phẩm thật.", "Không có cơ sở"),
        ("closed", "", "Đã đóng"),
    ]
    for state, note, words in steps:
        status, location = _move(client, world.own, state, note)
        assert (status, location) == (303, f"/quan-ly/bao-cao/{world.own}?da-chuyen={state}")
        soup = _soup(client, location)
        notice = soup.select_one("p.notice[role=status]")
        assert notice is not None and notice.get_text() == f"Đã chuyển báo cáo sang trạng thái “{words}”."
        state_cell = soup.select_one("#report-state")
        assert state_cell is not None and state_cell.get_text() == words
    history = soup.select(".report-history li")
    assert len(history) == 6
    assert "Cơ sở xác nhận không sản xuất lô này." in history[1].get_text()
    assert "Mới → Đang xác minh" in " ".join(history[0].get_text().split())
    events = session.exec(
        select(MisuseReportEvent)
        .where(MisuseReportEvent.report_id == world.own)
        .order_by(col(MisuseReportEvent.id))
    ).all()
    assert [(e.from_state, e.to_state, e.user_id) for e in events][:2] == [
        ("new", "checking", world.office.id),
        ("checking", "confirmed", world.office.id),
    ]
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "report", AuditEntry.entity_id == world.own)
    ).all()
    assert len(audit) == 6 and {a.action for a in audit} == {"report.state"}
    assert all(
        a.user_id == world.office.id and a.province_id == province(session, "da-nang").id for a in audit
    )
    assert any('"note": "Ảnh chụp là sản phẩm thật."' in (a.after or "") for a in audit)


def test_refused_moves_change_nothing(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.office)
    status, body = _move(client, world.own, "confirmed", "Đủ căn cứ.")  # new → confirmed skips the check
    assert status == 422
    soup = BeautifulSoup(body, "html.parser")
    alert = soup.select_one("[role=alert]")
    assert alert is not None
    assert "Không thể chuyển báo cáo từ “Mới” sang “Xác nhận vi phạm”" in alert.get_text()
    assert _move(client, world.own, "da-xoa")[0] == 422  # a state the workflow does not know
    assert _move(client, world.own, "")[0] == 422
    assert _move(client, world.own, "checking")[0] == 303
    status, body = _move(client, world.own, "unfounded", "   ")  # a finding without a note
    assert status == 422
    soup = BeautifulSoup(body, "html.parser")
    error = soup.select_one("#note-error")
    assert error is not None and "Vui lòng ghi rõ căn cứ kết luận “Không có cơ sở”." in error.get_text()
    note = soup.select_one("#note-unfounded")
    assert note is not None and note.get("aria-invalid") == "true"
    status, _ = _move(client, world.own, "unfounded", "x" * 2001)
    assert status == 422
    session.expire_all()
    assert session.get_one(MisuseReport, world.own).state == "checking"
    events = session.exec(select(MisuseReportEvent).where(MisuseReportEvent.report_id == world.own)).all()
    assert len(events) == 1


def test_the_service_is_the_one_way_to_move_a_report(session: Session, world: World) -> None:
    office = Account(user=world.office, role=world.office.role, province_slug="da-nang")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        change_report_state(
            session=session, account=office, report_id=world.other, to_state="checking", note=""
        )
    with pytest.raises(InvalidInput) as refused:
        change_report_state(
            session=session, account=office, report_id=world.own_old, to_state="confirmed", note="x"
        )
    assert refused.value.field == "state" and "“Đã đóng”" in refused.value.message
    report = change_report_state(
        session=session, account=office, report_id=world.own_old, to_state="checking", note="  Mở lại.  "
    )
    session.commit()
    assert report.state == ReportState.CHECKING
    event = session.exec(select(MisuseReportEvent).where(MisuseReportEvent.report_id == world.own_old)).one()
    assert (event.from_state, event.to_state, event.note) == ("closed", "checking", "Mở lại.")


def test_csrf_is_required_to_move_a_report(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.office)
    response = client.post(
        f"/quan-ly/bao-cao/{world.own}/trang-thai", data={"state": "checking"}, follow_redirects=False
    )
    assert response.status_code == 403
    forged = client.post(
        f"/quan-ly/bao-cao/{world.own}/trang-thai",
        data={"state": "checking", "csrf_token": "gia-mao"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    session.expire_all()
    assert session.get_one(MisuseReport, world.own).state == "new"


def test_the_photo_is_served_only_to_those_who_handle_the_report(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    url = f"/quan-ly/bao-cao/{world.own}/anh"
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/quan-ly/dang-nhap")
    for user in (world.office, world.admin):
        client.cookies.clear()
        sign_in(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["cache-control"] == "private, no-store"
        (tmp_path / "photo.jpg").write_bytes(response.content)
        with Image.open(tmp_path / "photo.jpg") as image:
            assert (image.format, image.size) == ("JPEG", (900, 600))
    client.cookies.clear()
    sign_in(client, world.other_office)
    assert client.get(url).status_code == 404
    client.cookies.clear()
    sign_in(client, world.office)
    for forged in (
        f"/quan-ly/bao-cao/{world.own_old}/anh",
        "/quan-ly/bao-cao/999999/anh",
        f"/quan-ly/bao-cao/{2**63}/anh",
        "/quan-ly/bao-cao/abc/anh",
        "/quan-ly/bao-cao/0/anh",
    ):
        assert client.get(forged).status_code == 404, forged
    assert client.get("/media/" + "x").status_code == 404  # never under the public media path


def test_dashboard_and_navigation_count_open_reports(client: TestClient, world: World) -> None:
    sign_in(client, world.office)
    soup = _soup(client, "/quan-ly")
    link = soup.select_one("#open-reports")
    assert isinstance(link, Tag) and link["href"] == "/quan-ly/bao-cao?state=mo"
    assert link.get_text().endswith(": 1")
    nav = soup.select_one("#nav-reports")
    assert nav is not None and " ".join(nav.get_text().split()) == "Báo cáo vi phạm (1 chưa xử lý xong)"
    assert _move(client, world.own, "checking")[0] == 303
    assert "(1 chưa xử lý xong)" in _soup(client, "/quan-ly/san-pham").select_one("#nav-reports").get_text()  # type: ignore[union-attr]
    assert _move(client, world.own, "unfounded", "Không đúng.")[0] == 303
    nav = _soup(client, "/quan-ly").select_one("#nav-reports")
    assert nav is not None and " ".join(nav.get_text().split()) == "Báo cáo vi phạm"
    client.cookies.clear()
    sign_in(client, world.admin)
    link = _soup(client, "/quan-ly").select_one("#open-reports")
    assert link is not None and link.get_text().endswith(": 2")  # Hà Nội's and the ministry's


def test_a_finding_tells_the_reporter_by_email_once(world: World, settings: Settings) -> None:
    """Confirming a report e-mails the address the reporter left, through a real SMTP server; the
    other moves (checking, closing) and a report without an address send nothing."""
    with smtp_server() as (handler, port):
        live = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        with TestClient(create_app(live)) as client:
            sign_in(client, world.office)
            assert _move(client, world.own, "checking")[0] == 303
            assert _move(client, world.own, "confirmed", "Lô hàng không do cơ sở sản xuất.")[0] == 303
            assert _move(client, world.own, "closed")[0] == 303
            deadline = time.monotonic() + 15
            while not handler.received and time.monotonic() < deadline:
                time.sleep(0.05)
            # Every queued message is delivered once the sender has nothing due: wait for that state.
            while time.monotonic() < deadline and _queued(client) > 0:
                time.sleep(0.05)
    assert len(handler.received) == 1
    mail = handler.received[0]
    assert mail.rcpt_tos == ["nguoi.mua@vi-du.example"]
    assert mail.message["Subject"] == "Kết quả xử lý phản ánh của bạn về mã NAMO-1234"
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Xác nhận vi phạm" in text and "Lô hàng không do cơ sở sản xuất." in text


def _queued(client: TestClient) -> int:
    """Messages not yet sent or failed, seen from the app's own database."""
    with Session(client.app.state.engine) as fresh:  # type: ignore[attr-defined]
        states = fresh.exec(select(MailMessage.state)).all()
    return sum(state in ("queued", "sending") for state in states)


def test_no_address_no_mail(client: TestClient, world: World, session: Session) -> None:
    sign_in(client, world.admin)
    assert _move(client, world.ministry, "checking")[0] == 303
    assert _move(client, world.ministry, "unfounded", "Không đủ thông tin.")[0] == 303
    assert session.exec(select(MailMessage)).all() == []
