"""/kiem-tra-danh-sach: a pasted list or a file checked at once, agreeing with /tra-cuu row by row."""

from __future__ import annotations

import csv
import io
import time
from datetime import date

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook, load_workbook
from sqlmodel import Session

from app.config import Settings
from app.forms.watch import FORM_PURPOSE as WATCH_PURPOSE
from app.models import Certificate
from app.routes.bulk_check import FORM_PURPOSE
from app.services.verification.bulk_check import MAX_ITEMS
from app.web.form_tokens import check_token, issue_token
from app.web.rate_limit import SiteLimits
from tests.routes.test_verify import certificate_of, on_day, verdict
from tests.services.bulk_data import Catalog, make_catalog

URL = "/kiem-tra-danh-sach"
TODAY = date(2026, 11, 1)  # the 2023 certificates end on 31/12/2026: 60 days left, expiring


def token(settings: Settings, age_s: float = 10) -> str:
    """A form token issued `age_s` seconds ago (past the minimum fill time)."""
    return issue_token(secret=settings.secret_key, purpose=FORM_PURPOSE, now=time.time() - age_s)


def html(response: Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def statuses(response: Response) -> list[str]:
    """The status of each row of the answer table, in order."""
    return [str(tr["data-status"]) for tr in html(response).select("#bulk-results tbody tr")]


def post_text(client: TestClient, settings: Settings, text: str, path: str = URL, **extra: str) -> Response:
    """Post a pasted list."""
    return client.post(path, data={"form_token": token(settings), "danh_sach": text, **extra},
                       files={"tep": ("", b"")})


def post_file(client: TestClient, settings: Settings, name: str, data: bytes, **extra: str) -> Response:
    """Post an uploaded list."""
    return client.post(URL, data={"form_token": token(settings), **extra}, files={"tep": (name, data)})


@pytest.fixture
def catalog(client: TestClient, session: Session) -> Catalog:
    """Certificates of every status on TODAY, the app's today set to it."""
    on_day(client, TODAY)
    return make_catalog(session)


def test_form_is_plain_html_with_a_token(client: TestClient) -> None:
    response = client.get(URL)
    soup = html(response)
    form = soup.select_one("form.bulk-form")
    assert response.status_code == 200 and form is not None
    assert form["method"] == "post" and form["action"] == URL and form["enctype"] == "multipart/form-data"
    names = {i["name"] for i in form.select("input, textarea")}
    assert names >= {"form_token", "website", "danh_sach", "tep"}


def test_ten_codes_and_two_unknown_lines_agree_with_the_verification_page(
        client: TestClient, settings: Settings, catalog: Catalog) -> None:
    lines = [*catalog.codes, "ZZZZ-ZZZZ", "không có sản phẩm này"]
    response = post_text(client, settings, "\n".join(lines))
    assert response.status_code == 200
    got = statuses(response)
    assert len(got) == 12 and got[-2:] == ["not_found", "not_found"]
    words = _WORDS
    for code, status in zip(catalog.codes, got, strict=False):
        assert verdict(client.get("/tra-cuu", params={"q": code})) == words[status], code
    assert set(got[:10]) == {"valid", "expiring", "expired", "revoked"}
    summary = html(response).select_one("#bulk-summary")
    assert summary is not None and "Không tìm thấy 2" in " ".join(summary.get_text(" ").split())


def test_revoked_row_shows_day_and_reason(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    response = post_text(client, settings, catalog.revoked_code)
    row = html(response).select_one("#bulk-results tbody tr")
    assert row is not None and row["data-status"] == "revoked"
    assert "01/02/2025: Giả mạo hồ sơ" in row.get_text()


def test_names_and_numbers_and_ambiguous_names(client: TestClient, settings: Settings,
                                               catalog: Catalog) -> None:
    text = "\n".join(["vai thieu say kho", catalog.number, "Nước mắm", "nuoc mam\tcá cơm"])
    response = post_text(client, settings, "Tên sản phẩm\tCơ sở\n" + text.replace("\n", "\t\n") + "\n")
    got = statuses(response)
    assert got[0] in {"valid", "expiring"} and got[1] != "not_found"
    assert got[2] == "ambiguous"
    candidates = html(response).select("#bulk-results tbody tr")[2].select(".bulk-candidates li")
    assert len(candidates) == 2
    assert got[3] in {"valid", "expiring"}  # narrowed by the producer column


def test_csv_upload_with_vietnamese_header_and_the_code_column_not_first(
        client: TestClient, settings: Settings, catalog: Catalog) -> None:
    rows = [["STT", "Nhà cung cấp", "Mã xác thực", "Ghi chú"]]
    rows += [[str(i), f"NCC {i}", code, "=HYPERLINK(\"http://x.invalid\")"]
             for i, code in enumerate(catalog.codes, 1)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = post_file(client, settings, "nha-cung-cap.csv", buffer.getvalue().encode("utf-8-sig"))
    assert statuses(response) == [s for _, s in catalog.expected]


def _xlsx(rows: list[list[str]]) -> bytes:
    """A workbook holding `rows`, as text (a cell typed '=…' stays text, as when typed after a ')."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_upload_and_its_download_keep_their_columns_and_are_inert(
        client: TestClient, settings: Settings, catalog: Catalog) -> None:
    rows = [["Ghi chú", "Số GCN", "Mã tra cứu"]]
    rows += [["=HYPERLINK(\"http://x.invalid\",\"bấm\")", "", code] for code in catalog.codes]
    response = post_file(client, settings, "ds.xlsx", _xlsx(rows))
    assert statuses(response) == [s for _, s in catalog.expected]
    form = html(response).select_one("form[action='/kiem-tra-danh-sach.xlsx']")
    assert form is not None
    fields = {str(i["name"]): str(i.get("value", "")) for i in form.select("input")}
    download = client.post(URL + ".xlsx", data=fields)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0][:4] == ["Ghi chú", "Số GCN", "Mã tra cứu", "Trạng thái"]
    assert all(str(row[0]).startswith("'=") for row in table[1:])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [row[3] for row in table[1:]] == [_WORDS[s] for _, s in catalog.expected]


_WORDS = {"valid": "Còn hiệu lực", "expiring": "Sắp hết hạn", "expired": "Hết hiệu lực",
          "revoked": "Đã thu hồi",
          "not_found": "Không tìm thấy", "ambiguous": "Nhiều kết quả"}


def test_csv_download_makes_formulas_inert(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    text = f'=HYPERLINK("http://x.invalid","a")\t{catalog.codes[0]}\n@SUM(1)\t{catalog.codes[1]}\n'
    response = post_text(client, settings, text, path=URL + ".csv", cot="1")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x.invalid\",\"a\")" and rows[2][0] == "'@SUM(1)"
    assert rows[0][2:4] == ["Trạng thái", "Sản phẩm"] and len(rows) == 3


def test_column_choice_when_unclear_keeps_the_list(client: TestClient, settings: Settings,
                                                   catalog: Catalog) -> None:
    text = "\n".join(f"{name}\t{code}" for name, code in zip(("a", "b"), catalog.codes[:2], strict=True))
    first = post_text(client, settings, text.replace(catalog.codes[1], "không rõ"))  # 1 code in 2: unclear
    soup = html(first)
    choose = soup.select_one("form.bulk-choose")
    assert first.status_code == 200 and choose is not None and not soup.select("#bulk-results")
    options = [str(o["value"]) for o in choose.select("select[name=cot] option")]
    assert options == ["0", "1"]
    fields = {str(i["name"]): str(i["value"]) for i in choose.select("input[type=hidden]")}
    second = client.post(URL, data={**fields, "cot": "1"})
    assert statuses(second)[0] == catalog.expected[0][1] and statuses(second)[1] == "not_found"


def test_too_many_rows_is_a_clear_message(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    response = post_text(client, settings, "\n".join(["ABCD-EFGH"] * (MAX_ITEMS + 1)))
    assert response.status_code == 422
    error = html(response).select_one("#danh_sach-error")
    assert error is not None and "5.001 dòng" in error.get_text() and "5.000" in error.get_text()
    assert html(response).select_one("textarea")  # the form is there again, with the text


def test_malformed_files_are_clear_messages(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    broken = post_file(client, settings, "ds.xlsx", b"PK\x03\x04 not really a workbook")
    assert broken.status_code == 422
    error = html(broken).select_one("#tep-error")
    assert error is not None and "ds.xlsx" in error.get_text()
    wrong = post_file(client, settings, "ds.pdf", b"%PDF-1.4")
    assert wrong.status_code == 422 and ".xlsx" in html(wrong).select_one("#tep-error").get_text()  # type: ignore[union-attr]
    latin = post_file(client, settings, "ds.csv", "Mã\nCà phê".encode("cp1258", errors="replace") + b"\xff")
    assert latin.status_code == 422 and "UTF-8" in latin.text


def test_long_cell_names_row_and_column(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    response = post_text(client, settings, "Mã xác thực\tGhi chú\nABCD\tx\n" + "A" * 201 + "\ty\n")
    error = html(response).select_one("#cot-error")
    assert response.status_code == 422 and error is not None
    assert "Dòng 3" in error.get_text() and "A – Mã xác thực" in error.get_text()


def test_token_honeypot_and_empty(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    forged = client.post(URL, data={"form_token": "x.y.z", "danh_sach": catalog.codes[0]})
    assert forged.status_code == 400 and not html(forged).select("#bulk-results")
    fast = client.post(URL, data={"form_token": token(settings, age_s=0), "danh_sach": catalog.codes[0]})
    assert fast.status_code == 400 and catalog.codes[0] in html(fast).select_one("textarea").get_text()  # type: ignore[union-attr]
    bot = post_text(client, settings, catalog.codes[0], website="http://spam.invalid")
    assert bot.status_code == 200 and not html(bot).select("#bulk-results")
    empty = post_text(client, settings, "  \n")
    assert empty.status_code == 422 and html(empty).select_one("#danh_sach-error")


def test_rate_limited_per_client(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    client.app.state.limits = SiteLimits()  # type: ignore[attr-defined]
    for _ in range(SiteLimits.BULK_CHECKS_PER_HOUR):
        assert post_text(client, settings, catalog.codes[0]).status_code == 200
    refused = post_text(client, settings, catalog.codes[0])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert catalog.codes[0] in html(refused).select_one("textarea").get_text()  # type: ignore[union-attr]


def test_watch_form_posts_the_found_codes(client: TestClient, settings: Settings, catalog: Catalog,
                                          session: Session) -> None:
    response = post_text(client, settings, "\n".join([*catalog.codes[:3], "ZZZZ-ZZZZ", catalog.codes[0]]))
    form = html(response).select_one("form#bulk-watch")
    assert form is not None and form["action"] == "/theo-doi" and form["method"] == "post"
    codes = [str(i["value"]) for i in form.select("input[name=code]")]
    stored = [session.get(Certificate, c.id).code for c in catalog.certificates[:3]]  # type: ignore[union-attr]
    assert codes == stored
    watch_token = form.select_one("input[name=form_token]")
    assert watch_token is not None and form.select_one("input[name=email][type=email]")
    assert form.select_one("input[name=website]") is not None
    verdict_of = check_token(str(watch_token["value"]), secret=settings.secret_key, purpose=WATCH_PURPOSE,
                             min_age_s=0)
    assert verdict_of == "ok"


def test_english_page(client: TestClient, settings: Settings, catalog: Catalog) -> None:
    page = client.get("/en" + URL)
    soup = html(page)
    assert page.status_code == 200 and soup.html is not None and soup.html["lang"] == "en"
    assert soup.select_one("form.bulk-form")["action"] == "/en" + URL  # type: ignore[index]
    answered = post_text(client, settings, catalog.codes[0], path="/en" + URL)
    assert answered.status_code == 200 and statuses(answered) == [catalog.expected[0][1]]
    assert html(answered).select_one("form#bulk-watch")["action"] == "/en/theo-doi"  # type: ignore[index]


def test_linked_from_the_verification_page_and_footer(client: TestClient) -> None:
    soup = html(client.get("/tra-cuu"))
    assert soup.select_one(f"main a[href='{URL}']") is not None
    assert soup.select_one(f"footer a[href='{URL}']") is not None


def test_certificate_counts_are_not_touched(client: TestClient, settings: Settings, catalog: Catalog,
                                            session: Session) -> None:
    from app.services.verification.lookup import verification_counts
    post_text(client, settings, "\n".join(catalog.codes))
    ids = [c.id for c in catalog.certificates if c.id is not None]
    assert set(verification_counts(session=session, certificate_ids=ids, since=TODAY).values()) == {0}


def test_a_certificate_agrees_with_the_single_page_on_its_last_day(
        client: TestClient, settings: Settings, catalog: Catalog, session: Session) -> None:
    on_day(client, date(2026, 12, 31))
    cert = certificate_of(session, catalog.products[0])
    assert statuses(post_text(client, settings, cert.code)) == ["expiring"]
    assert verdict(client.get("/tra-cuu", params={"q": cert.code})) == "Sắp hết hạn"
    on_day(client, date(2027, 1, 1))
    assert statuses(post_text(client, settings, cert.code)) == ["expired"]
