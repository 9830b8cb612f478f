"""Map domain and validation errors to responses in one place: JSON under /api, pages elsewhere.

No user input ever reaches the visitor as a stack trace: unexpected errors are logged and
answered with a plain 500 page. Domain errors arrive in the page's language (raised with gettext);
the handlers' own messages are translated here, where they are shown.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from app.domain.messages import N_
from app.errors import (
    DomainError,
    LoginRequired,
    PasswordChangeRequired,
    ProducerLoginRequired,
    TooManyRequests,
)
from app.i18n import gettext
from app.web.templating import templates

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    404: N_("Không tìm thấy trang bạn yêu cầu."),
    405: N_("Phương thức không được hỗ trợ."),
    413: N_("Yêu cầu quá lớn."),
    429: N_("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau."),
}
PASSWORD_FORM_URL = "/quan-ly/mat-khau"  # noqa: S105 - a URL, not a secret
_SERVER_ERROR = N_("Đã có lỗi ở máy chủ. Vui lòng thử lại sau.")


def _translated(message: str) -> str:
    """`message` in the request's language."""
    return gettext(message)


def _wants_json(request: Request) -> bool:
    """The JSON API answers errors in JSON; every other path is a page for people."""
    return request.url.path.startswith("/api/")


def error_response(request: Request, status_code: int, message: str, **extra: object) -> Response:
    """A JSON error for the API, an HTML error page for people."""
    if _wants_json(request):
        return JSONResponse({"detail": message, **extra}, status_code=status_code)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
    )


def plain_error(scope: Scope, status_code: int, message: str) -> Response:
    """An error answered before routing (middleware): JSON under /api, plain text elsewhere."""
    if str(scope.get("path", "")).startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status_code)
    return PlainTextResponse(message, status_code=status_code)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, str]]]:
    """The sentence people read, naming the bad fields, and the per-field problems the API lists."""
    problems = []
    for err in exc.errors():
        location = ".".join(str(part) for part in err.get("loc", ()) if part not in ("query", "path"))
        problems.append({"field": location, "message": str(err.get("msg", ""))})
    fields = ", ".join(p["field"] for p in problems if p["field"])
    if not fields:
        return _translated("Yêu cầu không hợp lệ."), problems
    return _translated("Tham số không hợp lệ: %(fields)s.") % {"fields": fields}, problems


async def _domain(request: Request, exc: DomainError) -> Response:
    """The error's own status and message (with the field it is about, for the API)."""
    extra: dict[str, object] = {"field": exc.field} if exc.field else {}
    return error_response(request, exc.status_code, exc.message, **extra)


async def _login(request: Request, exc: LoginRequired) -> Response:
    """Anonymous office pages: 302 to the login page (htmx: HX-Redirect), coming back after."""
    target = "/quan-ly/dang-nhap?" + urlencode({"next": request.url.path})
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=302)


async def _producer_login(request: Request, exc: ProducerLoginRequired) -> Response:
    """Anonymous producer area pages: 302 to the producer sign-in page (htmx: HX-Redirect)."""
    target = "/tai-khoan/dang-nhap"
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=302)


async def _change_password(request: Request, exc: PasswordChangeRequired) -> Response:
    """A one-time password in use: every office page sends to the password change form first."""
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": PASSWORD_FORM_URL})
    return RedirectResponse(PASSWORD_FORM_URL, status_code=303)


async def _too_many(request: Request, exc: TooManyRequests) -> Response:
    """429 with Retry-After; people see the raiser's page (e.g. the lookup form) when it names one."""
    if exc.page is None or _wants_json(request):
        response = error_response(request, exc.status_code, exc.message)
    else:
        context = {"status_code": exc.status_code, "message": exc.message, "retry_after": exc.retry_after}
        response = templates.TemplateResponse(request, exc.page, context, status_code=exc.status_code)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    """422 naming the fields that failed, so a caller can fix its request; 404 when only the path
    was refused (an id out of range names no resource: app.web.deps.RowId)."""
    if all(tuple(err.get("loc", ()))[:1] == ("path",) for err in exc.errors()):
        return error_response(request, 404, _translated(_HTTP_MESSAGES[404]))
    message, problems = _validation_message(exc)
    return error_response(request, 422, message, errors=problems)


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    """Routing errors (404, 405, …) in the site's words and language, keeping their headers."""
    known = _HTTP_MESSAGES.get(exc.status_code)
    message = _translated(known) if known else str(exc.detail)
    response = error_response(request, exc.status_code, message)
    response.headers.update(exc.headers or {})  # e.g. the `Allow` list of a 405 (RFC 9110)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Log the stack trace for us; the visitor only gets a plain 500 page."""
    log.exception("unhandled error on %s", request.url.path)
    return error_response(request, 500, _translated(_SERVER_ERROR))


def register_exception_handlers(app: FastAPI) -> None:
    """Install the handlers on `app`, so every error class has its one response."""
    handlers: dict[type[Exception], Callable[..., Awaitable[Response]]] = {
        DomainError: _domain,
        LoginRequired: _login,
        ProducerLoginRequired: _producer_login,
        PasswordChangeRequired: _change_password,
        TooManyRequests: _too_many,
        RequestValidationError: _validation,
        StarletteHTTPException: _http,
        Exception: _unexpected,
    }
    for exc_class, handler in handlers.items():
        app.add_exception_handler(exc_class, handler)
