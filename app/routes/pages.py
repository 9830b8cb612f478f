"""Product, producer and province pages: parse the slug, call one service, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.services.catalog.reads import (
    get_producer_detail,
    get_product_detail,
    get_province_page,
    product_neighbours,
)
from app.web.deps import SessionDep, TodayDep
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/san-pham/{slug}", name="product")
def product_page(request: Request, slug: str, session: SessionDep, today: TodayDep) -> Response:
    """A product with its photos, certificate timeline, producer contacts, and products to look at next."""
    detail = get_product_detail(session=session, slug=slug, today=today)
    neighbours = product_neighbours(session=session, product=detail.product, today=today)
    return templates.TemplateResponse(request, "product/detail.html",
                                      {"detail": detail, "neighbours": neighbours, "today": today})


@router.get("/co-so/{slug}", name="producer")
def producer_page(request: Request, slug: str, session: SessionDep, today: TodayDep) -> Response:
    """A producer's contacts and its products."""
    detail = get_producer_detail(session=session, slug=slug, today=today)
    return templates.TemplateResponse(request, "producer/detail.html", {"detail": detail, "today": today})


@router.get("/tinh/{slug}", name="province")
def province_page(request: Request, slug: str, session: SessionDep, today: TodayDep) -> Response:
    """A current province with its products, or a former one with those certified there."""
    page = get_province_page(session=session, slug=slug, today=today)
    return templates.TemplateResponse(request, "province/detail.html", {"page": page, "today": today})
