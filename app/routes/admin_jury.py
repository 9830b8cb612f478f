"""A round's jury in the office workspace: appoint and remove jurors, the scoring board, the decision, and
publishing the results (once confirmed) as the winners' certificates."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.jury import Decision
from app.errors import InvalidInput
from app.forms.jury import decision_field, parse_decision_form
from app.forms.text import text_fields
from app.models import SelectionRound, User
from app.services.jury.appointments import appoint_juror, remove_juror, round_jurors
from app.services.jury.board import Board, record_decision, scoring_board
from app.services.jury.results import publish_refusal, publish_results
from app.services.office.account import Account
from app.services.office.calls import managed_round
from app.web.confirmation import confirmation_page, confirmed
from app.web.deps import AccountDep, PostedDep, RowId, SearchDep, SessionDep, SettingsDep, check_csrf
from app.web.form_flow import field_errors, run_use_case, see_other
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
NOTICES = {"cu": "Đã cử giám khảo; người được cử nhận thư báo qua e-mail.", "thoi": "Đã thôi cử giám khảo.",
           "quyet-dinh": "Đã ghi quyết định của hội đồng; điểm của giám khảo không còn sửa được.",
           "cong-bo": "Đã công bố kết quả: giấy chứng nhận của các sản phẩm được công nhận đã có trong "
                      "danh mục và người nộp hồ sơ nhận thư báo kết quả."}


def _jurors_page(request: Request, session: SessionDep, account: Account, selection_round: SelectionRound, *,
                 values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                 new_user: User | None = None, password: str | None = None, status: int = 200) -> Response:
    """The round's jurors, the appointment form; a new juror's one-time password when one was just made."""
    assert selection_round.id is not None  # noqa: S101 - loaded from the database
    context = {"account": account, "round": selection_round, "values": values or {}, "errors": errors or {},
               "jurors": round_jurors(session=session, round_id=selection_round.id),
               "notice": NOTICES.get(request.query_params.get("da", ""), ""), "new_user": new_user,
               "password": password}
    response = templates.TemplateResponse(request, "admin/jury/jurors.html", context, status_code=status)
    if password is not None:
        response.headers["Cache-Control"] = "no-store"  # the one-time password is shown once
    return response


@router.get("/dot-binh-chon/{round_id}/giam-khao", name="admin_round_jurors")
def jurors(request: Request, session: SessionDep, account: AccountDep, round_id: RowId) -> Response:
    """The round's jurors and the form to appoint one."""
    selection_round = managed_round(session=session, account=account, round_id=round_id)
    return _jurors_page(request, session, account, selection_round)


@router.post("/dot-binh-chon/{round_id}/giam-khao")
def appoint(request: Request, session: SessionDep, settings: SettingsDep, account: AccountDep,
            round_id: RowId, posted: PostedDep) -> Response:
    """Appoint a juror by name and e-mail; a new account's one-time password is shown once on the answer."""
    selection_round = managed_round(session=session, account=account, round_id=round_id)
    values = text_fields(posted, ("name", "email"))
    try:
        user, password = appoint_juror(session=session, account=account, selection_round=selection_round,
                                       name=values.get("name", ""), email=values.get("email", ""),
                                       base_url=settings.base_url)
    except InvalidInput as error:
        session.rollback()
        return _jurors_page(request, session, account, selection_round, values=values,
                            errors=field_errors(error, "email"), status=422)
    session.commit()
    if password is None:
        return see_other(request, f"/quan-ly/dot-binh-chon/{round_id}/giam-khao?da=cu")
    return _jurors_page(request, session, account, selection_round, new_user=user, password=password)


@router.post("/dot-binh-chon/{round_id}/giam-khao/{juror_id}/thoi-cu")
def remove(request: Request, session: SessionDep, account: AccountDep, round_id: RowId,
           juror_id: RowId) -> Response:
    """End a juror's appointment to the round (again: nothing more to do)."""
    selection_round = managed_round(session=session, account=account, round_id=round_id)
    remove_juror(session=session, account=account, selection_round=selection_round, user_id=juror_id)
    session.commit()
    return see_other(request, f"/quan-ly/dot-binh-chon/{round_id}/giam-khao?da=thoi")


