"""English pages under /en: same routes, site words translated, product texts as entered, hreflang."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.i18n import TRANSLATIONS_DIR
from app.models import Certificate, SelectionRound
from app.web.form_tokens import issue_token
from app.web.language_prefix import has_english
from app.web.rate_limit import SiteLimits
from tests.factories import make_producer, make_product
from tests.routes.test_pages import html, index
from tests.routes.test_verify import Clock, on_day

BASE = "http://127.0.0.1:8000"
ROOT = Path(__file__).resolve().parents[2]
# Vietnamese words of the site's own templates and messages; none may survive on an English page.
# (Product, producer and province names in the test data below are chosen not to contain them.)
SITE_PHRASES = (
    "Trang chủ", "Tra cứu", "Danh mục", "Sản phẩm", "sản phẩm", "Giấy chứng nhận", "giấy chứng nhận",
    "Hiệu lực", "hiệu lực", "Còn hiệu lực", "Hết hiệu lực", "Đã thu hồi", "thu hồi", "Không tìm thấy",
    "nay thuộc", "Báo cáo", "báo cáo", "Vui lòng", "Bản đồ", "Dữ liệu", "Danh sách chọn", "Cấp tỉnh",
    "Cấp quốc gia", "Cấp khu vực", "Đợt bình chọn", "Quyết định", "Lỗi", "tiêu biểu", "Cơ sở sản xuất",
    "Liên hệ", "Địa chỉ", "Điện thoại", "Chưa có", "Xem tất cả", "Tìm", "Tỉnh", "thành phố",
    "Bộ Công Thương", "Sở Công Thương", "Phía Nam", "Chú giải", "Ý nghĩa", "Gửi", "bắt buộc", "Ngày cấp",
)


@pytest.fixture
def slugs(client: TestClient, session: Session) -> dict[str, str]:
    """Two indexed products with Vietnamese names."""
    banh = make_product(session, name="Bánh tráng phơi sương", province_slug="tay-ninh", group="che_bien",
                        issued_on=date(2024, 5, 1), description="Bánh tráng phơi sương Trảng Bàng.")
    non = make_product(session, name="Nón lá bài thơ", province_slug="hue", group="thu_cong_my_nghe")
    index(client, session)
    return {"banh": banh.slug, "non": non.slug}


def _get(client: TestClient, path: str, **params: str) -> BeautifulSoup:
    response = client.get(path, params=params)
    assert response.status_code == 200, path
    return html(response)


def _alternates(soup: BeautifulSoup) -> dict[str, str]:
    return {str(link["hreflang"]): str(link["href"]) for link in soup.select("link[rel=alternate][hreflang]")}


def test_english_home(client: TestClient, slugs: dict[str, str]) -> None:
    """The home page in English: lang attribute, translated chrome and labels, English links."""
    soup = _get(client, "/en/")
    assert soup.html is not None and soup.html["lang"] == "en"
    assert soup.select_one(".skip-link").get_text() == "Skip to main content"  # type: ignore[union-attr]
    assert soup.select_one("#by-group").get_text() == "By product group"  # type: ignore[union-attr]
    tiles = soup.select("#by-group ~ ul a")
    assert "Handicrafts" in tiles[0].get_text() and tiles[0]["href"] == "/en/san-pham?group=thu_cong_my_nghe"
    assert {a.get_text() for a in soup.select(".card__title")} == {"Bánh tráng phơi sương", "Nón lá bài thơ"}
    assert soup.select_one('meta[property="og:locale"]')["content"] == "en_US"  # type: ignore[index]


def test_english_catalog_search(client: TestClient, slugs: dict[str, str]) -> None:
    """Facet titles and labels, counts and cards in English; the product name as entered."""
    soup = _get(client, "/en/san-pham", q="banh trang")
    assert soup.html is not None and soup.html["lang"] == "en"
    assert soup.h1 is not None and soup.h1.get_text() == "Product catalog"
    assert soup.select_one("#hits-heading").get_text(" ", strip=True) == "1 product for “banh trang”"  # type: ignore[union-attr]
    titles = {s.get_text(strip=True).split("(")[0] for s in soup.select(".facet summary")}
    assert {"Validity", "Province", "Product group", "Certification level", "Year certified"} <= titles
    card = soup.select_one(".card")
    assert card is not None
    assert card.select_one(".card__title").get_text() == "Bánh tráng phơi sương"  # type: ignore[union-attr]
    assert card.a is not None and card.a["href"] == f"/en/san-pham/{slugs['banh']}"
    assert "Processed food · Provincial level" in card.get_text()
    assert "Valid" in card.select_one(".status").get_text()  # type: ignore[union-attr]
    facet_links = [str(a["href"]) for a in soup.select(".facet a")]
    assert facet_links and all(href.startswith("/en/san-pham?") for href in facet_links)
    assert soup.select_one("form#search-form")["action"] == "/en/san-pham"  # type: ignore[index]


def test_english_search_examples_find_products(client: TestClient, slugs: dict[str, str]) -> None:
    """/en/ suggests English words (home links, placeholders) and they find the Vietnamese products."""
    home = _get(client, "/en/")
    links = {a.get_text(): str(a["href"]) for a in home.select(".search-examples a")}
    assert list(links) == ["rice paper", "fish sauce", "conical hat"]
    assert links["rice paper"] == "/en/san-pham?q=rice%20paper"
    assert home.select_one("#home-q")["placeholder"] == "e.g. rice paper, conical hat, Bắc Ninh"  # type: ignore[index]
    for text, slug in [("rice paper", slugs["banh"]), ("Conical Hats", slugs["non"])]:
        found = _get(client, "/en/san-pham", q=text)
        assert {str(a["href"]) for a in found.select(".card a")} >= {f"/en/san-pham/{slug}"}, text
    catalog = _get(client, "/en/san-pham")
    placeholder = str(catalog.select_one("#catalog-q")["placeholder"])  # type: ignore[index]
    assert placeholder == "e.g. fish sauce, rice paper, conical hat"
    vietnamese = _get(client, "/")
    examples = [a.get_text() for a in vietnamese.select(".search-examples a")]
    assert examples == ["bánh tráng", "nước mắm", "nón lá"]


def test_english_product_page_keeps_texts_as_entered(client: TestClient, slugs: dict[str, str]) -> None:
    """Labels are English; name, description and producer stay Vietnamese."""
    soup = _get(client, f"/en/san-pham/{slugs['banh']}")
    assert soup.h1 is not None and soup.h1.get_text() == "Bánh tráng phơi sương"
    assert soup.select_one(".prose").get_text() == "Bánh tráng phơi sương Trảng Bàng."  # type: ignore[union-attr]
    assert soup.select_one("#certs").get_text() == "Certificates"  # type: ignore[union-attr]
    assert soup.select_one("#producer").get_text() == "Producer"  # type: ignore[union-attr]
    terms = [dt.get_text() for dt in soup.select(".timeline dt")]
    assert "Issued on" in terms and "Valid until" in terms and "Province at certification" in terms
    assert "1 May 2024" in soup.get_text() and "01/05/2024" not in soup.get_text()  # unambiguous in English
    assert soup.select_one("link[rel=canonical]")["href"] == f"{BASE}/en/san-pham/{slugs['banh']}"  # type: ignore[index]


@pytest.mark.parametrize("lang_prefix", ["", "/en"])
def test_hreflang_alternates_and_switch(client: TestClient, slugs: dict[str, str], lang_prefix: str) -> None:
    """Every page names both languages (Vietnamese as x-default); the switch keeps path and query."""
    soup = _get(client, f"{lang_prefix}/san-pham", q="gốm", utm_source="x")
    assert _alternates(soup) == {
        "vi": f"{BASE}/san-pham?q=g%E1%BB%91m",
        "en": f"{BASE}/en/san-pham?q=g%E1%BB%91m",
        "x-default": f"{BASE}/san-pham?q=g%E1%BB%91m",
    }
    switch = soup.select("a.lang-switch")
    assert len(switch) == 1
    other = "/san-pham" if lang_prefix else "/en/san-pham"
    assert switch[0]["href"] == f"{other}?q=g%E1%BB%91m&utm_source=x"
    assert switch[0].get_text() == ("Tiếng Việt" if lang_prefix else "English")
    home = _get(client, f"{lang_prefix}/")
    assert _alternates(home) == {"vi": f"{BASE}/", "en": f"{BASE}/en/", "x-default": f"{BASE}/"}
    product = _get(client, f"{lang_prefix}/san-pham/{slugs['non']}")
    assert _alternates(product)["en"] == f"{BASE}/en/san-pham/{slugs['non']}"


def test_vietnamese_pages_unchanged(client: TestClient, slugs: dict[str, str]) -> None:
    """Without the prefix the site is Vietnamese, links unprefixed."""
    soup = _get(client, "/san-pham", q="banh trang")
    assert soup.html is not None and soup.html["lang"] == "vi"
    assert soup.h1 is not None and soup.h1.get_text() == "Danh mục sản phẩm"
    assert soup.select_one(".card a")["href"] == f"/san-pham/{slugs['banh']}"  # type: ignore[index]
    assert "Chế biến thực phẩm · Cấp tỉnh" in soup.select_one(".card").get_text()  # type: ignore[union-attr]


def test_unknown_prefixes_and_api(client: TestClient, slugs: dict[str, str]) -> None:
    """Only /en exists; the JSON API, docs and files have no English twin; /en redirects to /en/."""
    assert client.get("/fr/").status_code == 404
    assert client.get("/fr/san-pham").status_code == 404
    assert client.get("/en/en/san-pham").status_code == 404
    assert client.get("/en/api/v1/products").status_code == 404
    assert client.get("/en/openapi.json").status_code == 404
    api = client.get("/api/v1/products", params={"q": "banh trang"})
    assert api.status_code == 200 and api.json()["hits"][0]["name"] == "Bánh tráng phơi sương"
    redirect = client.get("/en", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/en/"


def _site_messages() -> dict[str, str]:
    """Every msgid `make translations` extracts (babel.cfg's mapping, N_ included), with a file it is in."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename="babel.cfg")

    def only_app(path: str) -> bool:
        return Path(path).relative_to(ROOT).parts[0] == "app"

    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS, directory_filter=only_app):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


