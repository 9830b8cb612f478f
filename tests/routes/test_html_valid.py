"""Every page the site serves is valid HTML: the W3C Nu HTML Checker finds no error in any of them.

One run renders a list of pages that covers every HTML template (public pages in both languages,
each verification answer, htmx fragments as served, error pages, forms shown with their errors,
the office signed in, each e-mail's HTML part), saves them, and runs the checker once over all the files
(one JVM start).
A loader that records the templates Jinja2 loads makes a new template without a page here fail.
An htmx fragment is checked inside a minimal document, as it ends up inside the page that swaps it in.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from jinja2 import BaseLoader, Environment
from PIL import Image
from sqlmodel import Session, select

from app.config import PACKAGE_DIR, Settings
from app.domain.validity import CertificateStatus
from app.forms.jury import decision_field
from app.forms.watch import FORM_PURPOSE as WATCH_PURPOSE
from app.i18n import speaking
from app.main import create_app
from app.models import Certificate, Producer, ProducerAccount, ProducerClaim, Product, WatchList
from app.routes import bulk_check, corrections
from app.routes.reports import FORM_PURPOSE, THANKS_URL
from app.services.catalog.snapshots import snapshot_folder, write_month_snapshot
from app.services.mail.render import mail_env, render_mail
from app.services.watch.mails import AlertLine, WatchLinks
from app.services.watch.table import WatchRow
from app.services.watch.tokens import LinkPurpose, sign_link
from app.web.admission import busy_response
from app.web.form_tokens import issue_token
from app.web.rate_limit import SiteLimits
from app.web.templating import templates
from tests.browser.seeds import Seeded, seed_variety
from tests.factories import TEST_PASSWORD, csrf_of, make_user
from tests.nu import by_page, check_html, checker_command
from tests.producers.helpers import confirm, last_link, password_sign_in, register, use_link
from tests.producers.test_applications import FIELDS, jpeg_bytes, linked_account, open_round, pdf_bytes
from tests.services.sheets import row, write_table_csv, write_xlsx

TEMPLATES = PACKAGE_DIR / "templates"
HX = {"HX-Request": "true"}
# A minimal document: an htmx fragment is checked inside one, as it ends up inside the page that swaps it in.
PAGE = ('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>'
        "<body>\n{body}\n</body></html>\n")
# Checked with the pages: its one error proves the checker read the files (a run that checks nothing fails).
CANARY = ("canary", PAGE.format(title="canary", body='<p hx-get="/">bare hx-get</p>'))
CANARY_ERRORS = ["Attribute “hx-get” not allowed on element “p” at this point."]
_SAMPLE_ROW = WatchRow(
    certificate=Certificate(code="ABCDEFGH", number="12/GCN-SCT", level="tinh", issued_on=date(2023, 12, 15),
                            valid_until=date(2026, 12, 31), product_id=1, province_id=1),
    product=Product(slug="non-la", name="Nón lá <Huế>", name_key="non la", group="khac", producer_id=1,
                    province_id=1),
    status=CertificateStatus.valid, days_left=30)
# Each e-mail template with a context, rendered as sent: its HTML part is checked with the pages.
MAIL_SAMPLES: dict[str, dict[str, object]] = {
    "correction_outcome": {"record": "Nước mắm <Nam Ô>", "record_path": "/san-pham/nuoc-mam-nam-o",
                           "part": "Địa chỉ", "reported_on": "05/12/2026", "office": "Sở Công Thương Đà Nẵng",
                           "outcome": "Đã sửa thông tin", "note": "Đã sửa địa chỉ.\nCảm ơn bạn."},
    "report_outcome": {"code": "ABCD-EFGH", "verify_path": "/v/ABCDEFGH", "reported_on": "05/12/2026",
                       "office": "Sở Công Thương Đà Nẵng", "outcome": "Xác nhận có vi phạm",
                       "note": "Cơ sở bán hàng đã được nhắc nhở.\nCảm ơn bạn."},
    "producer_link": {"kind": "confirm", "name": "Nguyễn Văn Mắm", "hours": 48, "minutes": 2880,
                      "url": "https://cnnt.example.vn/tai-khoan/xac-nhan/abc"},
    "producer_claim_decided": {"name": "Nguyễn Văn Mắm", "producer": "Cơ sở nước mắm", "approved": False,
                               "note": "Số điện thoại không khớp.", "url": "https://cnnt.example.vn/tai-khoan"},
    "application_decided": {"name": "Nguyễn Văn Mắm", "product": "Nước mắm <Nam Ô>", "place": "Đà Nẵng",
                            "accepted": False, "note": "Bổ sung ảnh nhãn.", "url": "https://cnnt.example.vn/tai-khoan/ho-so/1"},
    "round_result": {"name": "Nguyễn Văn Mắm", "product": "Nước mắm <Nam Ô>", "place": "Đà Nẵng",
                     "selected": True, "verify_url": "https://cnnt.example.vn/v/ABCDEFGH",
                     "url": "https://cnnt.example.vn/tai-khoan/ho-so/1"},
    "application_nominated": {"name": "Nguyễn Văn Mắm", "product": "Nước mắm <Nam Ô>", "code": "ABCD2345",
                              "closes_on": "31/12/2026", "url": "https://cnnt.example/tai-khoan/ho-so/3"},
    "juror_appointed": {"name": "Trần Thị Giám", "place": "Đà Nẵng", "year": 2026, "new_account": True,
                        "url": "https://cnnt.example.vn/giam-khao"},
    "watch_confirm": {"confirm_url": "https://cnnt.example.vn/theo-doi/xac-nhan?t=abc", "count": 3},
    "watch_alerts": {
        "day": "01/12/2026",
        "alerts": [AlertLine(row=_SAMPLE_ROW, words="Còn 30 ngày (hoặc ít hơn) là hết hiệu lực")],
        "rows": [_SAMPLE_ROW],
        "links": WatchLinks(manage="https://cnnt.example.vn/theo-doi/quan-ly?t=m",
                            unsubscribe="https://cnnt.example.vn/theo-doi/huy?t=u",
                            atom="https://cnnt.example.vn/theo-doi/k.atom",
                            ics="https://cnnt.example.vn/theo-doi/k.ics"),
    },
}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the markup does not depend on the database, and the checker runs once."""
    return f"sqlite:///{tmp_path / 'cnnt.sqlite3'}"


