"""Jury scoring end to end: appointing jurors, what a juror reaches, scores, conflicts, board and decision.

Real SQLite database and the real app; pages are read by parsing their HTML.
"""

from __future__ import annotations

import json
from datetime import date

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import Settings
from app.domain.states import ApplicationState
from app.models import Application, AuditEntry, JurorReview, MailMessage, RoundJuror, SelectionRound, User
from tests.admin.jury_seed import ScoredRound, appoint, scored_round
from tests.factories import TEST_PASSWORD, csrf_of, make_user, sign_in
from tests.producers.helpers import signed_up

ACCEPTED, SUBMITTED = ApplicationState.ACCEPTED, ApplicationState.SUBMITTED
FULL = {"diem-thi_truong": "30", "diem-kinh_te_ky_thuat": "30", "diem-van_hoa_tham_my": "8", "diem-khac": "7"}


def _round(session: Session, settings: Settings) -> ScoredRound:
    names = {"Nước mắm Nam Ô": ACCEPTED, "Bánh tráng Túy Loan": ACCEPTED, "Chả bò Đà Nẵng": SUBMITTED}
    return scored_round(session, settings, names=names)


def _post(client: TestClient, url: str, data: dict[str, str]) -> int:
    token = csrf_of(client, "/quan-ly/dang-nhap")
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False).status_code


