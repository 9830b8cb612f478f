"""Downloads: the catalog search as CSV or XLSX, and the open-data page with full dumps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response, StreamingResponse
from sqlmodel import Session

from app.errors import NotFound
from app.i18n import gettext
from app.services.catalog import changes, exports, snapshots
from app.web.deps import SessionDep, SettingsDep, TodayDep
from app.web.search_params import RawSearchParams, build_search_query
from app.web.templating import templates

router = APIRouter()
Many = Annotated[list[str], Query()]
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATOM = "application/atom+xml; charset=utf-8"


def _download(request: Request, produce: Callable[[Session], Iterator[bytes]], *, media_type: str,
              filename: str) -> StreamingResponse:
    """Stream `produce` over a session of its own, as an attachment named `filename`."""
    body = exports.streamed(request.app.state.engine, produce)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return StreamingResponse(body, media_type=media_type, headers=headers)


def _export_request(settings: SettingsDep, today: date, *, q: str, province: list[str], group: list[str],
                    level: list[str], year: list[str], status: str, chon: str) -> exports.ExportRequest:
    """The page's filters, validated by the catalog's own parser (InvalidInput → 422)."""
    raw = RawSearchParams(q=q, province=tuple(province), group=tuple(group), level=tuple(level),
                          year=tuple(year), status=status)
    query = build_search_query(raw, today=today)
    slugs = exports.parse_chosen(chon)
    return exports.ExportRequest(query=query, slugs=slugs, base_url=settings.public_base_url)


@router.get("/san-pham.{kind}", name="catalog_export")
def catalog_export(
    request: Request,
    settings: SettingsDep,
    today: TodayDep,
    kind: str,
    q: Annotated[str, Query(max_length=1000)] = "",
    province: Many = [],  # noqa: B006 - FastAPI copies defaults per request
    group: Many = [],  # noqa: B006
    level: Many = [],  # noqa: B006
    year: Many = [],  # noqa: B006
    status: str = "",
    chon: Annotated[str, Query(max_length=50_000)] = "",
) -> Response:
    """The catalog search (same filters as /san-pham, or a shortlist via `chon`) as CSV or XLSX."""
    if kind not in ("csv", "xlsx"):
        raise NotFound(gettext("Chỉ có bản CSV hoặc XLSX."))
    export = _export_request(settings, today, q=q, province=province, group=group, level=level, year=year,
                             status=status, chon=chon)
    write = exports.csv_chunks if kind == "csv" else exports.xlsx_chunks
    return _download(request, lambda s: write(exports.export_rows(session=s, request=export)),
                     media_type=CSV_TYPE if kind == "csv" else XLSX_TYPE,
                     filename=exports.export_filename(kind, today=today))


@router.get("/du-lieu-mo", name="open_data", response_class=HTMLResponse)
def open_data(request: Request, settings: SettingsDep, today: TodayDep) -> Response:
    """The open-data page: downloads, monthly snapshots, the changes feed, licence, citation, dictionary."""
    context = {"today": today, "columns": exports.COLUMNS, "base_url": settings.public_base_url,
               "snapshots": snapshots.list_snapshots(snapshots.snapshot_folder(settings.data_dir))}
    return templates.TemplateResponse(request, "exports/open_data.html", context)


@router.get("/du-lieu-mo/ban-luu/SHA256SUMS", name="open_data_sums")
def open_data_sums(settings: SettingsDep) -> Response:
    """Every snapshot's SHA-256, for `sha256sum -c SHA256SUMS` beside the downloaded files."""
    text = snapshots.sha256sums(snapshots.snapshot_folder(settings.data_dir))
    return PlainTextResponse(text, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/du-lieu-mo/ban-luu/{name}", name="open_data_snapshot")
def open_data_snapshot(settings: SettingsDep, name: Annotated[str, Path(max_length=64)]) -> Response:
    """One monthly snapshot as stored (only names of the strict pattern; anything else is 404)."""
    path = snapshots.snapshot_file(snapshots.snapshot_folder(settings.data_dir), name)
    media_type = CSV_TYPE if name.endswith(".csv") else "application/json"
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, filename=name, headers=headers)


@router.get("/du-lieu-mo/thay-doi.atom", name="open_data_changes")
def open_data_changes(request: Request, session: SessionDep, settings: SettingsDep, today: TodayDep,
                      tu: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Published products changed since the day `tu` (Vietnam; default 30 days ago), as Atom."""
    since = changes.parse_since_day(tu, today=today)
    feed = changes.changes_feed(session=session, since=since, base_url=settings.public_base_url)
    return templates.TemplateResponse(request, "seo/feed.atom.xml", {"feed": feed}, media_type=ATOM)


@router.get("/du-lieu-mo/cnnt-san-pham.csv", name="open_data_csv")
def open_data_csv(request: Request, settings: SettingsDep, today: TodayDep) -> StreamingResponse:
    """Every published product as CSV (the catalog export without filters)."""
    export = exports.ExportRequest(query=build_search_query(RawSearchParams(), today=today),
                                   base_url=settings.public_base_url)
    return _download(request, lambda s: exports.csv_chunks(exports.export_rows(session=s, request=export)),
                     media_type=CSV_TYPE, filename="cnnt-san-pham.csv")


@router.get("/du-lieu-mo/cnnt-san-pham.json", name="open_data_json")
def open_data_json(request: Request, settings: SettingsDep, today: TodayDep) -> StreamingResponse:
    """Every published product with its certificates, as one streamed JSON array."""
    export = exports.ExportRequest(query=build_search_query(RawSearchParams(), today=today),
                                   base_url=settings.public_base_url)
    return _download(request, lambda s: exports.json_chunks(session=s, request=export),
                     media_type="application/json", filename="cnnt-san-pham.json")