class RecordingLoader(BaseLoader):
    """The site's loader, remembering the name of every template it loads."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner
        self.loaded: set[str] = set()

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        """The inner loader's source; the name is recorded."""
        self.loaded.add(template)
        return self.inner.get_source(environment, template)


@dataclass
class Pages:
    """The pages saved for the checker, each under a name that says which page it is."""

    folder: Path
    files: list[Path] = field(default_factory=list)

    def save(self, name: str, response: Response, status: int = 200, *, fragment: bool = False) -> None:
        """Save one response's HTML, checking first that it is the page meant (its status)."""
        assert response.status_code == status, f"{name}: {response.status_code}\n{response.text[:2000]}"
        assert response.headers["content-type"].startswith("text/html"), name
        self.write(name, PAGE.format(title=name, body=response.text) if fragment else response.text)

    def write(self, name: str, text: str) -> None:
        """Save a page's text under `name`."""
        path = self.folder / f"{re.sub(r'[^a-z0-9-]+', '-', name)}.html"
        assert path not in self.files, f"two pages named {name}"
        path.write_text(text, encoding="utf-8")
        self.files.append(path)


@pytest.fixture
def seeded(session: Session, settings: Settings) -> Seeded:
    """A round with a photographed winner, an expired and a revoked certificate, accounts, a report."""
    filled = Seeded()
    seed_variety(session, settings, filled)
    return filled


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingLoader:
    """Records the templates loaded from here on (a new loader: Jinja2 caches templates per loader)."""
    assert templates.env.loader is not None
    loader = RecordingLoader(templates.env.loader)
    monkeypatch.setattr(templates.env, "loader", loader)
    return loader


@pytest.fixture
def site(settings: Settings, seeded: Seeded, recorder: RecordingLoader) -> Iterator[TestClient]:
    """The app on the seeded database (its empty search index is filled as the engine opens)."""
    with TestClient(create_app(settings)) as client:
        yield client


def _public(client: TestClient, pages: Pages, seeded: Seeded, prefix: str = "") -> None:
    """The public pages with something on them, in one language."""
    lang = prefix.strip("/") or "vi"
    get = client.get
    pages.save(f"{lang}-home", get(f"{prefix}/"))
    pages.save(f"{lang}-catalog", get(f"{prefix}/san-pham"))
    pages.save(f"{lang}-catalog-filtered", get(f"{prefix}/san-pham", params={
        "q": "nuoc mam", "province": "da-nang", "level": "tinh", "status": "valid", "group": "che_bien"}))
    pages.save(f"{lang}-catalog-page-2", get(f"{prefix}/san-pham", params={"per_page": "1", "page": "2"}))
    pages.save(f"{lang}-catalog-nothing-found", get(f"{prefix}/san-pham", params={"q": "nuoc mamm xyzw"}))
    pages.save(f"{lang}-catalog-filters-nothing", get(f"{prefix}/san-pham", params={
        "q": "nuoc mam", "province": "ninh-binh", "group": "co_khi"}))
    pages.save(f"{lang}-catalog-past-end", get(f"{prefix}/san-pham", params={"page": "999"}), 404)
    pages.save(f"{lang}-product", get(f"{prefix}/san-pham/{seeded.product}"))
    pages.save(f"{lang}-producer", get(f"{prefix}/co-so/{seeded.producer}"))
    pages.save(f"{lang}-province", get(f"{prefix}/tinh/da-nang"))
    pages.save(f"{lang}-round", get(f"{prefix}/dot-binh-chon/{seeded.round_id}"))
    pages.save(f"{lang}-rounds", get(f"{prefix}/dot-binh-chon"))
    pages.save(f"{lang}-map", get(f"{prefix}/ban-do"))
    pages.save(f"{lang}-open-data", get(f"{prefix}/du-lieu-mo"))
    pages.save(f"{lang}-statistics", get(f"{prefix}/thong-ke"))
    pages.save(f"{lang}-statistics-at-certification", get(f"{prefix}/thong-ke", params={"tinh": "luc-cap"}))
    pages.save(f"{lang}-statistics-bad-param", get(f"{prefix}/thong-ke", params={"tinh": "xyz"}), 422)
    pages.save(f"{lang}-verify-form", get(f"{prefix}/tra-cuu"))
    pages.save(f"{lang}-verify-valid", get(f"{prefix}/v/{seeded.valid_code}"))
    pages.save(f"{lang}-verify-expired", get(f"{prefix}/v/{seeded.expired_code}"))
    pages.save(f"{lang}-verify-revoked", get(f"{prefix}/v/{seeded.revoked_code}"))
    pages.save(f"{lang}-verify-not-found", get(f"{prefix}/tra-cuu", params={"q": "ZZZZ2222"}), 404)
    typo = get(f"{prefix}/tra-cuu", params={"q": seeded.valid_code[:-1]})  # one character missing
    assert "verify-suggestions" in typo.text
    pages.save(f"{lang}-verify-did-you-mean", typo, 404)
    pages.save(f"{lang}-report-form", get(f"{prefix}/bao-cao"))
    pages.save(f"{lang}-report-form-about", get(f"{prefix}/bao-cao", params={"ma": seeded.valid_code}))
    pages.save(f"{lang}-report-thanks", get(f"{prefix}{THANKS_URL}", params={"so": "da-nang"}))
    correction = f"{prefix}/bao-thong-tin-sai"
    pages.save(f"{lang}-correction-form", get(correction, params={"san-pham": seeded.product}))
    pages.save(f"{lang}-correction-form-certificate", get(correction, params={"ma": seeded.valid_code}))
    pages.save(f"{lang}-correction-thanks", get(f"{correction}/da-gui", params={"so": "da-nang"}))
    client.post(f"{prefix}/danh-sach-chon/them", data={"sp": seeded.product})
    pages.save(f"{lang}-shortlist", get(f"{prefix}/danh-sach-chon"))
    pages.save(f"{lang}-not-found", get(f"{prefix}/san-pham/khong-co-san-pham-nay"), 404)


