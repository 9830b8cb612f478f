"""The consumer's lookup: the /tra-cuu form and answer, and /v/{code}, the QR code's target."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.errors import InvalidInput
from app.services.verification.lookup import LookupAnswer, look_up
from app.web.deps import ClientKeyDep, LimitsDep, SessionDep, TodayDep
from app.web.rate_limit import SiteLimits, allow_more_lookups, check_lookup_rate
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)

PAGE = "verify/index.html"
RATE_LIMITED_PAGE = "verify/rate_limited.html"


def _answer_page(request: Request, answer: LookupAnswer | None, *, q: str = "",
                 error: str | None = None, status_code: int = 200) -> Response:
    """The form, with the answer (or the problem) above it; no answer is cached by a proxy."""
    context = {"answer": answer, "q": q, "error": error}
    response = templates.TemplateResponse(request, PAGE, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # the answer depends on today and on revocations
    return response


def _paid_suggestions(answer: LookupAnswer, *, limits: SiteLimits, client: str) -> LookupAnswer:
    """Each code suggested counts as a lookup of it, so typos harvest no faster than lookups do."""
    if answer.suggestions and not allow_more_lookups(limits=limits, client=client,
                                                     count=len(answer.suggestions)):
        return replace(answer, suggestions=())
    return answer


def _answered(request: Request, answer: LookupAnswer) -> Response:
    """200 with the answer, or 404 with the typed text kept in the field to correct it."""
    if answer.found:
        return _answer_page(request, answer)
    return _answer_page(request, answer, q=answer.query, status_code=404)


@router.get("/tra-cuu", name="verify")
def verify_page(request: Request, session: SessionDep, today: TodayDep, limits: LimitsDep,
                client: ClientKeyDep, q: str = "") -> Response:
    """Empty: the form. Otherwise a code, then a printed number: 200 with the answer, 404 not found."""
    if not q.strip():
        return _answer_page(request, None)
    check_lookup_rate(limits=limits, client=client, page=RATE_LIMITED_PAGE)
    try:
        answer = look_up(session=session, text=q, today=today)
    except InvalidInput as exc:  # re-render the form with the problem, as every form does
        return _answer_page(request, None, error=exc.message, status_code=422)
    session.commit()  # the lookup counts
    return _answered(request, _paid_suggestions(answer, limits=limits, client=client))


@router.get("/v/{code}", name="verify_code")
def verify_code_page(request: Request, code: str, session: SessionDep, today: TodayDep,
                     limits: LimitsDep, client: ClientKeyDep) -> Response:
    """The QR code's target: the same answer as the form, for a verification code only."""
    check_lookup_rate(limits=limits, client=client, page=RATE_LIMITED_PAGE)
    try:
        answer = look_up(session=session, text=code, today=today, codes_only=True)
    except InvalidInput as exc:
        return _answer_page(request, None, error=exc.message, status_code=422)
    session.commit()  # the lookup counts
    return _answered(request, _paid_suggestions(answer, limits=limits, client=client))
