"""Operators' probes: /healthz (the process answers), /readyz (it can serve) and /metrics (Prometheus).

Not for the public: the reverse proxy does not pass them on (docker-compose.yml), and they are
not in the API schema; /metrics also answers only clients in CNNT_METRICS_ALLOW (app/web/metrics.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.services.upkeep.readiness import OUTBOX_BACKLOG_LIMIT, check_readiness, outbox_backlog
from app.web.deps import SearchDep, SessionDep, TodayDep
from app.web.metrics import metrics_response, scrape_allowed

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """Liveness: the process answers (no store is asked)."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(session: SessionDep, search: SearchDep, today: TodayDep) -> JSONResponse:
    """Readiness: 200 when the database and search engine answer and indexing keeps up, else 503.

    With the engine down the site still serves from the database: `search` says "fallback".
    """
    state = await run_in_threadpool(check_readiness, session=session, search=search, today=today)
    body: dict[str, Any] = {
        "status": "ready" if state.ready else "not ready",
        "database": "ok" if state.database else "unavailable",
        "search": "ok" if state.search else "fallback",
        "outbox_backlog": state.outbox_backlog,
        "outbox_backlog_limit": OUTBOX_BACKLOG_LIMIT,
    }
    if state.search_problem:
        body["search_problem"] = state.search_problem
    return JSONResponse(body, status_code=200 if state.ready else 503, headers=NO_STORE)


@router.get("/metrics", dependencies=[Depends(scrape_allowed)])
async def metrics(session: SessionDep) -> Response:
    """Prometheus metrics: request and search latency, fallbacks, and the outbox backlog counted now."""
    return await run_in_threadpool(_scrape, session)


def _scrape(session: Session) -> Response:
    """Count the outbox (one query per scrape, none per request) and render every metric: blocking."""
    return metrics_response(outbox_rows=outbox_backlog(session=session))