def _watch_pages(client: TestClient, pages: Pages, settings: Settings, session: Session,
                 seeded: Seeded) -> None:
    """The watch list's pages: the form (both languages, with errors), sent, confirm, manage, deleted."""
    pages.save("vi-watch-form", client.get("/theo-doi"))
    pages.save("en-watch-form", client.get("/en/theo-doi"))

    def token() -> str:
        return issue_token(secret=settings.secret_key, purpose=WATCH_PURPOSE, now=time.time() - 10)

    typed = {"code": ["KHONGCO2"], "email": "khong-phai-email", "form_token": token()}
    pages.save("vi-watch-form-errors", client.post("/theo-doi", data=typed), 422)
    typed = {"code": [seeded.valid_code, "KHONGCO2"], "slug": [seeded.product],
             "email": "nguoi.mua@example.vn", "form_token": token()}
    pages.save("vi-watch-sent", client.post("/theo-doi", data=typed))
    watch = session.exec(select(WatchList)).one()

    def link(purpose: LinkPurpose, email: str = "") -> str:
        return sign_link(secret=settings.secret_key, purpose=purpose, list_id=watch.id or 0,
                         feed_key=watch.feed_key, email=email)

    confirm = link(LinkPurpose.confirm, "nguoi.mua@example.vn")
    pages.save("vi-watch-confirm", client.get("/theo-doi/xac-nhan", params={"t": confirm}))
    pages.save("vi-watch-manage", client.post("/theo-doi/xac-nhan", data={"t": confirm}))
    pages.save("en-watch-manage", client.get("/en/theo-doi/quan-ly", params={"t": link(LinkPurpose.manage)}))
    pages.save("vi-watch-bad-link", client.get("/theo-doi/quan-ly", params={"t": "rac"}), 400)
    unsubscribe = link(LinkPurpose.unsubscribe)
    pages.save("vi-watch-unsubscribe", client.get("/theo-doi/huy", params={"t": unsubscribe}))
    pages.save("vi-watch-deleted", client.post("/theo-doi/huy", params={"t": unsubscribe}))


def _forms_with_errors(client: TestClient, pages: Pages, settings: Settings) -> None:
    """The public forms shown again with their errors, and the lookup limit's page."""
    token = issue_token(secret=settings.secret_key, purpose=FORM_PURPOSE, now=time.time() - 10)
    typed = {"form_token": token, "ma": "", "noi_mua": "", "mo_ta": "", "lien_he": "x", "website": ""}
    pages.save("vi-report-form-errors", client.post("/bao-cao", data=typed, files={"anh": ("", b"")}), 422)
    pages.save("vi-catalog-bad-filter", client.get("/san-pham", params={"year": "abc", "page": "-1"}), 422)
    for _ in range(SiteLimits.LOOKUPS_PER_MINUTE):
        client.get("/tra-cuu", params={"q": "ABCD2345"})
    pages.save("vi-verify-rate-limited", client.get("/tra-cuu", params={"q": "ABCD2345"}), 429)
    client.app.state.limits = SiteLimits()  # type: ignore[attr-defined]