def _english_catalog() -> Catalog:
    with (TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="en")


VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                                re.IGNORECASE)


def test_every_extracted_message_is_translated() -> None:
    """Extract as `make translations` does: a new site word without an English string fails here."""
    extracted = _site_messages()
    assert "Bỏ qua, đến nội dung chính" in extracted and "Còn hiệu lực" in extracted  # templates and N_
    assert "%(former)s (nay thuộc %(current)s)" in extracted  # gettext in Python
    catalog = _english_catalog()
    problems = []
    for msgid, filename in sorted(extracted.items()):
        message = catalog.get(msgid)
        strings = () if message is None else (
            message.string if isinstance(message.string, tuple) else (message.string,))
        if message is None:
            problems.append(f"missing from the .po: {msgid!r} ({filename}); run `make translations`")
        elif message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r} ({filename})")
        elif VIETNAMESE_LETTERS.search(msgid) and any(text == msgid for text in strings):
            problems.append(f"copied, not translated: {msgid!r}")
    problems += [f"placeholders differ: {m.id!r}: {errors}" for m, errors in catalog.check()]
    assert not problems, "\n".join(problems)


# --- every public page in English -------------------------------------------------------------

@pytest.fixture
def site(client: TestClient, session: Session) -> dict[str, str]:
    """Products with valid, expired and revoked certificates, one certified in a former province, a round."""
    maker = make_producer(session, name="HTX Nón lá Tây Hồ", province_slug="ha-noi",
                          address="Thôn Chuông, Hà Nội (ví dụ)", phone="0900 000 000",
                          email="lien-he@vi-du.example")
    valid = make_product(session, name="Nón lá bài thơ", producer=maker, level="khu_vuc",
                         issued_on=date(2024, 5, 1), number="99/GCN")
    former = make_product(session, name="Vải thiều sấy", producer=maker, province_slug="bac-ninh",
                          certified_in="bac-giang")
    expired = make_product(session, name="Chiếu cói Kim Sơn", producer=maker, issued_on=date(2019, 3, 1))
    revoked = make_product(session, name="Tương Bần", producer=maker, issued_on=date(2024, 1, 10),
                           revoked_on=date(2025, 2, 1))
    rnd = SelectionRound(level="khu_vuc", year=2024, region="nam", decision_number="123/QĐ-BCT",
                         decision_date=date(2024, 11, 20))
    session.add(rnd)
    session.flush()
    codes = {}
    for key, product in (("valid", valid), ("expired", expired), ("revoked", revoked)):
        cert = session.exec(select(Certificate).where(Certificate.product_id == product.id)).one()
        codes[key] = cert.code
        if key == "valid":
            cert.round_id = rnd.id
            session.add(cert)
    index(client, session)
    on_day(client, date(2026, 3, 1))
    return {"valid": valid.slug, "former": former.slug, "producer": maker.slug, "round": str(rnd.id),
            **{f"code_{k}": v for k, v in codes.items()}}