def _board_page(request: Request, account: Account, board: Board, *,
                values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None,
                status: int = 200) -> Response:
    """The scoring board with the decision form."""
    context = {"account": account, "board": board, "values": values or {}, "errors": errors or {},
               "notice": NOTICES.get(request.query_params.get("da", ""), ""),
               "decision_field": decision_field}
    return templates.TemplateResponse(request, "admin/jury/board.html", context, status_code=status)


@router.get("/dot-binh-chon/{round_id}/cham-diem", name="admin_round_scores")
def board(request: Request, session: SessionDep, account: AccountDep, round_id: RowId) -> Response:
    """Accepted applications ranked by average total, jurors' totals side by side, averages per criterion."""
    return _board_page(request, account, scoring_board(session=session, account=account, round_id=round_id))


@router.post("/dot-binh-chon/{round_id}/cham-diem")
def decide(request: Request, session: SessionDep, account: AccountDep, round_id: RowId,
           posted: PostedDep) -> Response:
    """Record the council's decision (number, date, selected or not per application); 422 when incomplete."""
    found = scoring_board(session=session, account=account, round_id=round_id)
    ids = [line.standing.application_id for line in found.lines]
    form, errors = parse_decision_form(posted, ids)
    if form is None:
        return _board_page(request, account, found, values=posted, errors=errors, status=422)
    if not ids:
        return _board_page(request, account, found, values=posted, status=422,
                           errors={"decision_number": "Đợt chưa có hồ sơ được tiếp nhận để ra quyết định."})
    chosen = form

    def use_case() -> object:
        return record_decision(session=session, account=account, board=found, number=chosen.number,
                               day=chosen.day, choices=chosen.choices)

    def refused(error: InvalidInput) -> Response:
        return _board_page(request, account, found, values=posted, status=422,
                           errors=field_errors(error, "decision_number"))

    return run_use_case(request, session=session, search=None, use_case=use_case, refused=refused,
                        redirect_to=f"/quan-ly/dot-binh-chon/{round_id}/cham-diem?da=quyet-dinh")


@router.post("/dot-binh-chon/{round_id}/cong-bo")
def publish(request: Request, session: SessionDep, settings: SettingsDep, search: SearchDep,
            account: AccountDep, round_id: RowId, posted: PostedDep) -> Response:
    """Once confirmed, publish the results: the winners' products and certificates in one transaction
    (indexed after the commit), each application final, each applicant mailed; 422 when not allowed."""
    found = scoring_board(session=session, account=account, round_id=round_id)
    refusal = publish_refusal(session, found)
    if refusal is not None:
        return _board_page(request, account, found, errors={"publish": refusal}, status=422)
    if not confirmed(posted):
        selected = sum(1 for line in found.lines if line.decision is Decision.selected)
        r = found.round
        facts = [("Quyết định", f"Số {r.decision_number} ngày {r.decision_date:%d/%m/%Y}"),
                 ("Hồ sơ được công nhận", str(selected)),
                 ("Hồ sơ không được công nhận", str(len(found.lines) - selected))]
        return confirmation_page(
            request, account, title="Xác nhận công bố kết quả", facts=facts, button="Công bố kết quả",
            lead="Các sản phẩm được công nhận sẽ có giấy chứng nhận trong danh mục công khai, tên của họ "
                 "hiện trên trang đợt bình chọn, và mọi người nộp hồ sơ nhận thư báo kết quả. "
                 "Không thể hoàn tác.",
            action=f"/quan-ly/dot-binh-chon/{round_id}/cong-bo",
            back=f"/quan-ly/dot-binh-chon/{round_id}/cham-diem")

    def use_case() -> object:
        return publish_results(session=session, account=account, board=found, base_url=settings.base_url)

    def refused(error: InvalidInput) -> Response:
        return _board_page(request, account, found, status=422, errors=field_errors(error, "publish"))

    return run_use_case(request, session=session, search=search, use_case=use_case, refused=refused,
                        redirect_to=f"/quan-ly/dot-binh-chon/{round_id}/cham-diem?da=cong-bo")
