"""QR codes and printable labels for each certificate, under /ma/{code}/.

The QR (qr.svg, qr.png) is always served; the label (nhan.svg, nhan.png, nhan.pdf) only
while the certificate is valid today. Codes never change, BASE_URL rarely does: the QR is
cached for a day; a label for an hour, so a revocation soon stops its downloads.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import Response

from app.domain.codes import display_code
from app.files import labels as badges
from app.files.label_pdf import label_pdf as vector_label_pdf
from app.files.labels import LabelFacts
from app.services.verification.labels import label_facts, qr_target
from app.web.deps import SessionDep, SettingsDep, TodayDep

router = APIRouter()

QR_CACHE = "public, max-age=86400"
LABEL_CACHE = "public, max-age=3600"
SVG, PNG, PDF = "image/svg+xml", "image/png", "application/pdf"
# An SVG opened on its own is a document: forbid scripts and outside loads in it.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _file(body: bytes, media_type: str, *, cache: str, filename: str) -> Response:
    """Bytes with their type, cache policy and a readable file name for saving."""
    headers = {
        "Cache-Control": cache,
        "Content-Disposition": f'inline; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    if media_type == SVG:
        headers["Content-Security-Policy"] = SVG_POLICY
    return Response(body, media_type=media_type, headers=headers)


def _qr_name(url: str, ext: str) -> str:
    """A file name for a QR, from the code at the end of its URL."""
    return f"qr-cnnt-{display_code(url.rsplit('/', 1)[-1])}.{ext}"


def _label(facts: LabelFacts, render: Callable[[LabelFacts], bytes], media_type: str, ext: str) -> Response:
    """A label download named after its code."""
    name = f"nhan-cnnt-{display_code(facts.code)}.{ext}"
    return _file(render(facts), media_type, cache=LABEL_CACHE, filename=name)


@router.get("/ma/{code}/qr.svg", name="qr_svg")
def qr_svg(code: str, session: SessionDep, settings: SettingsDep, today: TodayDep) -> Response:
    """The verification QR as a scalable SVG."""
    url = qr_target(session=session, code=code, today=today, base_url=settings.public_base_url)
    return _file(badges.qr_svg(url), SVG, cache=QR_CACHE, filename=_qr_name(url, "svg"))


@router.get("/ma/{code}/qr.png", name="qr_png")
def qr_png(code: str, session: SessionDep, settings: SettingsDep, today: TodayDep) -> Response:
    """The verification QR as a PNG of about 600 px."""
    url = qr_target(session=session, code=code, today=today, base_url=settings.public_base_url)
    return _file(badges.qr_png(url), PNG, cache=QR_CACHE, filename=_qr_name(url, "png"))


@router.get("/ma/{code}/nhan.svg", name="label_svg")
def label_svg(code: str, session: SessionDep, settings: SettingsDep, today: TodayDep) -> Response:
    """The printable 50 × 30 mm label as SVG (valid certificates only)."""
    facts = label_facts(session=session, code=code, today=today, base_url=settings.public_base_url)
    return _label(facts, badges.label_svg, SVG, "svg")


@router.get("/ma/{code}/nhan.png", name="label_png")
def label_png(code: str, session: SessionDep, settings: SettingsDep, today: TodayDep) -> Response:
    """The printable label as a 300 dpi PNG (valid certificates only)."""
    facts = label_facts(session=session, code=code, today=today, base_url=settings.public_base_url)
    return _label(facts, badges.label_png, PNG, "png")


@router.get("/ma/{code}/nhan.pdf", name="label_pdf")
def label_pdf(code: str, session: SessionDep, settings: SettingsDep, today: TodayDep) -> Response:
    """The printable label as a one-page vector PDF of exactly 50 × 30 mm (valid certificates only)."""
    facts = label_facts(session=session, code=code, today=today, base_url=settings.public_base_url)
    return _label(facts, vector_label_pdf, PDF, "pdf")
