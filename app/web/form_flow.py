"""The office forms' one flow: parse, call the service, then roll back and re-render, or commit and redirect.

A refused save (InvalidInput) rolls the transaction back and shows the form again with 422
and the message beside its field; a save commits, indexes when a search engine is given (the
products the service marked), and redirects after POST: 303, or HX-Redirect for htmx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.db import commit_and_index
from app.errors import InvalidInput
from search.engine import SearchEngine

F = TypeVar("F")
T = TypeVar("T")
Refused = Callable[[InvalidInput], Response]  # the page again, with the refusal (status 422)
Rerender = Callable[[Mapping[str, str]], Response]  # the form again, with per-field errors (status 422)
Redirect = str | Callable[[T], str]  # where a save goes: a URL, or one made from the service's result


def see_other(request: Request, url: str) -> Response:
    """Redirect after POST: 303, or HX-Redirect for an htmx request (which would swap a 303's page in)."""
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def field_errors(error: InvalidInput, default_field: str) -> dict[str, str]:
    """The refusal as the form's per-field errors; a message without a field goes to `default_field`."""
    return {error.field or default_field: error.message}


def run_use_case(request: Request, *, session: Session, search: SearchEngine | None,
                 use_case: Callable[[], T], refused: Refused, redirect_to: Redirect[T]) -> Response:
    """Call the service: refused → roll back and `refused(error)`; saved → commit (and index), redirect."""
    try:
        result = use_case()
    except InvalidInput as error:
        session.rollback()
        return refused(error)
    if search is None:  # nothing the search index shows was changed
        session.commit()
    else:
        commit_and_index(session=session, engine=search)
    return see_other(request, redirect_to if isinstance(redirect_to, str) else redirect_to(result))


def submit_form(request: Request, *, session: Session, search: SearchEngine | None,
                parsed: tuple[F | None, Mapping[str, str]], save: Callable[[F], T], rerender: Rerender,
                error_field: str, redirect_to: Redirect[T]) -> Response:
    """A parsed form: its errors re-render it; otherwise `run_use_case` with the refusal beside its field."""
    form, errors = parsed
    if form is None:
        return rerender(errors)
    return run_use_case(request, session=session, search=search, use_case=lambda: save(form),
                        redirect_to=redirect_to,
                        refused=lambda error: rerender(field_errors(error, error_field)))