def _english_paths(site: dict[str, str]) -> list[tuple[str, int, str]]:
    """(path under /en, expected status, an English phrase the page must show)."""
    return [
        ("/", 200, "By product group"),
        ("/san-pham", 200, "Product catalog"),
        (f"/san-pham/{site['valid']}", 200, "Regional level"),
        (f"/san-pham/{site['former']}", 200, "Bắc Giang (now part of Bắc Ninh)"),
        (f"/co-so/{site['producer']}", 200, "Products (4)"),
        ("/tinh/bac-ninh", 200, "also includes the former"),
        ("/tinh/bac-giang", 200, "was merged into"),
        (f"/dot-binh-chon/{site['round']}", 200, "South"),
        ("/dot-binh-chon", 200, "Selection rounds"),
        ("/tra-cuu", 200, "Verification code or certificate number"),
        (f"/v/{site['code_valid']}", 200, "Valid"),
        (f"/v/{site['code_expired']}", 200, "Expired"),
        (f"/v/{site['code_revoked']}", 200, "Revoked"),
        ("/tra-cuu?q=ZZZZ-ZZZZ", 404, "Not found"),
        ("/bao-cao", 200, "Send report"),
        (f"/bao-cao?ma={site['code_valid']}", 200, "Product reported:"),
        ("/bao-cao/da-gui?so=ha-noi", 200, "Hà Nội Department of Industry and Trade"),
        (f"/bao-thong-tin-sai?san-pham={site['valid']}", 200, "Report wrong information"),
        (f"/bao-thong-tin-sai?co-so={site['producer']}", 200, "Report wrong information"),
        (f"/bao-thong-tin-sai?ma={site['code_valid']}", 200, "Report wrong information"),
        ("/bao-thong-tin-sai/da-gui?so=ha-noi", 200, "Hà Nội Department of Industry and Trade"),
        ("/danh-sach-chon", 200, "Your shortlist"),
        (f"/danh-sach-chon?sp={site['valid']},{site['former']}", 200, "Shared shortlist"),
        ("/ban-do", 200, "Legend"),
        ("/du-lieu-mo", 200, "Data dictionary"),
        ("/thong-ke", 200, "Download this table (CSV)"),
        ("/nop-ho-so", 200, "Apply for a selection round"),
        ("/tai-khoan/dang-ky", 200, "Register a producer account"),
        ("/tai-khoan/dang-nhap", 200, "Sign in to the producer area"),
        ("/san-pham/khong-co-san-pham-nay", 404, "Page not found"),
        ("/khong-co-trang-nay", 404, "The page you asked for was not found."),
    ]