def _corrections(client: TestClient, pages: Pages, seeded: Seeded, settings: Settings) -> None:
    """The correction form with its errors, then the office's list, one report, a move and a refused one."""
    token = issue_token(secret=settings.secret_key, purpose=corrections.FORM_PURPOSE, now=time.time() - 10)
    typed = {"form_token": token, "co_so": seeded.producer, "truong": "", "noi_dung": "x",
             "lien_ket": "ftp:x", "email": "x"}
    pages.save("vi-correction-form-errors", client.post("/bao-thong-tin-sai", data=typed), 422)
    sent = client.post("/bao-thong-tin-sai", data={**typed, "truong": "dia_chi", "lien_ket": "",
                                                    "noi_dung": "Địa chỉ đúng là thôn 2.", "email": ""},
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    _sign_in(client, seeded.office_email)
    listing = client.get("/quan-ly/bao-sai")
    pages.save("office-corrections", listing)
    report = BeautifulSoup(listing.text, "html.parser").select_one("table.correction-table a")
    assert report is not None
    pages.save("office-correction", client.get(str(report["href"])))
    token = {"csrf_token": csrf_of(client, "/quan-ly/mat-khau")}
    moved = client.post(f"{report['href']}/trang-thai", data={**token, "state": "checking"},
                        follow_redirects=False)
    assert moved.status_code == 303
    pages.save("office-correction-moved", client.get(moved.headers["location"]))
    refused = client.post(f"{report['href']}/trang-thai", data={**token, "state": "confirmed", "note": ""})
    pages.save("office-correction-errors", refused, 422)


def _bulk_check(client: TestClient, pages: Pages, seeded: Seeded, settings: Settings,
                prefix: str = "") -> None:
    """The list check: the form, an answer of every status, the column choice and the form's errors."""
    lang = prefix.strip("/") or "vi"
    url = f"{prefix}{bulk_check.URL}"
    token = issue_token(secret=settings.secret_key, purpose=bulk_check.FORM_PURPOSE, now=time.time() - 10)

    def post(text: str) -> Response:
        return client.post(url, data={"form_token": token, "danh_sach": text}, files={"tep": ("", b"")})

    pages.save(f"{lang}-bulk-form", client.get(url))
    codes = [seeded.valid_code, seeded.expired_code, seeded.revoked_code, "ZZZZ-ZZZZ", "nuoc mam"]
    pages.save(f"{lang}-bulk-answer", post("\n".join(codes)))
    pages.save(f"{lang}-bulk-choose-column", post(f"a\t{seeded.valid_code}\nb\tkhông rõ"))
    pages.save(f"{lang}-bulk-errors", post(""), 422)


def _fragments(client: TestClient, pages: Pages, seeded: Seeded) -> None:
    """htmx swaps as served: the catalog results, the shortlist button, an error."""
    results = client.get("/san-pham", params={"q": "nuoc mam", "province": "da-nang"}, headers=HX)
    pages.save("fragment-catalog-results", results, fragment=True)
    toggle = client.post("/danh-sach-chon/them", data={"sp": seeded.product}, headers=HX)
    pages.save("fragment-shortlist-toggle", toggle, fragment=True)
    pages.save("fragment-not-found", client.get("/san-pham/khong-co", headers=HX), 404, fragment=True)


def _sign_in(client: TestClient, email: str) -> None:
    """Sign in through the login form."""
    client.cookies.clear()
    data = {"email": email, "password": TEST_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/quan-ly/dang-nhap", data=data, follow_redirects=False).status_code == 303


def _office(client: TestClient, pages: Pages, seeded: Seeded) -> None:
    """The office workspace signed in as the Đà Nẵng office (the audit log as an administrator)."""
    pages.save("office-login", client.get("/quan-ly/dang-nhap"))
    bad = {"email": seeded.office_email, "password": "sai", "csrf_token": csrf_of(client)}
    pages.save("office-login-failed", client.post("/quan-ly/dang-nhap", data=bad), 401)
    _sign_in(client, seeded.office_email)
    product = f"/quan-ly/san-pham/{seeded.product_id}"
    for name, path in (("dashboard", "/quan-ly"), ("rounds", "/quan-ly/dot-binh-chon"),
                       ("round-new", "/quan-ly/dot-binh-chon/moi"),
                       ("round", f"/quan-ly/dot-binh-chon/{seeded.round_id}"),
                       ("records", "/quan-ly/san-pham"), ("product", product),
                       ("certificate", f"/quan-ly/giay-chung-nhan/{seeded.certificate_id}"),
                       ("photos", f"{product}/anh"), ("password", "/quan-ly/mat-khau"),
                       ("reports", "/quan-ly/bao-cao"), ("report", f"/quan-ly/bao-cao/{seeded.report_id}"),
                       ("bulk-photos", "/quan-ly/anh-hang-loat")):
        pages.save(f"office-{name}", client.get(path))
    pages.save("office-reports-errors", client.get("/quan-ly/bao-cao", params={"tu": "31/02/2026"}), 422)
    _sign_in(client, seeded.admin_email)
    pages.save("office-reports-admin", client.get("/quan-ly/bao-cao", params={"tinh": "bo", "q": "x"}))
    pages.save("office-audit", client.get("/quan-ly/nhat-ky"))
    pages.save("office-accounts", client.get("/quan-ly/tai-khoan"))
    token = {"csrf_token": csrf_of(client, "/quan-ly/tai-khoan")}
    added = {**token, "email": "moi@example.vn", "name": "Cán bộ mới", "role": "office",
             "province": "da-nang"}
    pages.save("office-account-added", client.post("/quan-ly/tai-khoan", data=added))
    pages.save("office-accounts-errors", client.post("/quan-ly/tai-khoan", data={**token, "email": "x"}), 422)


def _producer_password(client: TestClient, pages: Pages, session: Session, email: str) -> None:
    """The password page of a link-only account, its mailed link's page (with an error), then the change
    form of the password set there, with its errors."""
    pages.save("producer-password-by-link", client.get("/tai-khoan/mat-khau"))
    token = {"csrf_token": csrf_of(client, "/tai-khoan")}
    asked = client.post("/tai-khoan/mat-khau/gui-lien-ket", data=token, follow_redirects=False)
    assert asked.status_code == 303
    pages.save("producer-password-link-sent", client.get("/tai-khoan/mat-khau?da_gui=1"))
    link = last_link(session, email)
    pages.save("producer-password-link", client.get(link))
    pages.save("producer-password-link-errors", confirm(client, link, password="ngan"), 422)
    assert use_link(client, link, password="mat-khau-co-so-123") == 303
    pages.save("producer-password", client.get("/tai-khoan/mat-khau?da_doi=1"))
    wrong = {"csrf_token": csrf_of(client, "/tai-khoan"), "current": "sai", "new": "ngan", "repeat": "ngan"}
    pages.save("producer-password-errors", client.post("/tai-khoan/mat-khau", data=wrong), 422)


def _producer_area(client: TestClient, pages: Pages, session: Session, seeded: Seeded) -> None:
    """The producer area: sign-up and sign-in pages with their errors, links, the dashboard, claims."""
    client.cookies.clear()
    email = "co.so@example.vn"
    for name, path in (("register", "/tai-khoan/dang-ky"), ("login", "/tai-khoan/dang-nhap"),
                       ("link-request", "/tai-khoan/lien-ket"), ("sent", "/tai-khoan/da-gui")):
        pages.save(f"producer-{name}", client.get(path))
    token = {"csrf_token": csrf_of(client, "/tai-khoan/dang-ky")}
    too_long = client.post("/tai-khoan/dang-ky", data={**token, "name": "x" * 300})
    pages.save("producer-register-errors", too_long, 422)
    failed = client.post("/tai-khoan/dang-nhap", data={**token, "email": email})
    pages.save("producer-login-failed", failed, 401)
    pages.save("producer-link-bad", client.get("/tai-khoan/dang-nhap/khong-hop-le"), 400)
    assert register(client, email=email) == 303
    link = last_link(session, email)
    pages.save("producer-link", client.get(link))  # the confirmation page, with its password field
    pages.save("producer-link-errors", confirm(client, link, password="ngan"), 422)
    assert use_link(client, link) == 303
    pages.save("producer-home-empty", client.get("/tai-khoan"))
    _producer_password(client, pages, session, email)
    pages.save("producer-claim-search", client.get("/tai-khoan/nhan-co-so", params={"ten": "co so"}))
    token = {"csrf_token": csrf_of(client, "/tai-khoan")}
    pages.save("producer-claim-errors", client.post("/tai-khoan/nhan-co-so", data={**token, "ten": "a"}), 422)
    pages.save("producer-new", client.get("/tai-khoan/co-so-moi"))
    pages.save("producer-new-errors", client.post("/tai-khoan/co-so-moi", data={**token, "phone": "x"}), 422)
    producer = session.exec(select(Producer).where(Producer.slug == seeded.producer)).one()
    account = session.exec(select(ProducerAccount).where(ProducerAccount.email == email)).one()
    assert producer.id is not None and account.id is not None
    claim = ProducerClaim(account_id=account.id, producer_id=producer.id, province_id=producer.province_id,
                          message="Mã số thuế 0101234567")
    account.producer_id = producer.id
    session.add_all([claim, account])
    session.commit()
    pages.save("producer-home", client.get("/tai-khoan"))
    _sign_in(client, seeded.admin_email)
    pages.save("office-claims", client.get("/quan-ly/yeu-cau-nhan-co-so"))
    pages.save("office-claim", client.get(f"/quan-ly/yeu-cau-nhan-co-so/{claim.id}"))
    refused = {"csrf_token": csrf_of(client, "/quan-ly"), "decision": "refuse"}
    no_note = client.post(f"/quan-ly/yeu-cau-nhan-co-so/{claim.id}", data=refused)
    pages.save("office-claim-errors", no_note, 422)


def _office_forms(client: TestClient, pages: Pages, seeded: Seeded, tmp_path: Path) -> None:
    """The office's forms with their errors, and a winners list uploaded to its preview."""
    _sign_in(client, seeded.office_email)
    token = {"csrf_token": csrf_of(client, "/quan-ly/mat-khau")}
    post = client.post
    for name, path, typed in (
        ("round-new", "/quan-ly/dot-binh-chon/moi", {"year": "x"}),
        ("product", f"/quan-ly/san-pham/{seeded.product_id}", {"name": "", "email": "x"}),
        ("certificate", f"/quan-ly/giay-chung-nhan/{seeded.certificate_id}", {"issued_on": "31/02/2024"}),
        ("password", "/quan-ly/mat-khau", {"current": "sai"}),
    ):
        pages.save(f"office-{name}-errors", post(path, data={**token, **typed}), 422)
    upload = f"/quan-ly/dot-binh-chon/{seeded.round_id}/nhap"
    not_a_sheet = {"file": ("x.xlsx", b"not a spreadsheet", "text/plain")}
    pages.save("office-upload-errors", post(upload, data=token, files=not_a_sheet), 422)
    sheet = write_xlsx(tmp_path / "trung-tuyen.xlsx", [
        row(province="Đà Nẵng", issued_on="15/12/2024", product_name="Bánh tráng Túy Loan"),
        row(province="Đà Nẵng", issued_on="31/02/2024", product_name="Nem chả Hòa Vang", level="khong-co")])
    files = {"file": (sheet.name, sheet.read_bytes(), "application/octet-stream")}
    pages.save("office-import-preview", post(upload, data=token, files=files))
    report = f"/quan-ly/bao-cao/{seeded.report_id}"
    moved = post(f"{report}/trang-thai", data={**token, "state": "checking"}, follow_redirects=False)
    assert moved.status_code == 303
    pages.save("office-report-moved", client.get(moved.headers["location"]))
    refused = post(f"{report}/trang-thai", data={**token, "state": "unfounded", "note": ""})
    pages.save("office-report-errors", refused, 422)
    annex = write_table_csv(tmp_path / "phu-luc.csv", [
        ["DANH SÁCH SẢN PHẨM CNNT TIÊU BIỂU"], ["STT", "Tên sản phẩm", "Tên cơ sở", "Ngày cấp", "Ghi chú"],
        ["I", "Nhóm sản phẩm thủ công mỹ nghệ"],
        [1, "Chiếu cói Cẩm Lệ", "Cơ sở chiếu Cẩm Lệ", "15/12/2024", "x"],
        ["Ghi chú: danh sách có 1 sản phẩm."]])
    files = {"file": (annex.name, annex.read_bytes(), "text/csv")}
    batch_path = post(upload, data=token, files=files, follow_redirects=False).headers["location"]
    pages.save("office-import-annex-preview", client.get(batch_path))
    pages.save("office-import-published", post(f"{batch_path}/xuat-ban", data=token))
    _bulk_photos(client, pages, token)
    revoke = f"/quan-ly/giay-chung-nhan/{seeded.certificate_id}/thu-hoi"
    typed = {**token, "revoked_on": "20/05/2026", "reason": "Thử"}
    pages.save("office-confirm-revoke", post(revoke, data=typed))


def _round_decision(client: TestClient, pages: Pages, seeded: Seeded) -> None:
    """The round's decision form (as it is, refused, saved), then the public pages that link its PDF."""
    _sign_in(client, seeded.office_email)
    form = f"/quan-ly/dot-binh-chon/{seeded.round_id}/quyet-dinh"
    pages.save("office-round-decision", client.get(form))
    token = {"csrf_token": csrf_of(client, form)}
    not_a_pdf = {"pdf": ("qd.pdf", b"<html></html>", "application/pdf")}
    refused = client.post(form, data={**token, "decision_date": "31/02/2024"}, files=not_a_pdf)
    pages.save("office-round-decision-errors", refused, 422)
    typed = {**token, "decision_number": "15/QĐ-UBND", "decision_date": "20/11/2024",
             "decision_signer": "Ủy ban nhân dân thành phố Đà Nẵng"}
    saved = client.post(form, data=typed, files={"pdf": ("qd.pdf", pdf_bytes(), "application/pdf")})
    pages.save("office-round-decision-saved", saved)
    for prefix in ("", "/en"):
        lang = prefix.strip("/") or "vi"
        for name, path in (("product", f"/san-pham/{seeded.product}"), ("verify", f"/v/{seeded.valid_code}"),
                           ("round", f"/dot-binh-chon/{seeded.round_id}")):
            page = client.get(f"{prefix}{path}")
            assert 'class="decision-pdf"' in page.text, (lang, name)
            pages.save(f"{lang}-{name}-with-decision-pdf", page)


def _bulk_photos(client: TestClient, pages: Pages, token: dict[str, str]) -> None:
    """The bulk photo form refused, a zip's preview (every kind of row), and the result once confirmed."""
    pages.save("office-bulk-photos-errors", client.post("/quan-ly/anh-hang-loat", data=token), 422)
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 30, 30)).save(photo, "JPEG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, data in (("nuoc-mam-nam-o.jpg", photo.getvalue()), ("khong-co.jpg", photo.getvalue()),
                           ("ghi-chu.jpg", b"text"), ("../ra-ngoai.jpg", b"x"), ("long.zip", b"PK\x03\x04")):
            bundle.writestr(name, data)
    files = {"photos": ("anh.zip", archive.getvalue(), "application/zip")}
    staged = client.post("/quan-ly/anh-hang-loat", data=token, files=files, follow_redirects=False)
    assert staged.status_code == 303, staged.text
    preview = staged.headers["location"]
    pages.save("office-bulk-photos-preview", client.get(preview))
    assert client.post(f"{preview}/ap-dung", data=token, follow_redirects=False).status_code == 303
    pages.save("office-bulk-photos-result", client.get(preview))


