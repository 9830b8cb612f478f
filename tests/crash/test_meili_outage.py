"""A real Meilisearch goes down mid-run (SIGKILL, SIGSTOP) and comes back: the site never stops.

The module's own server (tests/meili.py `MeiliProcess`, never the session's `meili_server`) is
killed (connections refused) or stopped (connections accepted, never answered: requests time
out). While it is down the catalog and the API answer from the database with the notice, and
promptly: only a request already waiting on the hung server pays the search timeout, the ones
after it go straight to the database. Product and verification pages never ask the engine.
Writes (an office's revocation through its route, an import through `cnnt import`'s code) commit
and keep their outbox rows. Once the server is back (SIGCONT, or a new process on the same data
folder and port) the site reconnects on its own, replays the outbox with no request needed, and
`cnnt search check` finds no drift.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.cli import run_check, run_import
from app.config import Settings
from app.domain.validity import today_in
from app.main import create_app
from app.models import Certificate, OutboxEvent, Product
from search.engine import SearchQuery, StatusFilter
from search.indexer import check_drift
from search.meili import SEARCH_TIMEOUT_S, MeiliEngine
from tests.factories import csrf_of, make_product, make_user, sign_in
from tests.meili import MeiliProcess
from tests.services.sheets import row, write_csv

pytestmark = pytest.mark.meili

NOTICE = "Tìm kiếm đang gặp sự cố; danh sách dưới đây lấy trực tiếp từ cơ sở dữ liệu"
RETRY_S = 0.2  # CNNT_SEARCH_RETRY_S here: the site tries the server again this often
RECOVERY_S = 30.0  # deadline for the reconnection and the replay once the server is back
CLEAN = "Chỉ mục tìm kiếm khớp với cơ sở dữ liệu."


@pytest.fixture
def meili_settings(settings: Settings, meili: MeiliProcess) -> Settings:
    """The test's database and folder, searching a fresh index on the module's server."""
    return settings.model_copy(update={
        "meili_url": meili.server.url, "meili_key": meili.server.key,
        "meili_index": f"outage_{uuid.uuid4().hex[:12]}", "search_retry_s": RETRY_S,
    })


def html(response: httpx.Response) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")


def slugs_on(response: httpx.Response) -> set[str]:
    """Product slugs of the catalog's result cards."""
    return {str(a["href"]).rsplit("/", 1)[-1] for a in html(response).select(".card__link")}


def notice_of(response: httpx.Response) -> str:
    """The outage notice's words ('' when there is none)."""
    notice = html(response).select_one(".notice")
    return notice.get_text(" ", strip=True) if notice else ""


def outbox_products(engine: Engine) -> list[int]:
    """Product ids of the outbox rows waiting, read afresh (another thread may replay them)."""
    with Session(engine) as fresh:
        return list(fresh.exec(select(OutboxEvent.product_id).order_by(col(OutboxEvent.id))).all())


