"""The juror's area (/giam-khao): its rounds, a round's accepted applications, scoring one, its files.

Jurors sign in on the office sign-in page; `JurorDep` admits only them (office staff are refused here as
jurors are on /quan-ly). What a juror reaches is decided by the service (app/services/jury/reviews.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.errors import InvalidInput
from app.forms.jury import comment_field, conflict_note, parse_review_form, points_field
from app.models import utcnow
from app.services.applications.common import attached_file
from app.services.jury.reviews import (
    JurorView,
    declare_conflict,
    juror_lines,
    juror_rounds,
    juror_view,
    save_review,
)
from app.services.office.account import Account
from app.web.deps import JurorDep, PostedDep, RowId, SessionDep, SettingsDep, check_csrf
from app.web.dossier_files import private_file
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/giam-khao", default_response_class=HTMLResponse,
                   dependencies=[Depends(check_csrf)])
NOTICES = {"luu": "Đã lưu điểm. Bạn có thể sửa đến khi hội đồng ra quyết định.",
           "xung-dot": "Đã ghi nhận xung đột lợi ích: bạn không chấm hồ sơ đó nữa."}


@router.get("", name="juror_home")
def home(request: Request, session: SessionDep, account: JurorDep) -> Response:
    """The rounds the juror is appointed to, with how many applications it has scored."""
    context = {"account": account, "rounds": juror_rounds(session=session, account=account),
               "notice": NOTICES.get(request.query_params.get("da", ""), "")}
    return templates.TemplateResponse(request, "juror/home.html", context)


@router.get("/dot/{round_id}", name="juror_round")
def round_page(request: Request, session: SessionDep, account: JurorDep, round_id: RowId) -> Response:
    """The round's accepted applications the juror scores (those it declared a conflict on left out)."""
    selection_round, lines = juror_lines(session=session, account=account, round_id=round_id)
    context = {"account": account, "round": selection_round, "lines": lines,
               "notice": NOTICES.get(request.query_params.get("da", ""), "")}
    return templates.TemplateResponse(request, "juror/round.html", context)


def _page(request: Request, account: Account, view: JurorView, *, values: Mapping[str, str] | None = None,
          errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    """The application with the score form (read only once the decision is recorded) and the conflict form."""
    if values is None:
        scores, comments = view.scores(), view.comments()
        values = {**{points_field(c): _points(scores.get(c.key)) for c in view.criteria},
                  **{comment_field(c): comments.get(c.key, "") for c in view.criteria}}
    context = {"account": account, "view": view, "detail": view.detail, "values": values,
               "errors": errors or {}, "points_field": points_field, "comment_field": comment_field,
               "notice": NOTICES.get(request.query_params.get("da", ""), "")}
    return templates.TemplateResponse(request, "juror/application.html", context, status_code=status)


def _points(value: float | None) -> str:
    """Stored points as the form shows them: 12,5."""
    return "" if value is None else f"{value:g}".replace(".", ",")


@router.get("/ho-so/{application_id}", name="juror_application")
def application_page(request: Request, session: SessionDep, account: JurorDep,
                     application_id: RowId) -> Response:
    """The dossier (form, self-assessment, files) and the juror's score form."""
    view = juror_view(session=session, account=account, application_id=application_id, now=utcnow())
    return _page(request, account, view)


@router.post("/ho-so/{application_id}")
def score(request: Request, session: SessionDep, account: JurorDep, application_id: RowId,
          posted: PostedDep) -> Response:
    """Save the juror's points and comments; 422 with a message naming each criterion that is wrong."""
    view = juror_view(session=session, account=account, application_id=application_id, now=utcnow())
    form, errors = parse_review_form(posted, view.criteria)
    if form is None:
        return _page(request, account, view, values=posted, errors=errors, status=422)
    checked = form

    def refused(error: InvalidInput) -> Response:
        return _page(request, account, view, values=posted, errors=field_errors(error, "review"), status=422)

    def use_case() -> object:
        return save_review(session=session, account=account, view=view, form=checked)

    return run_use_case(request, session=session, search=None, refused=refused, use_case=use_case,
                        redirect_to=f"/giam-khao/ho-so/{application_id}?da=luu")


@router.post("/ho-so/{application_id}/xung-dot")
def conflict(request: Request, session: SessionDep, account: JurorDep, application_id: RowId,
             posted: PostedDep) -> Response:
    """Declare a conflict of interest: the juror leaves the application and sees it no more."""
    view = juror_view(session=session, account=account, application_id=application_id, now=utcnow())
    note, problem = conflict_note(posted.get("conflict_note", ""))
    if problem:
        return _page(request, account, view, errors={"conflict_note": problem}, status=422)

    def refused(error: InvalidInput) -> Response:
        return _page(request, account, view, errors=field_errors(error, "conflict_note"), status=422)

    def use_case() -> object:
        return declare_conflict(session=session, account=account, view=view, note=note)

    return run_use_case(request, session=session, search=None, refused=refused, use_case=use_case,
                        redirect_to=f"/giam-khao/dot/{view.detail.round.id}?da=xung-dot")


@router.get("/ho-so/{application_id}/tep/{file_id}", name="juror_application_file")
def download(session: SessionDep, settings: SettingsDep, account: JurorDep, application_id: RowId,
             file_id: RowId) -> Response:
    """One of the application's files, for a juror of its round without a declared conflict."""
    view = juror_view(session=session, account=account, application_id=application_id, now=utcnow())
    stored, path = attached_file(view.detail, file_id, settings.dossier_path)
    return private_file(path, stored)
