"""XSS: a hostile winners spreadsheet, imported for real, shows up as text on every page.

Each page is parsed as HTML: no script beyond the site's own, no event-handler attribute, no
javascript: link, and the payloads appear literally (escaped, not stripped or evaluated).
"""

from __future__ import annotations

import io
import json
import time
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select

from app.config import Settings
from app.models import Product
from app.routes.bulk_check import FORM_PURPOSE, URL
from app.routes.exports import XLSX_TYPE
from app.services.imports.importer import import_file
from app.web.form_tokens import issue_token
from tests.attack.poison import (
    ATTRIBUTE,
    CLOSE_SCRIPT,
    REGIONAL_ROW,
    SCRIPT,
    TEMPLATE,
    XSS_ROW,
    Poisoned,
    assert_inert,
    import_rows,
    poison,
    visible_text,
)
from tests.factories import csrf_of, make_product, make_user, sign_in
from tests.services.sheets import HEADERS, row, write_csv, write_xlsx

NAME = str(XSS_ROW["product_name"])
PRODUCER = str(XSS_ROW["producer_name"])


@pytest.fixture
def poisoned(client: TestClient, session: Session, settings: Settings) -> Poisoned:
    """The hostile catalog, imported through the real importer and indexed."""
    return poison(client, session, settings)


def _page(client: TestClient, path: str, *, shows: tuple[str, ...] = (), **headers: str) -> str:
    """GET `path` (200 expected), check it is inert, check it shows each of `shows` as text."""
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    soup = assert_inert(response.text, path)
    text = visible_text(soup)
    for payload in shows:
        assert payload in text, f"{path}: {payload!r} not shown as text"
    return response.text


def _public_pages(p: Poisoned) -> list[tuple[str, tuple[str, ...]]]:
    """Every public page that shows imported text, with what it must show."""
    query = quote("bánh script")
    return [
        ("/", (NAME,)),
        (f"/san-pham?q={query}", ()),  # highlighted name: split by <mark>, checked below
        ("/san-pham?province=ha-noi&sort=name", (NAME,)),
        (f"/san-pham/{p.product_slug}", (NAME, PRODUCER, str(XSS_ROW["phone"]), str(XSS_ROW["address"]),
                                          str(XSS_ROW["certificate_number"]), TEMPLATE)),
        (f"/co-so/{p.producer_slug}", (PRODUCER, str(XSS_ROW["email"]), str(XSS_ROW["website"]))),
        ("/tinh/ha-noi", (NAME,)),
        (f"/dot-binh-chon/{p.regional_round_id}", (NAME, str(REGIONAL_ROW["decision_number"]))),
        (f"/tra-cuu?q={p.code}", (NAME,)),
        (f"/tra-cuu?q={quote(str(XSS_ROW['certificate_number']))}", (NAME,)),
        (f"/v/{p.code}", (NAME,)),
        (f"/bao-cao?ma={p.code}", (NAME,)),
        (f"/danh-sach-chon?sp={p.product_slug},{p.formula_slug}", (NAME, PRODUCER)),
        ("/ban-do", ()),
        ("/du-lieu-mo", ()),
    ]


def test_public_pages_show_payloads_as_text(client: TestClient, poisoned: Poisoned) -> None:
    for path, shows in _public_pages(poisoned):
        _page(client, path, shows=shows)
        _page(client, f"/en{path}", shows=shows)


def test_catalog_highlight_and_fragment_stay_inert(client: TestClient, poisoned: Poisoned) -> None:
    for q in ("script alert", "img onerror", "7*7", "raw", '"><', "</script>"):
        path = f"/san-pham?q={quote(q)}"
        _page(client, path)
        fragment = _page(client, path, **{"HX-Request": "true"})
        assert "<html" not in fragment
    page = _page(client, "/san-pham?q=script", **{"HX-Request": "true"})
    marks = [m.get_text() for m in assert_inert(page, "fragment").find_all("mark")]
    assert marks and all(mark.lower() in NAME.lower() for mark in marks)


