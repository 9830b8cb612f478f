"""The JSON API's documentation pages, /docs (Swagger UI) and /redoc, each under a strict CSP.

FastAPI's own routes for them are turned off (docs_url=None, redoc_url=None) because both
pages load their viewer from a CDN and need something inline. Swagger UI's page is FastAPI's,
with one inline script: its policy names the CDN and that script's SHA-256, hashed from the
page as generated. Redoc injects its styles at run time (styled-components), which only a
nonce can allow: this page passes a fresh nonce to `Redoc.init`, and the few styles the
pinned bundle injects as it loads, before it reads that option, are allowed by their hashes.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response

from app.web.security_headers import docs_policy, redoc_policy
from app.web.templating import templates

router = APIRouter(include_in_schema=False)
# Pinned, so that the hashes of the styles it injects before reading the nonce stay true.
REDOC_JS = "https://cdn.jsdelivr.net/npm/redoc@2.5.4/bundles/redoc.standalone.js"


def _openapi_url(request: Request) -> str:
    """The schema's URL as the browser must ask for it (behind a proxy's root path too)."""
    return str(request.scope.get("root_path", "")).rstrip("/") + str(request.app.openapi_url)


@router.get("/docs")
def swagger_ui(request: Request) -> Response:
    """FastAPI's Swagger UI page, with a policy that allows exactly its inline script."""
    title = f"{request.app.title} - Swagger UI"
    response = get_swagger_ui_html(openapi_url=_openapi_url(request), title=title)
    response.headers["Content-Security-Policy"] = docs_policy(bytes(response.body).decode())
    return response


@router.get("/redoc")
def redoc(request: Request) -> Response:
    """Redoc, given a nonce for the styles it injects (a new one for every response)."""
    nonce = secrets.token_urlsafe(18)
    context = {"title": f"{request.app.title} - ReDoc", "openapi_url": _openapi_url(request),
               "redoc_js": REDOC_JS, "nonce": nonce}
    response = templates.TemplateResponse(request, "api/redoc.html", context)
    response.headers["Content-Security-Policy"] = redoc_policy(nonce)
    response.headers["Cache-Control"] = "no-store"  # a nonce is good for one response only
    return response
