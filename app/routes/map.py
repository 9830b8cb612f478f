"""The province map: a tile grid of the 34 provinces with a table for screen readers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.services.catalog.map import bucket_ranges, map_tiles
from app.web.deps import SessionDep, TodayDep
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/ban-do", name="map")
def province_map(request: Request, session: SessionDep, today: TodayDep) -> Response:
    """Valid products per province, as a tile map and a table."""
    tiles = map_tiles(session=session, today=today)
    context = {"tiles": tiles, "legend": bucket_ranges(tiles), "today": today}
    return templates.TemplateResponse(request, "map/index.html", context)