def wait_for(condition: Callable[[], bool], what: str, *, timeout_s: float = RECOVERY_S) -> None:
    """Poll `condition` until it holds; fail naming `what` when the deadline passes first."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:.0f} s"
        time.sleep(0.05)


Params = dict[str, str | list[str]]


def timed_get(client: TestClient, path: str, **params: str | list[str]) -> tuple[httpx.Response, float]:
    """GET with the seconds it took."""
    start = time.monotonic()
    response = client.get(path, params=params)
    return response, time.monotonic() - start


OUTAGES: dict[str, tuple[Callable[[MeiliProcess], None], Callable[[MeiliProcess], None]]] = {
    "sigkill": (MeiliProcess.kill, MeiliProcess.start),  # back: a new process on the same data and port
    "sigstop": (MeiliProcess.freeze, MeiliProcess.thaw),
}


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_outage_falls_back_keeps_writes_and_replays(meili: MeiliProcess, meili_settings: Settings,
                                                    session: Session, engine: Engine, tmp_path: Path,
                                                    outage: str) -> None:
    settings, (take_down, bring_back) = meili_settings, OUTAGES[outage]
    today = today_in(settings.tz)
    crafts, year_ago = "thu_cong_my_nghe", today - timedelta(days=365)
    bat_trang = make_product(session, name="Gốm Bát Tràng men rạn", group=crafts, province_slug="ha-noi",
                             issued_on=year_ago)
    phu_lang = make_product(session, name="Gốm Phù Lãng", group=crafts, province_slug="bac-ninh",
                            issued_on=year_ago)
    chu_dau = make_product(session, name="Gốm Chu Đậu", group=crafts, province_slug="hai-phong",
                           issued_on=today - timedelta(days=9 * 365))  # expired years ago
    make_product(session, name="Nón lá làng Chuông", group=crafts, province_slug="ha-noi", issued_on=year_ago)
    office = make_user(session, province_slug="ha-noi")
    cert = session.exec(select(Certificate).where(Certificate.product_id == bat_trang.id)).one()
    session.commit()

    with TestClient(create_app(settings)) as client:
        assert outbox_products(engine) == []  # start-up opened the engine and indexed the seed
        up = client.get("/api/v1/products", params={"q": "gom", "status": "valid"}).json()
        assert up["notice"] is None and {h["slug"] for h in up["hits"]} == {bat_trang.slug, phu_lang.slug}
        sign_in(client, office)

        take_down(meili)
        first, waited = timed_get(client, "/san-pham", q="gom", province="ha-noi")
        assert first.status_code == 200 and NOTICE in notice_of(first)
        assert slugs_on(first) == {bat_trang.slug}
        assert waited < SEARCH_TIMEOUT_S + 3, f"the first page waited {waited:.1f} s"
        pages: list[tuple[Params, set[str]]] = [
            ({"q": "gom", "status": "valid"}, {bat_trang.slug, phu_lang.slug}),
            ({"group": crafts, "status": "expired"}, {chu_dau.slug}),
            ({"q": "gom", "province": ["ha-noi", "bac-ninh"]}, {bat_trang.slug, phu_lang.slug}),
        ]
        for params, slugs in pages:
            page, took = timed_get(client, "/san-pham", **params)
            assert page.status_code == 200 and NOTICE in notice_of(page), params
            assert slugs_on(page) == slugs, params
            assert took < SEARCH_TIMEOUT_S, f"{params}: {took:.1f} s, as if it waited for the engine"
        api, took = timed_get(client, "/api/v1/products", q="gom chu dau", status="expired")
        assert api.status_code == 200 and api.json()["notice"].startswith(NOTICE)
        assert [h["slug"] for h in api.json()["hits"]] == [chu_dau.slug] and took < SEARCH_TIMEOUT_S

        revoked = client.post(f"/quan-ly/giay-chung-nhan/{cert.id}/thu-hoi", follow_redirects=False, data={
            "revoked_on": today.strftime("%d/%m/%Y"), "reason": "Dùng nhãn sai quy định", "xac_nhan": "1",
            "csrf_token": csrf_of(client)})
        assert revoked.status_code == 303, revoked.text
        said: list[str] = []
        newer = {"issued_on": year_ago.isoformat(), "province": "Bắc Ninh"}  # Bắc Giang is no more since 2025
        sheet = write_csv(tmp_path / "winners.csv", [
            row(product_name="Mỳ Chũ Nam Tiến", certificate_number="31/GCN", **newer),
            row(product_name="Mỳ Chũ Hiền Nhung", certificate_number="32/GCN", **newer),
        ])
        assert run_import(settings, sheet, dry_run=False, echo=said.append) == 0, said
        imported = set(session.exec(select(Product.id).where(col(Product.name).startswith("Mỳ Chũ"))).all())
        assert len(imported) == 2
        assert set(outbox_products(engine)) == {bat_trang.id} | imported  # committed, waiting for the engine

        product = client.get(f"/san-pham/{bat_trang.slug}")
        assert product.status_code == 200
        assert "Đã thu hồi" in html(product).select_one(".timeline__item").get_text()  # type: ignore[union-attr]
        verify = client.get(f"/v/{cert.code}")
        verdict = html(verify).select_one(".verdict__title")
        assert verify.status_code == 200 and verdict is not None
        assert verdict.get_text(strip=True) == "Đã thu hồi"
        valid_now = client.get("/san-pham", params={"q": "gom", "status": "valid"})
        assert NOTICE in notice_of(valid_now) and slugs_on(valid_now) == {phu_lang.slug}

        bring_back(meili)
        wait_for(lambda: outbox_products(engine) == [], "the outbox replayed")  # no request asked for it
        wait_for(lambda: client.get("/api/v1/products").json()["notice"] is None, "the engine answers again")
        back = client.get("/san-pham", params={"q": "gom", "status": "valid"})
        assert notice_of(back) == "" and slugs_on(back) == {phu_lang.slug}
        found = client.get("/api/v1/products", params={"q": "my chu"}).json()
        assert found["notice"] is None and found["total"] == 2

    said = []
    assert run_check(settings, echo=said.append) == 0 and said == [CLEAN]
    direct = MeiliEngine(settings.meili_url, settings.meili_key, index_uid=settings.meili_index)
    try:
        in_engine = direct.search(SearchQuery(today=today, status=StatusFilter.revoked, per_page=50))
        assert [h.document["slug"] for h in in_engine.hits] == [bat_trang.slug]
        total = session.exec(select(func.count()).select_from(Product)).one()
        assert len(direct.fingerprints()) == total == 6
        with Session(engine) as fresh:  # the test's session still holds the certificate as it loaded it
            drift = check_drift(session=fresh, engine=direct)
        assert (len(drift.missing), len(drift.stale), len(drift.orphaned)) == (0, 0, 0)
    finally:
        direct.close()