def _calls(client: TestClient, pages: Pages, seeded: Seeded) -> None:
    """The office's call form (as seeded, with errors, saved), then the public calls in both languages."""
    _sign_in(client, seeded.office_email)
    form = f"/quan-ly/dot-binh-chon/{seeded.round_id}/goi-ho-so"
    pages.save("office-call-form", client.get(form))
    token = {"csrf_token": csrf_of(client, form)}
    wrong = {**token, "opens_on": "01/12/2026", "closes_on": "x", "criteria": "A | 40\n- B | x",
             "pass_mark": "200"}
    pages.save("office-call-errors", client.post(form, data=wrong), 422)
    typed = {**token, "opens_on": "01/12/2026", "closes_on": "31/12/2026", "results_on": "01/03/2027",
             "documents": "Phiếu đăng ký\nNhãn hiệu | nếu có", "criteria": "A | 60\n- A1 | 60\nB | 40",
             "pass_mark": "70", "notes": "Nộp tại Sở.\nĐiện thoại: 000 (ví dụ)."}
    assert client.post(form, data=typed, follow_redirects=False).status_code == 303
    pages.save("office-call-edit", client.get(form))
    pages.save("office-round-with-call", client.get(f"/quan-ly/dot-binh-chon/{seeded.round_id}"))
    for prefix in ("", "/en"):
        lang = prefix.strip("/") or "vi"
        pages.save(f"{lang}-calls", client.get(f"{prefix}/nop-ho-so"))
        pages.save(f"{lang}-call", client.get(f"{prefix}/nop-ho-so/{seeded.round_id}"))