def _untranslated_links(soup: BeautifulSoup) -> list[str]:
    """Links and form targets to pages that exist in English but point at the Vietnamese ones."""
    targets = [str(a["href"]) for a in soup.select("a[href]") if "lang-switch" not in (a.get("class") or [])]
    targets += [str(f["action"]) for f in soup.select("form[action]")]
    targets += [str(t[attr]) for attr in ("data-hx-get", "data-hx-post") for t in soup.select(f"[{attr}]")]
    return [t for t in targets if t.startswith("/") and not t.startswith(("/en/", "//"))
            and has_english(urlsplit(t).path)]


READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "content")


def _text(soup: BeautifulSoup, selector: str) -> str:
    """The text of the first element matching `selector`, spaces squashed ('' if none)."""
    tag = soup.select_one(selector)
    return " ".join(tag.get_text().split()) if tag is not None else ""


def _site_words(soup: BeautifulSoup) -> str:
    """The page's visible words and the attributes people read, without data and Vietnamese-marked parts."""
    for tag in soup.select("script, code, [lang=vi]"):
        tag.decompose()
    words = [soup.get_text(" ")]
    for tag in soup.find_all(True):
        words += [str(tag[a]) for a in READ_ATTRIBUTES if tag.has_attr(a)]
    return " ".join(words)


