"""The app factory: settings in, a ready FastAPI app out. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from app.auth import SESSION_COOKIE, SESSION_MAX_AGE_S
from app.config import PACKAGE_DIR, Settings
from app.db import make_engine
from app.exception_handlers import register_exception_handlers
from app.i18n import LanguagePrefix
from app.middleware import RefuseNulBytes
from app.rate_limit import SiteLimits
from app.static_files import ImmutableFiles
from search.engine import SearchEngine
from search.factory import open_search_engine
from search.indexer import index_after_commit
from search.reconnecting import ReconnectingEngine


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the site for `settings` (read from the environment when not given)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.sqlalchemy_url)

        def replay_outbox(opened: SearchEngine) -> None:
            """Index what was written while the engine was down, as soon as it is back."""
            with Session(engine) as session:
                index_after_commit(session=session, engine=opened)

        search = ReconnectingEngine(lambda: open_search_engine(settings), on_open=replay_outbox)
        search.connect()  # logs one clear reason if the engine is down; the site starts anyway
        app.state.engine, app.state.search = engine, search
        try:
            yield
        finally:
            search.close()
            engine.dispose()

    app = FastAPI(
        title="CNNT — Sản phẩm công nghiệp nông thôn tiêu biểu",
        description="Danh mục và tra cứu giấy chứng nhận sản phẩm CNNT tiêu biểu.",
        version="1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.limits = SiteLimits()
    settings.media_path.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    app.mount("/media", ImmutableFiles(directory=settings.media_path), name="media")

    from app.routes import (
        admin_auth,
        admin_dashboard,
        admin_photos,
        admin_records,
        admin_rounds,
        api,
        badges,
        catalog,
        exports,
        map,
        reports,
        rounds_public,
        seo,
        shortlist,
        verify,
    )

    app.include_router(api.router)
    # Order matters where paths overlap: /quan-ly/san-pham/{id}/anh before /quan-ly/san-pham/{id}.
    pages = (catalog, exports, badges, reports, verify, admin_auth, admin_photos, admin_rounds, admin_records,
             admin_dashboard, seo, shortlist, rounds_public, map)
    for module in pages:  # HTML pages: not part of the JSON API's OpenAPI schema
        app.include_router(module.router, include_in_schema=False)
    register_exception_handlers(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.env == "production",
    )
    app.add_middleware(LanguagePrefix)  # `/en/...`: the same pages in English
    app.add_middleware(RefuseNulBytes)
    return app