def _applications(client: TestClient, pages: Pages, session: Session, seeded: Seeded) -> None:
    """An application: the start page, the draft with errors, submitted (read-only), the office's pages."""
    selection_round = open_round(session)
    account = linked_account(session, "ho.so@example.vn")
    client.cookies.clear()
    assert password_sign_in(client, email=account.email) == 303
    pages.save("producer-application-start", client.get(f"/tai-khoan/ho-so/moi?dot={selection_round.id}"))
    token = {"csrf_token": csrf_of(client, "/tai-khoan")}
    started = client.post("/tai-khoan/ho-so", data={**token, "round": str(selection_round.id)},
                          follow_redirects=False)
    page = str(started.headers["location"])
    wrong = {**token, **FIELDS, "diem-van_hoa": "99", "group": "x"}
    pages.save("producer-application-errors", client.post(page, data=wrong), 422)
    pages.save("producer-application-submit-errors", client.post(f"{page}/nop", data=token), 422)
    assert client.post(page, data={**token, **FIELDS}, follow_redirects=False).status_code == 303
    for key, name, data in (("phieu_dang_ky", "don.pdf", pdf_bytes()), ("hinh_anh", "anh.jpg", jpeg_bytes())):
        sent = client.post(f"{page}/tep", data={**token, "document": key}, files={"file": (name, data)},
                           follow_redirects=False)
        assert sent.status_code == 303
    pages.save("producer-application-draft", client.get(page))
    assert client.post(f"{page}/nop", data=token, follow_redirects=False).status_code == 303
    pages.save("producer-application-submitted", client.get(page))
    pages.save("producer-home-applications", client.get("/tai-khoan"))
    _sign_in(client, seeded.admin_email)
    pages.save("office-applications", client.get(f"/quan-ly/dot-binh-chon/{selection_round.id}/ho-so"))
    office_page = "/quan-ly/ho-so/" + page.rsplit("/", 1)[-1]
    pages.save("office-application", client.get(office_page))
    no_note = {"csrf_token": csrf_of(client, "/quan-ly"), "decision": "return"}
    pages.save("office-application-errors", client.post(office_page, data=no_note), 422)
    accept = {"csrf_token": csrf_of(client, "/quan-ly"), "decision": "accept"}
    assert client.post(office_page, data=accept, follow_redirects=False).status_code == 303
    _jury(client, pages, session, seeded, round_id=selection_round.id or 0,
          application_id=int(page.rsplit("/", 1)[-1]))


