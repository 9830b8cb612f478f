"""The office's call-for-entries form: open, edit, refused input kept with its messages, who may use it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.domain.calls import criteria_text, default_criteria, default_documents, documents_text
from app.domain.levels import Level
from app.models import AuditEntry, RoundCall, SelectionRound
from tests.factories import csrf_of, make_user, province, sign_in
from tests.routes.test_pages import html
from tests.routes.test_verify import on_day


def _round(session: Session, *, level: str = "tinh", slug: str | None = "da-nang",
           region: str | None = None) -> int:
    selection_round = SelectionRound(level=level, year=2026, region=region,
                                     province_id=province(session, slug).id if slug else None)
    session.add(selection_round)
    session.commit()
    assert selection_round.id is not None
    return selection_round.id


def _url(round_id: int) -> str:
    return f"/quan-ly/dot-binh-chon/{round_id}/goi-ho-so"


def _form(**changes: str) -> dict[str, str]:
    values = {"opens_on": "01/12/2026", "closes_on": "31/12/2026", "results_on": "15/02/2027",
              "documents": documents_text(default_documents(Level.tinh)),
              "criteria": criteria_text(default_criteria()), "pass_mark": "70", "notes": "Nộp tại Sở."}
    return {**values, **changes}


def _post(client: TestClient, round_id: int, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/quan-ly/dot-binh-chon")
    return client.post(_url(round_id), data={**data, "csrf_token": token}, follow_redirects=False)


def _call(session: Session, round_id: int) -> RoundCall | None:
    session.expire_all()
    return session.exec(select(RoundCall).where(RoundCall.round_id == round_id)).first()


@pytest.fixture
def office(client: TestClient, session: Session) -> TestClient:
    """The Đà Nẵng office, signed in."""
    sign_in(client, make_user(session, province_slug="da-nang"))
    return client


def test_new_call_form_is_prefilled_with_the_regulation(office: TestClient, session: Session) -> None:
    round_id = _round(session)
    page = html(office.get(_url(round_id)))
    assert page.h1 is not None and page.h1.get_text() == "Mở nhận hồ sơ"
    documents = page.select_one("textarea#documents")
    criteria = page.select_one("textarea#criteria")
    assert documents is not None and documents.get_text() == documents_text(default_documents(Level.tinh))
    assert criteria is not None and criteria.get_text() == criteria_text(default_criteria())
    assert "cấp tỉnh còn hiệu lực" not in documents.get_text()


def test_open_then_edit_a_call_audited(office: TestClient, session: Session) -> None:
    round_id = _round(session)
    response = _post(office, round_id, _form())
    assert response.status_code == 303
    assert response.headers["location"] == f"/quan-ly/dot-binh-chon/{round_id}"
    call = _call(session, round_id)
    assert call is not None
    assert (call.opens_on, call.closes_on, call.results_on, call.pass_mark, call.notes) == (
        date(2026, 12, 1), date(2026, 12, 31), date(2027, 2, 15), 70, "Nộp tại Sở.")
    assert [d["key"] for d in json.loads(call.documents)] == [d.key for d in default_documents(Level.tinh)]
    assert [(c["key"], c["points"]) for c in json.loads(call.criteria)][0] == ("thi_truong", 40)

    criteria = "Nhóm tiêu chí về thị trường | 40\n- Tiêu thụ | 30\n- Quy mô | 10\nKỹ thuật | 60"
    edited = _form(closes_on="05/01/2027", results_on="", pass_mark="", criteria=criteria,
                   documents="Phiếu đăng ký tham gia bình chọn\nVideo | nếu có")
    assert _post(office, round_id, edited).status_code == 303
    call = _call(session, round_id)
    assert call is not None and call.closes_on == date(2027, 1, 5) and call.results_on is None
    assert call.pass_mark is None
    assert [(c["key"], c["parent"]) for c in json.loads(call.criteria)][:2] == [("thi_truong", None),
                                                                              ("tieu_thu", "thi_truong")]
    assert json.loads(call.documents) == [
        {"key": "phieu_dang_ky", "label": "Phiếu đăng ký tham gia bình chọn", "required": True},
        {"key": "video", "label": "Video", "required": False}]
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.entity == "round_call")
                           .order_by(AuditEntry.id)).all()
    assert actions == ["call.open", "call.update"]

    page = html(office.get(_url(round_id)))
    assert page.h1 is not None and page.h1.get_text() == "Sửa thông báo nhận hồ sơ"
    opens = page.select_one("#closes_on")
    assert opens is not None and opens["value"] == "05/01/2027"


def test_round_page_shows_the_call_and_its_stage(office: TestClient, session: Session) -> None:
    round_id = _round(session)
    page = html(office.get(f"/quan-ly/dot-binh-chon/{round_id}"))
    assert page.find("a", href=_url(round_id), string="Mở nhận hồ sơ") is not None
    _post(office, round_id, _form())
    on_day(office, date(2026, 12, 31))
    page = html(office.get(f"/quan-ly/dot-binh-chon/{round_id}"))
    facts = page.select_one("#call")
    assert facts is not None and "Đang nhận hồ sơ" in facts.get_text() and "01/12/2026" in facts.get_text()
    assert page.find("a", href=_url(round_id), string="Sửa thông báo nhận hồ sơ") is not None
    on_day(office, date(2027, 1, 1))
    facts = html(office.get(f"/quan-ly/dot-binh-chon/{round_id}")).select_one("#call")
    assert facts is not None and "Đang chấm" in facts.get_text()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"closes_on": "30/11/2026"}, "closes_on", "không được trước ngày mở nhận hồ sơ"),
    ({"results_on": "31/12/2026"}, "results_on", "phải sau ngày hết hạn nhận hồ sơ"),
    ({"opens_on": "31/02/2026"}, "opens_on", ""),
    ({"opens_on": ""}, "opens_on", "Ngày mở nhận hồ sơ cần theo dạng dd/mm/yyyy."),
    ({"criteria": "Thị trường | 40\nKỹ thuật | bốn mươi"}, "criteria",
     "Dòng 2: số điểm “bốn mươi” không phải là số."),
    ({"criteria": "Thị trường | 50\nKỹ thuật | 40"}, "criteria", "Tổng điểm các tiêu chí chính là 90"),
    ({"documents": "Ảnh | chắc chắn"}, "documents", "Dòng 1: sau dấu |"),
    ({"pass_mark": "120"}, "pass_mark", "Điểm đạt phải là số từ 0 đến 100."),
    ({"notes": "x" * 4001}, "notes", "Ghi chú tối đa 4000 ký tự."),
])
def test_bad_input_names_the_field_and_keeps_what_was_typed(office: TestClient, session: Session,
                                                            changes: dict[str, str], field: str,
                                                            message: str) -> None:
    round_id = _round(session)
    data = _form(**changes)
    response = _post(office, round_id, data)
    assert response.status_code == 422
    page = html(response)
    error = page.select_one(f"#{field}-error")
    assert error is not None and message in error.get_text()
    typed = page.select_one(f"#{field}")
    assert typed is not None
    shown = typed.get_text() if typed.name == "textarea" else typed.get("value", "")
    assert shown == data[field].strip() or field == "notes"
    assert _call(session, round_id) is None


def test_control_characters_dropped_from_notes(office: TestClient, session: Session) -> None:
    round_id = _round(session)
    assert _post(office, round_id, _form(notes="Nộp\x00 tại\r\nSở\x07")).status_code == 303
    call = _call(session, round_id)
    assert call is not None and call.notes == "Nộp tại\nSở"


def test_another_provinces_office_gets_404(client: TestClient, session: Session) -> None:
    round_id = _round(session, slug="ha-noi")
    sign_in(client, make_user(session, province_slug="da-nang"))
    assert client.get(_url(round_id)).status_code == 404
    assert _post(client, round_id, _form()).status_code == 404
    assert _call(session, round_id) is None


def test_an_office_is_refused_a_regional_round_and_the_admin_allowed(client: TestClient,
                                                                    session: Session) -> None:
    round_id = _round(session, level="khu_vuc", slug=None, region="trung_tay_nguyen")
    sign_in(client, make_user(session, province_slug="da-nang"))
    assert client.get(_url(round_id)).status_code == 404
    assert _post(client, round_id, _form()).status_code == 404
    client.cookies.clear()

    sign_in(client, make_user(session, role="admin"))
    page = html(client.get(_url(round_id)))
    documents = page.select_one("textarea#documents")
    assert documents is not None and "cấp tỉnh còn hiệu lực" in documents.get_text()
    assert _post(client, round_id, _form(documents=documents.get_text())).status_code == 303
    call = _call(session, round_id)
    assert call is not None and json.loads(call.documents)[-1]["key"] == "chung_nhan_cap_duoi"


def test_office_refused_a_national_round_filed_under_its_province(client: TestClient,
                                                                  session: Session) -> None:
    """Even a national round that names the office's province is the ministry's: 403."""
    round_id = _round(session, level="quoc_gia", slug="da-nang")
    sign_in(client, make_user(session, province_slug="da-nang"))
    assert client.get(_url(round_id)).status_code == 403
    assert _post(client, round_id, _form()).status_code == 403
    assert _call(session, round_id) is None