def _audited(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_office_appoints_a_new_juror_who_sets_a_password_at_first_sign_in(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    sign_in(client, make_user(session, province_slug="da-nang"))
    url = f"/quan-ly/dot-binh-chon/{world.round_id}/giam-khao"
    token = csrf_of(client, url)
    data = {"name": "Trần Thị Giám", "email": "Giam.Khao@Vi-Du.example", "csrf_token": token}
    page = client.post(url, data=data)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    password = BeautifulSoup(page.text, "html.parser").select_one("#one-time-password").get_text()
    user = session.exec(select(User).where(User.email == "giam.khao@vi-du.example")).one()
    assert user.role == "juror" and user.province_id is None and user.must_change_password
    mail = session.exec(select(MailMessage).where(MailMessage.recipient == user.email)).one()
    assert password not in mail.text_body and "/giam-khao" in mail.text_body
    assert len(_audited(session, "juror.appoint")) == 1
    client.cookies.clear()

    token = csrf_of(client)
    signed = client.post("/quan-ly/dang-nhap", data={"email": user.email, "password": password,
                                                     "csrf_token": token}, follow_redirects=False)
    assert signed.headers["location"] == "/giam-khao"
    assert client.get("/giam-khao", follow_redirects=False).headers["location"] == "/quan-ly/mat-khau"
    new = "mat-khau-giam-khao-2026"
    token = csrf_of(client, "/quan-ly/mat-khau")
    changed = client.post("/quan-ly/mat-khau", data={"current": password, "new": new, "repeat": new,
                                                     "csrf_token": token}, follow_redirects=False)
    assert changed.status_code == 303
    home = BeautifulSoup(client.get("/giam-khao").text, "html.parser")
    assert f"/giam-khao/dot/{world.round_id}" in [a["href"] for a in home.select("#juror-rounds a")]
    assert client.get("/quan-ly", follow_redirects=False).status_code == 403


def test_existing_juror_is_appointed_and_staff_addresses_and_repeats_refused(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    juror = make_user(session, role="juror")
    office = make_user(session, province_slug="da-nang")
    sign_in(client, office)
    url = f"/quan-ly/dot-binh-chon/{world.round_id}/giam-khao"
    response = client.post(url, data={"name": "", "email": juror.email, "csrf_token": csrf_of(client, url)},
                           follow_redirects=False)
    assert response.status_code == 303
    appointment = session.exec(select(RoundJuror).where(RoundJuror.user_id == juror.id)).one()
    assert appointment.appointed_by == office.id
    assert _post(client, url, {"name": "Lại", "email": juror.email}) == 422  # already appointed
    assert _post(client, url, {"name": "Cán bộ", "email": office.email}) == 422  # staff account
    assert _post(client, url, {"name": "", "email": "moi@vi-du.example"}) == 422  # a new one needs a name
    assert _post(client, url, {"name": "X", "email": "khong-phai-email"}) == 422
    removed = _post(client, f"{url}/{juror.id}/thoi-cu", {})
    assert removed == 303
    session.expire_all()
    assert session.exec(select(RoundJuror)).all() == []
    assert len(_audited(session, "juror.remove")) == 1
    assert _post(client, f"{url}/{juror.id}/thoi-cu", {}) == 303  # already removed: nothing more to do
    assert len(_audited(session, "juror.remove")) == 1
    assert _post(client, f"{url}/{office.id}/thoi-cu", {}) == 404  # not a juror


def test_office_refused_on_another_provinces_and_a_regional_round(
        client: TestClient, session: Session, settings: Settings) -> None:
    hanoi = scored_round(session, settings, province_slug="ha-noi", names={"Lụa Vạn Phúc": ACCEPTED})
    regional = scored_round(session, settings, province_slug=None, level="khu_vuc", region="trung_tay_nguyen",
                            names={"Cà phê Buôn Ma Thuột": ACCEPTED})
    sign_in(client, make_user(session, province_slug="da-nang"))
    for round_id in (hanoi.round_id, regional.round_id):
        for page in ("giam-khao", "cham-diem"):
            url = f"/quan-ly/dot-binh-chon/{round_id}/{page}"
            assert client.get(url).status_code == 404, url
            assert _post(client, url, {"name": "A", "email": "a@vi-du.example"}) == 404, url
    assert session.exec(select(RoundJuror)).all() == []
    client.cookies.clear()
    sign_in(client, make_user(session, role="admin"))
    assert client.get(f"/quan-ly/dot-binh-chon/{regional.round_id}/giam-khao").status_code == 200


def test_juror_reaches_only_accepted_applications_of_its_rounds(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    hanoi = scored_round(session, settings, province_slug="ha-noi", names={"Lụa Vạn Phúc": ACCEPTED})
    juror = appoint(session, world.round_id)
    sign_in(client, juror)
    listing = BeautifulSoup(client.get(f"/giam-khao/dot/{world.round_id}").text, "html.parser")
    shown = [a.get_text() for a in listing.select("#juror-applications a")]
    assert shown == ["Bánh tráng Túy Loan", "Nước mắm Nam Ô"]
    mam, submitted = world.applications["Nước mắm Nam Ô"], world.applications["Chả bò Đà Nẵng"]
    assert client.get(f"/giam-khao/ho-so/{mam}").status_code == 200
    file_url = f"/giam-khao/ho-so/{mam}/tep/{world.files['Nước mắm Nam Ô']}"
    download = client.get(file_url)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["cache-control"] == "private, no-store"
    silk = hanoi.applications["Lụa Vạn Phúc"]
    silk_file, submitted_file = hanoi.files["Lụa Vạn Phúc"], world.files["Chả bò Đà Nẵng"]
    for url in (f"/giam-khao/ho-so/{submitted}", f"/giam-khao/ho-so/{silk}",
                f"/giam-khao/dot/{hanoi.round_id}",
                f"/giam-khao/ho-so/{silk}/tep/{silk_file}", f"/giam-khao/ho-so/{mam}/tep/{silk_file}",
                f"/giam-khao/ho-so/{submitted}/tep/{submitted_file}"):
        assert client.get(url).status_code == 404, url
    assert _post(client, f"/giam-khao/ho-so/{silk}", FULL) == 404
    assert client.get(f"/quan-ly/ho-so/{mam}/tep/{world.files['Nước mắm Nam Ô']}").status_code == 403


def test_dossier_files_per_role(client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    mam = world.applications["Nước mắm Nam Ô"]
    url = f"/giam-khao/ho-so/{mam}/tep/{world.files['Nước mắm Nam Ô']}"
    assert client.get(url, follow_redirects=False).status_code == 302  # anonymous: to the sign-in page
    signed_up(client, session, email="co.so.khac@vi-du.example")  # a producer session is no office session
    assert client.get(url, follow_redirects=False).status_code == 302
    client.cookies.clear()
    for user in (make_user(session, province_slug="da-nang"), make_user(session, role="admin")):
        sign_in(client, user)
        assert client.get(url).status_code == 403  # staff read files on their own pages
        client.cookies.clear()
    sign_in(client, make_user(session, role="juror"))  # a juror of no round
    assert client.get(url).status_code == 404
    client.cookies.clear()
    appoint(session, world.round_id)  # another juror's appointment changes nothing for this one
    sign_in(client, appoint(session, world.round_id))
    assert client.get(url).status_code == 200


def test_conflict_excludes_the_juror_from_the_application(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    juror = appoint(session, world.round_id)
    sign_in(client, juror)
    mam = world.applications["Nước mắm Nam Ô"]
    assert _post(client, f"/giam-khao/ho-so/{mam}", FULL) == 303
    assert _post(client, f"/giam-khao/ho-so/{mam}/xung-dot", {"conflict_note": ""}) == 422
    note = {"conflict_note": "Chủ cơ sở là anh họ tôi."}
    assert _post(client, f"/giam-khao/ho-so/{mam}/xung-dot", note) == 303
    review = session.exec(select(JurorReview).where(JurorReview.application_id == mam)).one()
    session.refresh(review)
    assert review.conflict and json.loads(review.scores) == {}
    assert len(_audited(session, "review.conflict")) == 1
    for url in (f"/giam-khao/ho-so/{mam}", f"/giam-khao/ho-so/{mam}/tep/{world.files['Nước mắm Nam Ô']}"):
        assert client.get(url).status_code == 404, url
    assert _post(client, f"/giam-khao/ho-so/{mam}", FULL) == 404
    listing = BeautifulSoup(client.get(f"/giam-khao/dot/{world.round_id}").text, "html.parser")
    assert [a.get_text() for a in listing.select("#juror-applications a")] == ["Bánh tráng Túy Loan"]
    client.cookies.clear()
    sign_in(client, make_user(session, province_slug="da-nang"))
    board_url = f"/quan-ly/dot-binh-chon/{world.round_id}/cham-diem"
    board = BeautifulSoup(client.get(board_url).text, "html.parser")
    row = next(tr for tr in board.select("#ranking tbody tr") if "Nước mắm" in tr.get_text())
    assert "Xung đột lợi ích" in row.get_text()


def test_score_form_validation_names_the_criterion(client: TestClient, session: Session,
                                                   settings: Settings) -> None:
    world = _round(session, settings)
    sign_in(client, appoint(session, world.round_id))
    mam = world.applications["Nước mắm Nam Ô"]
    url = f"/giam-khao/ho-so/{mam}"
    for field, value in (("diem-thi_truong", "41"), ("diem-thi_truong", "-2"), ("diem-khac", "5,25"),
                         ("diem-khac", "")):
        token = csrf_of(client, url)
        page = client.post(url, data={**FULL, field: value, "csrf_token": token})
        assert page.status_code == 422, (field, value)
        error = BeautifulSoup(page.text, "html.parser").select_one(f"#{field}-error")
        assert error is not None and "Nhóm tiêu chí" in error.get_text()
    assert session.exec(select(JurorReview)).all() == []
    token = csrf_of(client, url)
    forged = {**FULL, "diem-tieu_chi_gia": "100", "nhan-xet-thi_truong": "Thị trường rộng",
              "csrf_token": token}
    assert client.post(url, data=forged, follow_redirects=False).status_code == 303
    review = session.exec(select(JurorReview)).one()
    assert json.loads(review.scores) == {"thi_truong": 30, "kinh_te_ky_thuat": 30, "van_hoa_tham_my": 8,
                                         "khac": 7}
    assert json.loads(review.comments) == {"thi_truong": "Thị trường rộng"}
    assert len(_audited(session, "review.score")) == 1
    assert _post(client, "/giam-khao/ho-so/999999", FULL) == 404
    assert client.get(f"/giam-khao/ho-so/{2**63}").status_code == 404


def _score(client: TestClient, application_id: int, *points: str) -> None:
    keys = ("diem-thi_truong", "diem-kinh_te_ky_thuat", "diem-van_hoa_tham_my", "diem-khac")
    assert _post(client, f"/giam-khao/ho-so/{application_id}", dict(zip(keys, points, strict=True))) == 303


def test_board_ranks_by_average_and_records_the_decision(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    mam, banh = world.applications["Nước mắm Nam Ô"], world.applications["Bánh tráng Túy Loan"]
    first, second = appoint(session, world.round_id), appoint(session, world.round_id)
    for juror, mam_points, banh_points in ((first, ("30", "30", "8", "7"), ("35", "36", "9", "9")),
                                           (second, ("35", "32,5", "9", "6"), ("20", "20", "5", "5"))):
        sign_in(client, juror)
        _score(client, mam, *mam_points)
        _score(client, banh, *banh_points)
        client.cookies.clear()
    # Nước mắm: 75 and 82.5 → 78.75; Bánh tráng: 89 and 50 → 69.5 (under the pass mark of 70)
    sign_in(client, make_user(session, province_slug="da-nang"))
    url = f"/quan-ly/dot-binh-chon/{world.round_id}/cham-diem"
    board = BeautifulSoup(client.get(url).text, "html.parser")
    rows = [[cell.get_text(" ", strip=True) for cell in tr.select("th, td")]
            for tr in board.select("#ranking tbody tr")]
    assert rows[0][:2] == ["1", "Nước mắm Nam Ô"] and rows[0][-2] == "78,75 (đạt)"
    assert rows[1][:2] == ["2", "Bánh tráng Túy Loan"] and rows[1][-2] == "69,5 (chưa đạt)"
    averages = [[c.get_text() for c in tr.select("td")]
                for tr in board.select("#criterion-averages tbody tr")]
    assert averages[0] == ["32,5", "31,25", "8,5", "6,5"]
    assert board.select_one("#ranking caption") is not None
    assert board.select_one("#pass-mark").get_text() == "70"

    choices = {f"quyet-dinh-{mam}": "selected", f"quyet-dinh-{banh}": "not_selected"}
    assert _post(client, url, choices) == 422  # no number, no date
    bad_day = {**choices, "decision_number": "125/QĐ-UBND", "decision_date": "2026-13-01"}
    assert _post(client, url, bad_day) == 422
    assert _audited(session, "application.decision") == []
    decided = {**choices, "decision_number": "125/QĐ-UBND", "decision_date": "05/12/2026"}
    assert _post(client, url, decided) == 303
    session.expire_all()
    selection_round = session.get_one(SelectionRound, world.round_id)
    assert selection_round.decision_number == "125/QĐ-UBND"
    assert selection_round.decision_date == date(2026, 12, 5)
    decisions = dict(session.exec(select(Application.id, Application.decision)
                                  .where(col(Application.id).in_([mam, banh]))).all())
    assert decisions == {mam: "selected", banh: "not_selected"}
    assert len(_audited(session, "application.decision")) == 2
    client.cookies.clear()
    sign_in(client, first)  # the decision makes the scores final
    assert _post(client, f"/giam-khao/ho-so/{mam}", {"diem-thi_truong": "40", "diem-kinh_te_ky_thuat": "40",
                                                     "diem-van_hoa_tham_my": "10", "diem-khac": "10"}) == 422
    review = session.exec(select(JurorReview).where(JurorReview.application_id == mam,
                                                    JurorReview.user_id == first.id)).one()
    session.refresh(review)
    assert json.loads(review.scores)["thi_truong"] == 30


def test_juror_signs_in_to_its_area_and_office_staff_are_refused_there(
        client: TestClient, session: Session, settings: Settings) -> None:
    juror = make_user(session, role="juror")
    token = csrf_of(client)
    response = client.post("/quan-ly/dang-nhap", data={"email": juror.email, "password": TEST_PASSWORD,
                                                       "csrf_token": token, "next": "/quan-ly/san-pham"},
                           follow_redirects=False)
    assert response.headers["location"] == "/giam-khao"
    page = BeautifulSoup(client.get("/giam-khao").text, "html.parser")
    assert "/quan-ly/san-pham" not in [a.get("href") for a in page.select("nav a")]
    client.cookies.clear()
    sign_in(client, make_user(session, role="admin"))
    assert client.get("/giam-khao").status_code == 403


def test_office_reads_each_jurors_points_and_comments_on_the_application(
        client: TestClient, session: Session, settings: Settings) -> None:
    world = _round(session, settings)
    mam = world.applications["Nước mắm Nam Ô"]
    scorer, conflicted = appoint(session, world.round_id), appoint(session, world.round_id)
    sign_in(client, scorer)
    assert _post(client, f"/giam-khao/ho-so/{mam}", {**FULL, "nhan-xet-khac": "Bao bì đẹp"}) == 303
    client.cookies.clear()
    sign_in(client, conflicted)
    assert _post(client, f"/giam-khao/ho-so/{mam}/xung-dot", {"conflict_note": "Người nhà"}) == 303
    client.cookies.clear()
    sign_in(client, make_user(session, province_slug="da-nang"))
    page = BeautifulSoup(client.get(f"/quan-ly/ho-so/{mam}").text, "html.parser")
    table = page.select_one("#juror-sheets")
    assert table is not None
    rows = {tr.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in table.select("tbody tr")}
    order = [th.get_text() for th in table.select("thead th")][1:]
    scorer_column, conflict_column = order.index(scorer.name), order.index(conflicted.name)
    assert rows["Nhóm tiêu chí khác (tối đa 10)"][scorer_column] == "7 Bao bì đẹp"
    assert rows["Tổng"][scorer_column] == "75"
    assert rows["Tổng"][conflict_column] == "Xung đột lợi ích: Người nhà"