def _jury(client: TestClient, pages: Pages, session: Session, seeded: Seeded, *, round_id: int,
          application_id: int) -> None:
    """The round's jurors (appointing a new one shows its one-time password), the juror's pages with a
    score form's errors, the scoring board with a decision's errors: as the administrator, then the juror."""
    jurors = f"/quan-ly/dot-binh-chon/{round_id}/giam-khao"
    token = {"csrf_token": csrf_of(client, "/quan-ly")}
    juror = make_user(session, role="juror", email="giam.khao@example.vn")
    appointed = client.post(jurors, data={**token, "email": juror.email}, follow_redirects=False)
    assert appointed.status_code == 303
    pages.save("office-jurors", client.get(jurors))
    new = {**token, "name": "Lê Văn Mới", "email": "giam.khao.moi@example.vn"}
    pages.save("office-juror-appointed", client.post(jurors, data=new))
    pages.save("office-jurors-errors", client.post(jurors, data={**token, "email": "x"}), 422)
    _sign_in(client, juror.email)
    pages.save("juror-home", client.get("/giam-khao"))
    pages.save("juror-round", client.get(f"/giam-khao/dot/{round_id}"))
    application = f"/giam-khao/ho-so/{application_id}"
    pages.save("juror-application", client.get(application))
    token = {"csrf_token": csrf_of(client, "/giam-khao")}
    over = client.post(application, data={**token, "diem-van_hoa": "41"})
    pages.save("juror-application-errors", over, 422)
    scores = {"diem-thi_truong": "50", "diem-van_hoa": "30,5"}
    assert client.post(application, data={**token, **scores}, follow_redirects=False).status_code == 303
    _sign_in(client, seeded.admin_email)
    board = f"/quan-ly/dot-binh-chon/{round_id}/cham-diem"
    pages.save("office-scores", client.get(board))
    pages.save("office-application-scored", client.get(f"/quan-ly/ho-so/{application_id}"))
    no_number = client.post(board, data={"csrf_token": csrf_of(client, "/quan-ly")})
    pages.save("office-scores-errors", no_number, 422)
    _publish(client, pages, round_id=round_id, application_id=application_id)