def test_every_public_page_in_english(client: TestClient, site: dict[str, str]) -> None:
    """lang, title, description, canonical /en URL, hreflang, a switch back, English links, no Vietnamese."""
    for path, status, phrase in _english_paths(site):
        response = client.get(f"/en{path}")
        assert response.status_code == status, path
        soup = html(response)
        plain_path = urlsplit(path).path
        assert soup.html is not None and soup.html["lang"] == "en", path
        title = soup.title.get_text(strip=True) if soup.title else ""
        description = soup.select_one("meta[name=description]")
        assert title and description is not None and str(description["content"]).strip(), path
        canonical = soup.select_one("link[rel=canonical]")
        expected = f"{BASE}/en{plain_path}" if plain_path != "/" else f"{BASE}/en/"
        assert canonical is not None and canonical["href"] == expected, path
        vi = f"{BASE}{plain_path}"
        assert _alternates(soup) == {"vi": vi, "en": expected, "x-default": vi}, path
        switch = soup.select("a.lang-switch")
        assert [(a.get_text(), a["href"]) for a in switch] == [("Tiếng Việt", path)], path
        assert soup.select_one('meta[property="og:locale"]')["content"] == "en_US"  # type: ignore[index]
        assert not _untranslated_links(soup), (path, _untranslated_links(soup))
        words = _site_words(soup)
        assert phrase in words, (path, phrase)
        left = [p for p in SITE_PHRASES if p in words or p in title]
        assert not left, (path, left)


def test_verification_answers_in_english(client: TestClient, site: dict[str, str]) -> None:
    """The big words and their explanations, for each status; dates with the month spelt out."""
    expected = {
        "code_valid": ("Valid", "The certificate is valid until the end of 31 Dec 2027, 670 days left."),
        "code_expired": ("Expired", "The certificate expired after 31 Dec 2022. "
                                    "The product may no longer carry the programme logo. "
                                    "Expiry comes with time; it is not a sign of a fake."),
        "code_revoked": ("Revoked", "Revoked on 1 Feb 2025. Reason: Vi phạm quy định. "
                                    "The product may not carry the programme logo."),
    }
    for key, (words, detail) in expected.items():
        soup = _get(client, f"/en/v/{site[key]}")
        assert _text(soup, ".verdict__title") == words
        assert _text(soup, ".verdict__detail") == detail
    soup = _get(client, f"/en/v/{site['code_revoked']}")
    history = [li.get_text() for li in soup.select(".status-history li")]
    assert history == ["10 Jan 2024: Certificate issued", "1 Feb 2025: Revoked. Reason: Vi phạm quy định"]
    missing = client.get("/en/tra-cuu", params={"q": "ZZZZ-ZZZZ"})
    assert missing.status_code == 404
    soup = html(missing)
    assert _text(soup, ".verdict__title") == "Not found"
    report = soup.select_one(".verify-steps a")
    assert report is not None and report["href"] == "/en/bao-cao?ma=ZZZZ-ZZZZ"


def test_too_many_lookups_in_english(client: TestClient, site: dict[str, str]) -> None:
    """The lookup limit's wait page: its words, the message raised in Python, the form, all English."""
    client.app.state.limits = SiteLimits(clock=Clock())  # type: ignore[attr-defined]
    responses = [client.get(f"/en/v/{site['code_valid']}") for _ in range(SiteLimits.LOOKUPS_PER_MINUTE + 1)]
    response = responses[-1]
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    soup = html(response)
    assert soup.html is not None and soup.html["lang"] == "en"
    assert _text(soup, "h1") == "Too many lookups"
    wait_words = f"{wait} second" if wait == 1 else f"{wait} seconds"
    expected = f"You are looking up too fast. Please try again in {wait_words}."
    assert _text(soup, ".verdict__detail") == expected
    assert soup.select_one("form.verify-form")["action"] == "/en/tra-cuu"  # type: ignore[index]
    assert not [p for p in SITE_PHRASES if p in _site_words(soup)]


