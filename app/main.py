"""The app factory: settings in, a ready FastAPI app out. Nothing connects at import time."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp
from starlette_compress import CompressMiddleware, add_compress_type

from app.config import Settings
from app.db import make_engine
from app.domain.validity import today_in
from app.files.spreadsheet import MAX_FILE_BYTES
from app.forms.uploads import MAX_REQUEST_BYTES
from app.routes import (
    admin_accounts,
    admin_applications,
    admin_auth,
    admin_bulk_photos,
    admin_calls,
    admin_claims,
    admin_corrections,
    admin_dashboard,
    admin_jury,
    admin_nominations,
    admin_photos,
    admin_records,
    admin_reports,
    admin_round_decision,
    admin_rounds,
    api,
    api_docs,
    bulk_check,
    calls_public,
    catalog,
    corrections,
    exports,
    illustrations,
    juror,
    labels,
    ops,
    pages,
    producer_applications,
    producer_area,
    producer_auth,
    reports,
    rounds_public,
    seo,
    shortlist,
    statistics,
    verify,
    watch,
    watch_feeds,
)
from app.routes import map as province_map
from app.services.mail import MailSender, Sender, configure_mail, deliver_due
from app.web.admission import AdmissionControl
from app.web.auth import SESSION_COOKIE, SESSION_MAX_AGE_S
from app.web.exception_handlers import register_exception_handlers
from app.web.head_requests import HeadAsGet
from app.web.language_prefix import LanguagePrefix
from app.web.login_throttle import LoginThrottle
from app.web.metrics import RequestMetrics
from app.web.middleware import BodyTooLarge, LimitRequestBody, RefuseLongUrls, RefuseNulBytes, body_too_large
from app.web.rate_counts import DatabaseCounts
from app.web.rate_limit import SiteLimits
from app.web.revalidation import RevalidatedPages
from app.web.security_headers import SecurityHeaders
from app.web.static_files import STATIC_DIR, STATIC_PREFIX, FingerprintedFiles, ImmutableFiles
from app.web.templating import configure_templates, templates
from search.engine import SearchEngine
from search.factory import engine_name, open_search_engine
from search.indexer import fill_if_empty, index_after_commit
from search.reconnecting import ReconnectingEngine

# Responses revalidated with an ETag of their body (app/web/revalidation.py): what they depend on
# (the data, the search index generation, the Vietnam day, the language, the visitor's shortlist)
# is all in the bytes rendered, so the hash changes exactly when one of them does. Product pages,
# the JSON API and its schema, the home page and catalog, the feeds and sitemaps (for feed readers
# and crawlers), and the QR codes and labels (which also keep their max-age).
REVALIDATED_PATHS = re.compile(r"/|/san-pham(/[^/]+)?|/api/v1/.+|/openapi\.json|/feeds/[^/]+\.atom"
                               r"|/sitemap(-\d+)?\.xml|/ma/[^/]+/(qr|nhan)\.(svg|png|pdf)")
# Room for the multipart framing and text fields beside a file, and for a route that reads an
# upload within its own limit to answer a file slightly over it with its own page.
FORM_MARGIN = 1024 * 1024
COMPRESSED_MIN_BYTES = 500  # below this, compressing saves too little to be worth the CPU
MAIL_RETRY_S = 30.0  # how often the sender looks for messages due for a retry
log = logging.getLogger(__name__)


class Site(FastAPI):
    """FastAPI with the security headers as its outermost layer, so even the 500 page carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap the whole stack, ServerErrorMiddleware included."""
        return SecurityHeaders(super().build_middleware_stack(), self.state.settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the site for `settings` (read from the environment when not given)."""
    settings = settings or Settings()
    app = Site(
        title="CNNT — Sản phẩm công nghiệp nông thôn tiêu biểu",
        description="Danh mục và tra cứu giấy chứng nhận sản phẩm CNNT tiêu biểu.",
        version="1.0",
        lifespan=_lifespan(settings),
        docs_url=None,  # served by app/routes/api_docs.py, under a strict CSP
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle()
    configure_templates(templates)
    configure_mail(base_url=settings.public_base_url)
    _mount_files(app, settings)
    _add_routers(app)
    register_exception_handlers(app)
    app.add_exception_handler(BodyTooLarge, body_too_large)
    _add_middleware(app, settings)
    return app


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Connect to the database and the search engine when the app starts, never at import."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open on start-up, close on shutdown; the site starts even with the search engine down, and
        picks it up (replaying the outbox) in the background once it answers."""
        engine = make_engine(settings.sqlalchemy_url)

        def replay_outbox(opened: SearchEngine) -> None:
            """Index what was written while the engine was down, as soon as it is back; fill an
            empty index (a new server, or an index file of an older layout) from the database."""
            with Session(engine) as session:
                if fill_if_empty(session=session, engine=opened, today=today_in(settings.tz)) is None:
                    index_after_commit(session=session, engine=opened)

        search = ReconnectingEngine(lambda: open_search_engine(settings), name=engine_name(settings),
                                    on_open=replay_outbox, retry_after_s=settings.search_retry_s)
        search.connect()  # logs one clear reason if the engine is down; the site starts anyway
        app.state.engine, app.state.search = engine, search
        app.state.limits = SiteLimits(store=DatabaseCounts(engine))  # one count for every worker
        app.state.mail = _start_mail(settings, engine)
        try:
            yield
        finally:
            app.state.mail.stop()
            search.close()
            engine.dispose()

    return lifespan


def _start_mail(settings: Settings, engine: Engine) -> MailSender:
    """The background sender: a pass after each commit that queued mail, and every MAIL_RETRY_S."""
    if settings.env == "production" and not settings.smtp_url:
        log.warning("CNNT_SMTP_URL is not set: e-mail is written to %s, not sent", settings.mail_dir)
    sender = Sender.from_settings(settings)
    mail = MailSender(lambda: deliver_due(engine=engine, sender=sender), interval_s=MAIL_RETRY_S)
    mail.start()
    return mail


def _mount_files(app: FastAPI, settings: Settings) -> None:
    """Serve the packaged static files and the uploaded photos without going through a route."""
    settings.media_path.mkdir(parents=True, exist_ok=True)
    app.mount(STATIC_PREFIX, FingerprintedFiles(directory=STATIC_DIR), name="static")
    app.mount("/media", ImmutableFiles(directory=settings.media_path), name="media")


def _add_routers(app: FastAPI) -> None:
    """Every router of the site, here only, in the order that settles overlapping paths."""
    app.include_router(api.router)
    app.include_router(ops.router, include_in_schema=False)  # /healthz, /readyz, /metrics: for operators
    # Order matters where paths overlap: /quan-ly/san-pham/{id}/anh before /quan-ly/san-pham/{id}.
    html_pages = (producer_auth, producer_area, producer_applications, pages, catalog, exports, labels,
                  illustrations, reports, corrections, verify, bulk_check, admin_auth, admin_bulk_photos,
                  admin_photos, admin_rounds, admin_round_decision, admin_calls, admin_applications,
                  admin_jury, admin_nominations, juror, admin_records, admin_reports, admin_corrections,
                  admin_claims, admin_accounts, admin_dashboard, seo, shortlist, watch, watch_feeds,
                  rounds_public, calls_public, province_map, statistics, api_docs)
    for module in html_pages:  # HTML pages: not part of the JSON API's OpenAPI schema
        app.include_router(module.router, include_in_schema=False)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Wrap the routes in the request layers; their nesting is behaviour, so it is written once, here."""
    # Listed innermost first: each add_middleware wraps what is already there.
    app.add_middleware(RevalidatedPages, paths=REVALIDATED_PATHS)
    app.add_middleware(LimitRequestBody, allowances={
        "/quan-ly/san-pham/{product_id}/anh": admin_photos.MAX_UPLOAD_BYTES + FORM_MARGIN,
        "/quan-ly/anh-hang-loat": admin_bulk_photos.MAX_UPLOAD_BYTES + FORM_MARGIN,
        "/quan-ly/dot-binh-chon/{round_id}/nhap": MAX_FILE_BYTES + FORM_MARGIN,
        "/quan-ly/dot-binh-chon/{round_id}/quyet-dinh": admin_round_decision.MAX_UPLOAD_BYTES + FORM_MARGIN,
        "/tai-khoan/ho-so/{application_id}/tep": producer_applications.MAX_UPLOAD_BYTES + FORM_MARGIN,
        "/bao-cao": MAX_REQUEST_BYTES + FORM_MARGIN,
        "/kiem-tra-danh-sach": MAX_REQUEST_BYTES + FORM_MARGIN,
        "/kiem-tra-danh-sach.csv": MAX_REQUEST_BYTES + FORM_MARGIN,
        "/kiem-tra-danh-sach.xlsx": MAX_REQUEST_BYTES + FORM_MARGIN,
        "/api/v1/certificates/check": api.MAX_CHECK_BODY_BYTES,
    })
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.env == "production",
    )
    app.add_middleware(RequestMetrics)  # inside the `/en` prefix: it reads the route from the scope routed
    # Searches and exports past capacity: a quick 503 rather than a long wait (app/web/admission.py)
    app.add_middleware(AdmissionControl, search_slots=settings.search_slots,
                       export_slots=settings.export_concurrency, queue_s=settings.search_queue_s)
    app.add_middleware(LanguagePrefix)  # `/en/...`: the same pages in English
    add_compress_type("text/csv")  # the exports; the library's own list has the other text types
    app.add_middleware(CompressMiddleware, minimum_size=COMPRESSED_MIN_BYTES)  # zstd, br or gzip
    app.add_middleware(RefuseNulBytes)
    app.add_middleware(RefuseLongUrls)
    app.add_middleware(HeadAsGet)  # outermost: HEAD gets exactly the GET's headers, compression included