def _publish(client: TestClient, pages: Pages, *, round_id: int, application_id: int) -> None:
    """Publishing the results: refused before the decision, the confirmation, the board and call after."""
    board = f"/quan-ly/dot-binh-chon/{round_id}/cham-diem"
    publish = f"/quan-ly/dot-binh-chon/{round_id}/cong-bo"
    token = {"csrf_token": csrf_of(client, "/quan-ly")}
    pages.save("office-publish-refused", client.post(publish, data=token), 422)
    decision = {**token, "decision_number": "12/QĐ-UBND", "decision_date": "20/11/2026",
                decision_field(application_id): "selected"}
    assert client.post(board, data=decision, follow_redirects=False).status_code == 303
    pages.save("office-publish-confirm", client.post(publish, data=token))
    assert client.post(publish, data={**token, "xac_nhan": "1"}, follow_redirects=False).status_code == 303
    pages.save("office-scores-published", client.get(f"{board}?da=cong-bo"))
    pages.save("call-published", client.get(f"/nop-ho-so/{round_id}"))
    nominate = f"/quan-ly/dot-binh-chon/{round_id}/de-cu"
    pages.save("office-nominate", client.get(nominate))
    forged = {"csrf_token": csrf_of(client, "/quan-ly"), "certificate": "1", "target": "1"}
    pages.save("office-nominate-errors", client.post(nominate, data=forged), 422)


def _last(client: TestClient, pages: Pages) -> None:
    """The API's Redoc page, then the catalog with its search engine down (the database fallback notice)."""
    pages.save("api-redoc", client.get("/redoc"))
    client.app.state.search.close()  # type: ignore[attr-defined]
    pages.save("vi-catalog-search-down", client.get("/san-pham", params={"q": "nuoc mam"}))


def _busy(pages: Pages) -> None:
    """The 503 "busy" page of a search refused past capacity (tests/crash/test_overload.py: for real)."""
    for lang in ("vi", "en"):
        scope = {"type": "http", "method": "GET", "path": "/san-pham", "query_string": b"q=nuoc+mam&page=2"}
        with speaking(lang):
            response = busy_response(scope)
        assert response.status_code == 503 and response.media_type == "text/html"
        pages.write(f"{lang}-busy", bytes(response.body).decode())


def _mails(pages: Pages, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every e-mail's HTML part as sent; returns the mail templates loaded."""
    assert mail_env.loader is not None
    loader = RecordingLoader(mail_env.loader)
    monkeypatch.setattr(mail_env, "loader", loader)
    for name, context in MAIL_SAMPLES.items():
        pages.write(f"mail-{name}", render_mail(name, context).html)
    return loader.loaded


def _html_templates() -> set[str]:
    """Every HTML template by its Jinja2 name (the SVG and XML ones are not HTML: tests of their own)."""
    return {str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")}


def test_every_page_is_valid_html(site: TestClient, seeded: Seeded, settings: Settings, session: Session,
                                  recorder: RecordingLoader, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    checker_command()  # a missing Java or checker fails before the pages are rendered
    pages = Pages(tmp_path / "pages")
    pages.folder.mkdir()
    write_month_snapshot(session=session, folder=snapshot_folder(settings.data_dir), today=date(2026, 12, 8),
                         base_url=settings.public_base_url)  # the open-data page lists it
    _public(site, pages, seeded)
    _public(site, pages, seeded, prefix="/en")
    _forms_with_errors(site, pages, settings)
    _watch_pages(site, pages, settings, session, seeded)
    _bulk_check(site, pages, seeded, settings)
    _bulk_check(site, pages, seeded, settings, prefix="/en")
    _fragments(site, pages, seeded)
    _office(site, pages, seeded)
    _office_forms(site, pages, seeded, tmp_path)
    _corrections(site, pages, seeded, settings)
    _round_decision(site, pages, seeded)
    _producer_area(site, pages, session, seeded)
    _calls(site, pages, seeded)
    _applications(site, pages, session, seeded)
    _last(site, pages)
    _busy(pages)
    mails = _mails(pages, monkeypatch)
    unrendered = sorted(_html_templates() - recorder.loaded - mails)
    assert unrendered == [], "add a page that renders these templates to the list in this test"
    pages.write(*CANARY)
    errors = check_html(pages.files)
    canary = [e for e in errors if e.page == CANARY[0]]
    assert [e.message for e in canary] == CANARY_ERRORS, "the checker did not check the pages"
    errors = [e for e in errors if e.page != CANARY[0]]
    assert errors == [], f"{len(errors)} errors on {len({e.page for e in errors})} pages:\n{by_page(errors)}"
