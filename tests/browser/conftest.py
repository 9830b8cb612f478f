"""Browser fixtures: the app on a free loopback port, headless Chromium, a screenshot on failure.

A module adds rows to its server's database by overriding `extra_seed`; pages come from
`page` / `page_without_js` / `phone` / `open_page` and every one of them is saved as a
screenshot in test-artifacts/ when its test fails.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.routes import corrections, reports
from app.services.upkeep.provinces import sync_provinces
from app.web.form_tokens import check_token
from search.indexer import apply_outbox
from tests.factories import make_product
from tests.pg import free_port
from tests.smtp import KeepingHandler, smtp_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE: ViewportSize = {"width": 390, "height": 844}
Seeder = Callable[[Session, Settings], None]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember each phase's report on the item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def _seed(settings: Settings, extra: Seeder | None) -> None:
    engine = make_engine(settings.sqlalchemy_url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        sync_provinces(session=session)
        make_product(session, name="Bánh tráng phơi sương", province_slug="tay-ninh",
                     certified_in="tay-ninh", issued_on=date(2024, 5, 1))
        make_product(session, name="Vải thiều sấy khô", province_slug="bac-ninh", certified_in="bac-giang")
        make_product(session, name="Nón lá bài thơ", province_slug="hue", certified_in="hue",
                     group="thu_cong_my_nghe", issued_on=date(2025, 3, 1))
        if extra is not None:
            extra(session, settings)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def extra_seed() -> Seeder | None:
    """Rows a module adds to the three seeded products before its server starts (none by default)."""
    return None


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of the module's live server, for tests that seed more rows into its database."""
    return Settings(data_dir=tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def live_server(live_settings: Settings, extra_seed: Seeder | None) -> Iterator[str]:
    """Base URL of the app, served from a background thread on a seeded SQLite database."""
    settings = live_settings
    _seed(settings, extra_seed)
    app: FastAPI = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    engine = app.state.engine
    with Session(engine) as session:
        apply_outbox(session=session, engine=app.state.search)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def mail_server() -> Iterator[tuple[KeepingHandler, int]]:
    """An SMTP server on loopback for the module, for a `live_settings` that sends mail to its port."""
    with smtp_server() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium (Playwright's own download is never used)."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _screenshot_on_failure(request: pytest.FixtureRequest, page: Page, *, suffix: str = "") -> None:
    """Save a full-page screenshot into test-artifacts/ when the test's call phase failed."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page with JavaScript on; saved as a screenshot in test-artifacts/ when the test fails."""
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    _screenshot_on_failure(request, tab)
    context.close()


@pytest.fixture
def page_without_js(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page with JavaScript disabled, for the no-JS paths."""
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    yield tab
    _screenshot_on_failure(request, tab)
    context.close()


@pytest.fixture
def open_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh contexts (Playwright context options as keywords); screenshots on failure."""
    opened: list[Page] = []

    def open_one(**options: object) -> Page:
        tab = browser.new_context(**options).new_page()  # type: ignore[arg-type]
        opened.append(tab)
        return tab

    yield open_one
    for index, tab in enumerate(opened):
        _screenshot_on_failure(request, tab, suffix=f"-page{index + 1}")  # apart from `page`'s own
        tab.context.close()


@pytest.fixture
def phone(open_page: Callable[..., Page]) -> Page:
    """A phone-sized touch page (390×844); CSP bypassed only so axe can be injected."""
    return open_page(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True,
                     bypass_csp=True, locale="vi-VN")


@pytest.fixture
def desktop(open_page: Callable[..., Page]) -> Page:
    """A desktop page (1280×800); CSP bypassed only so axe can be injected."""
    return open_page(viewport={"width": 1280, "height": 800}, bypass_csp=True, locale="vi-VN")


def sign_in(page: Page, base: str, email: str, password: str, *, next_path: str = "/quan-ly") -> None:
    """Sign in through the office login form and wait for the page it leads to."""
    page.goto(f"{base}/quan-ly/dang-nhap?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".admin-nav")).to_be_visible()


@pytest.fixture
def no_min_fill_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test post the report form at machine speed: people take more than its 3 s floor, and a
    faster post is silently treated as a bot's (thanked, not stored, no errors shown)."""
    for form in (reports, corrections):  # the report form and the wrong-information form
        monkeypatch.setattr(form, "check_token", lambda token, **kw: check_token(token, **kw, min_age_s=0))
