"""Nominating a round's winners to the next level's call (/quan-ly/dot-binh-chon/{id}/de-cu).

Who reaches the page is who reaches the round (a province office its provincial rounds, the ministry
every round); the higher call is the ministry's, and the nomination is a draft for the producer to
update and submit there (app/services/applications/nomination.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.domain.regions import Region
from app.errors import InvalidInput
from app.forms.text import one_line
from app.models import utcnow
from app.services.applications.nomination import Nominations, nominate, nominations
from app.services.office.account import Account
from app.web.deps import AccountDep, PostedDep, RowId, SessionDep, SettingsDep, TodayDep, check_csrf
from app.web.form_flow import field_errors, run_use_case
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])


def _page(request: Request, account: Account, page: Nominations, *, values: Mapping[str, str] | None = None,
          errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    """The round's winners valid today, the next level's open calls, one nomination form per winner."""
    context = {"account": account, "page": page, "values": values or {}, "errors": errors or {},
               "done": request.query_params.get("da") == "de-cu",
               "region_labels": {region.value: region.label for region in Region}}
    return templates.TemplateResponse(request, "admin/applications/nominate.html", context,
                                      status_code=status)


@router.get("/dot-binh-chon/{round_id}/de-cu", name="admin_round_nominations")
def nomination_page(request: Request, session: SessionDep, account: AccountDep, today: TodayDep,
                    round_id: RowId) -> Response:
    """The winners a round may nominate to the next level, and where."""
    return _page(request, account, nominations(session=session, account=account, round_id=round_id,
                                               today=today, now=utcnow()))


@router.post("/dot-binh-chon/{round_id}/de-cu")
def nominate_winner(request: Request, session: SessionDep, settings: SettingsDep, account: AccountDep,
                    today: TodayDep, round_id: RowId, posted: PostedDep) -> Response:
    """Enter one winner in a higher call; refused → the page again with the reason (422)."""
    page = nominations(session=session, account=account, round_id=round_id, today=today, now=utcnow())
    values = {name: one_line(posted.get(name, ""))[:20] for name in ("certificate", "target")}
    certificate_id, target_id = (int(values[name]) if values[name].isdigit() else 0
                                 for name in ("certificate", "target"))
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: nominate(session=session, account=account, page=page, certificate_id=certificate_id,
                                  target_round_id=target_id, base_url=settings.base_url),
        refused=lambda error: _refused(request, account, page, values, error),
        redirect_to=lambda _: f"/quan-ly/dot-binh-chon/{round_id}/de-cu?da=de-cu")


def _refused(request: Request, account: Account, page: Nominations, values: Mapping[str, str],
             error: InvalidInput) -> Response:
    """The page again with the reason."""
    return _page(request, account, page, values=values, errors=field_errors(error, "certificate"), status=422)