def test_product_json_ld_holds_the_text_literally(client: TestClient, poisoned: Poisoned) -> None:
    for path in (f"/san-pham/{poisoned.product_slug}", f"/en/san-pham/{poisoned.product_slug}"):
        soup = assert_inert(client.get(path).text, path)
        blocks = soup.find_all("script", type="application/ld+json")
        assert len(blocks) == 1
        assert "</script" not in (blocks[0].string or "").lower()  # the block cannot be closed early
        product, _breadcrumb = json.loads(blocks[0].string or "")["@graph"]
        assert product["name"] == NAME and product["description"] == XSS_ROW["description"]
        assert product["brand"]["name"] == PRODUCER
        assert product["brand"]["address"]["streetAddress"] == XSS_ROW["address"]
        assert product["brand"]["sameAs"] == XSS_ROW["website"]
        assert product["brand"]["email"] == XSS_ROW["email"]


def _xml(client: TestClient, path: str) -> ElementTree.Element:
    """GET an XML document; it must be well-formed (a payload cannot break it) and hold no script."""
    response = client.get(path)
    assert response.status_code == 200, path
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output, parsed to prove it well-formed
    for element in root.iter():
        assert not element.tag.rsplit("}", 1)[-1].lower() == "script", path
        assert not any(name.lower().startswith("on") for name in element.attrib), path
    return root


def test_feeds_sitemap_and_labels_hold_the_text_literally(client: TestClient, poisoned: Poisoned) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    for path in ("/feeds/moi.atom", "/feeds/moi.atom?tinh=ha-noi"):  # feeds have no English twin
        titles = [t.text or "" for t in _xml(client, path).iter(f"{atom}title")]
        assert any(NAME in title for title in titles), path
    locations = [loc.text or "" for loc in _xml(client, "/sitemap.xml").iter()]
    assert any(loc.endswith(f"/san-pham/{poisoned.product_slug}") for loc in locations)
    for badge in ("nhan.svg", "qr.svg"):  # SVGs open as documents in a browser: they must hold no script
        _xml(client, f"/ma/{poisoned.code}/{badge}")