def test_english_errors_from_routes_and_forms(client: TestClient, site: dict[str, str],
                                              settings: Settings) -> None:
    """Messages raised in Python (domain errors, filters, form fields) come out in English."""
    bad_filter = client.get("/en/san-pham", params={"province": "xyz"})
    assert bad_filter.status_code == 422
    assert _text(html(bad_filter), ".error-page__message") == "There is no province named “xyz”."
    no_producer = client.get("/en/co-so/khong-co")
    assert no_producer.status_code == 404
    assert _text(html(no_producer), ".error-page__message") == "This producer was not found."
    token = issue_token(secret=settings.secret_key, purpose="misuse-report", now=time.time() - 10)
    form = {"form_token": token, "ma": "", "noi_mua": "", "mo_ta": "", "lien_he": "", "website": ""}
    posted = client.post("/en/bao-cao", data=form, files={"anh": ("", b"", "application/octet-stream")})
    assert posted.status_code == 422
    soup = html(posted)
    assert _text(soup, "#report-errors-title") == "Please correct the 2 errors below"
    assert _text(soup, "#ma-error") == ("Error: Please enter the verification code, certificate number "
                                        "or product name.")
    assert soup.select_one("form.report-form")["action"] == "/en/bao-cao"  # type: ignore[index]
    form.update(ma=site["code_valid"], noi_mua="Chợ Đồng Xuân, Hà Nội")
    sent = client.post("/en/bao-cao", data=form, files={"anh": ("", b"", "application/octet-stream")},
                       follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/en/bao-cao/da-gui?so=ha-noi"


def test_shortlist_without_javascript_stays_english(client: TestClient, site: dict[str, str]) -> None:
    """The add button posts to /en/… and comes back to the English page it was pressed on."""
    page = _get(client, f"/en/san-pham/{site['valid']}")
    form = page.select_one("form.shortlist-btn")
    assert form is not None and form["action"] == "/en/danh-sach-chon/them"
    fields = {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}
    assert fields["next"] == f"/en/san-pham/{site['valid']}"
    added = client.post(str(form["action"]), data=fields, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == f"/en/san-pham/{site['valid']}"
    listed = _get(client, "/en/danh-sach-chon")
    assert [a["href"] for a in listed.select(".compare__name a")] == [f"/en/san-pham/{site['valid']}"]
    assert _text(listed, "#shortlist-link") == "Shortlist (1)"


def test_english_json_ld_uses_english_urls_and_words(client: TestClient, site: dict[str, str]) -> None:
    """url, @id, the producer and the breadcrumb point at /en pages; site words are English."""
    soup = _get(client, f"/en/san-pham/{site['valid']}")
    script = soup.select_one('script[type="application/ld+json"]')
    assert script is not None and script.string is not None
    graph: dict[str, Any] = {node["@type"]: node for node in json.loads(script.string)["@graph"]}
    product = graph["Product"]
    url = f"{BASE}/en/san-pham/{site['valid']}"
    assert product["url"] == url and product["@id"] == f"{url}#product"
    assert product["name"] == "Nón lá bài thơ"  # as entered
    assert product["brand"]["url"] == f"{BASE}/en/co-so/{site['producer']}"
    assert product["award"] == ["Typical rural industrial product, regional level, 2024"]
    crumbs = [(c["name"], c["item"]["@id"]) for c in graph["BreadcrumbList"]["itemListElement"]]
    assert crumbs == [("Home", f"{BASE}/en/"), ("Products", f"{BASE}/en/san-pham"),
                      ("Hà Nội", f"{BASE}/en/tinh/ha-noi"), ("Nón lá bài thơ", url)]
    assert soup.select_one('meta[property="og:url"]')["content"] == url  # type: ignore[index]
    assert soup.select_one('meta[property="og:locale:alternate"]')["content"] == "vi_VN"  # type: ignore[index]


def test_office_workspace_stays_vietnamese(client: TestClient, session: Session) -> None:
    """/en/quan-ly… redirects (308, query kept) to the Vietnamese pages, which offer no English switch."""
    for path in ("/quan-ly", "/quan-ly/dang-nhap", "/quan-ly/san-pham?trang=2"):
        response = client.get(f"/en{path}", follow_redirects=False)
        assert response.status_code == 308 and response.headers["location"] == path, path
    posted = client.post("/en/quan-ly/dang-nhap", data={"email": "x"}, follow_redirects=False)
    assert posted.status_code == 308 and posted.headers["location"] == "/quan-ly/dang-nhap"
    assert client.get("/en/quan-lyx").status_code == 404  # only the workspace itself, not look-alikes
    login = _get(client, "/quan-ly/dang-nhap")
    assert login.html is not None and login.html["lang"] == "vi"
    assert not login.select("a.lang-switch") and not login.select("link[hreflang]")
    assert login.select_one('footer a[href="/quan-ly"]') is not None
    home = _get(client, "/en/")
    assert home.select_one('footer a[href="/quan-ly"]') is not None  # the office link is kept, unprefixed