def _xlsx(rows: list[dict[str, object]]) -> bytes:
    """A winners workbook in memory, as an office would upload it."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(HEADERS))
    for values in rows:
        sheet.append([values.get(h) for h in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _hostile_upload(client: TestClient) -> tuple[str, str]:
    """An office round with a hostile organiser, and a hostile file uploaded to it: (round, preview) URLs."""
    token = csrf_of(client, "/quan-ly/dot-binh-chon/moi")
    created = client.post("/quan-ly/dot-binh-chon/moi", follow_redirects=False, data={
        "csrf_token": token, "level": "tinh", "year": "2025", "province": "ha-noi",
        "organiser": f"Sở {SCRIPT} {TEMPLATE}", "decision_number": ATTRIBUTE, "decision_date": ""})
    assert created.status_code == 303, created.text
    round_url = created.headers["location"]
    hostile_enums = {**XSS_ROW, "issued_on": "15/12/2025", "legal_form": SCRIPT, "score": ATTRIBUTE,
                     "region": TEMPLATE, "decision_date": CLOSE_SCRIPT, "images": None}
    good = {**XSS_ROW, "issued_on": "15/12/2025", "images": None}
    uploaded = client.post(f"{round_url}/nhap", data={"csrf_token": token}, follow_redirects=False,
                           files={"file": (f"{ATTRIBUTE}.xlsx", _xlsx([good, hostile_enums]), XLSX_TYPE)})
    assert uploaded.status_code == 303, uploaded.text
    return round_url, uploaded.headers["location"]


def test_office_pages_show_payloads_as_text(client: TestClient, session: Session, poisoned: Poisoned) -> None:
    sign_in(client, make_user(session, role="admin"))
    round_url, preview_url = _hostile_upload(client)
    _page(client, preview_url, shows=(NAME, f"'{SCRIPT}'", f"'{ATTRIBUTE}'", TEMPLATE))
    _page(client, round_url, shows=(f"Sở {SCRIPT} {TEMPLATE}", ATTRIBUTE))
    pages = [
        ("/quan-ly", ()),
        ("/quan-ly/dot-binh-chon", ()),
        (f"/quan-ly/san-pham?q={quote('bánh')}", (NAME,)),
        (f"/quan-ly/san-pham/{poisoned.product_id}", ()),
        (f"/quan-ly/san-pham/{poisoned.product_id}/anh", (NAME,)),
        (f"/quan-ly/giay-chung-nhan/{poisoned.certificate_id}", (NAME,)),
        ("/quan-ly/nhat-ky", ()),
    ]
    for path, shows in pages:
        page = _page(client, path, shows=shows)
        if path.endswith(f"/san-pham/{poisoned.product_id}"):  # form fields hold the raw text as values
            fields = assert_inert(page, path).find_all(["input", "textarea"])
            values = [f.get("value") or f.get_text() for f in fields]
            assert NAME in values and XSS_ROW["website"] in values


def test_javascript_website_is_refused_with_a_clear_message(client: TestClient, session: Session,
                                                             settings: Settings) -> None:
    path = write_xlsx(settings.data_dir / "js.xlsx", [{**XSS_ROW, "website": "javascript:alert(1)",
                                                       "images": None}])
    report = import_file(session=session, path=path, media_dir=settings.media_path)
    assert [(p.row, p.column) for p in report.problems] == [(2, "website")]
    assert "không hợp lệ" in report.problems[0].message
    session.rollback()
    assert session.exec(select(Product)).first() is None  # a file with an error changes nothing


def test_reserved_and_control_characters_cannot_inject_or_break_files(
        client: TestClient, session: Session, settings: Settings) -> None:
    nul = write_csv(settings.data_dir / "nul.csv", [row(product_name="Trà\x00")])
    refused = import_file(session=session, path=nul, media_dir=settings.media_path)
    assert [p.message for p in refused.problems] == [
        "Tệp nul.csv không phải tệp CSV văn bản; hãy mở bằng Excel và lưu lại dạng "
        "'CSV UTF-8 (phân tách bằng dấu phẩy)'."]
    hostile = row(product_name="Trà \ue000xanh\ue001 \x01\x1b ngon", producer_name="HTX \x07chè",
                  description="dòng 1\x0b\ndòng 2")
    import_rows(client, session, settings, [hostile], name="ky-tu.csv")
    stored = session.exec(select(Product)).one()
    assert stored.name == "Trà \ue000xanh\ue001 ngon" and stored.description == "dòng 1\ndòng 2"
    for path in ("/san-pham?q=trà", "/san-pham"):  # the engine's private markers are not the name's
        marks = assert_inert(client.get(path).text, path).find_all("mark")
        assert [m.get_text() for m in marks] == (["Trà"] if "q=" in path else [])
    ElementTree.fromstring(client.get("/feeds/moi.atom").content)  # noqa: S314 - well-formed despite the input
    make_product(session, name="Chè \x01 cũ", province_slug="ha-noi")  # as stored before they were dropped
    session.commit()
    response = client.get("/san-pham.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert "Chè  cũ" in {cell.value for cell in sheet["A"]}


def test_list_check_shows_payloads_as_text(client: TestClient, poisoned: Poisoned,
                                           settings: Settings) -> None:
    """The list check's table (imported names, typed lines) and its hidden copy of the list stay inert."""
    token = issue_token(secret=settings.secret_key, purpose=FORM_PURPOSE, now=time.time() - 10)
    typed = '"><script>alert(1)</script>'
    for path in (URL, f"/en{URL}"):
        lines = f"{poisoned.code}\n{typed}\n{NAME}"
        response = client.post(path, data={"form_token": token, "danh_sach": lines})
        assert response.status_code == 200, path
        text = visible_text(assert_inert(response.text, path))
        assert NAME in text and PRODUCER in text and typed in text, path
