"""Selection rounds and their winners spreadsheets in the office workspace (/quan-ly)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.domain.calls import NOMINATED_TO
from app.domain.levels import Level
from app.domain.permissions import may_manage_level
from app.domain.regions import Region
from app.domain.states import ImportBatchState
from app.errors import InvalidInput
from app.files.spreadsheet import MAX_FILE_BYTES
from app.forms.rounds import parse_round_form
from app.models import ImportBatch, SelectionRound
from app.services.applications.office import round_applications
from app.services.catalog.calls import round_call_summary
from app.services.imports.preview import (
    AlreadyPublished,
    get_batch,
    publish_batch,
    read_summary,
    upload_batch,
)
from app.services.imports.template import TEMPLATE_FILENAME, template_workbook
from app.services.office.account import Account
from app.services.office.rounds import (
    create_round,
    filter_provinces,
    get_round,
    level_choices,
    province_choices,
    round_batches,
    round_products_without_photo,
    round_province,
    round_winners,
    visible_rounds,
)
from app.web.deps import AccountDep, RowId, SearchDep, SessionDep, SettingsDep, TodayDep, check_csrf
from app.web.form_flow import run_use_case, see_other, submit_form
from app.web.templating import templates

router = APIRouter(prefix="/quan-ly", default_response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHARED_LABELS: dict[str, Any] = {
    "region_labels": {region.value: region.label for region in Region},
}
ROUND_FIELDS = ("level", "year", "region", "province", "organiser", "decision_number", "decision_date")


@router.get("/dot-binh-chon", name="admin_rounds")
def rounds_list(request: Request, session: SessionDep, account: AccountDep,
                tinh: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The rounds this account may see, an administrator's narrowed to one province (and its former ones)."""
    provinces = filter_provinces(account)
    chosen = tinh if any(p.slug == tinh for p in provinces) else ""
    rows = visible_rounds(session=session, account=account, province_slug=chosen)
    context = {"account": account, "rows": rows, "filter_provinces": provinces, "chosen": chosen,
               **SHARED_LABELS}
    return templates.TemplateResponse(request, "admin/rounds/list.html", context)


def _form_page(request: Request, account: Account, values: dict[str, Any], errors: dict[str, str],
               status_code: int = 200) -> Response:
    """The new-round form with the values typed so far and one message per field."""
    context = {"account": account, "values": values, "errors": errors, "levels": level_choices(account),
               "provinces": province_choices(account), **SHARED_LABELS}
    return templates.TemplateResponse(request, "admin/rounds/new.html", context, status_code=status_code)


@router.get("/dot-binh-chon/moi")
def new_round_form(request: Request, account: AccountDep) -> Response:
    """An empty new-round form (an office's province preselected)."""
    values = {"province": account.province_slug or "", "level": "tinh"}
    return _form_page(request, account, values, {})


@router.post("/dot-binh-chon/moi")
async def new_round(request: Request, session: SessionDep, account: AccountDep) -> Response:
    """Create the round; 422 with per-field messages when the form is wrong."""
    posted = await request.form()
    values = {name: str(posted.get(name) or "")[:400] for name in ROUND_FIELDS}
    return submit_form(
        request, session=session, search=None, parsed=parse_round_form(values),
        save=lambda form: create_round(session=session, account=account, form=form),
        rerender=lambda errors: _form_page(request, account, values, dict(errors), status_code=422),
        error_field="level", redirect_to=lambda created: f"/quan-ly/dot-binh-chon/{created.id}")


def _round_page(request: Request, session: SessionDep, account: Account, selection_round: SelectionRound,
                today: date, upload_error: str | None = None, status_code: int = 200) -> Response:
    """A round: its facts, its call for entries, its uploads, its winners and the upload form."""
    assert selection_round.id is not None  # noqa: S101 - loaded from the database
    winners, total = round_winners(session=session, round_id=selection_round.id)
    context = {"account": account, "round": selection_round, "winners": winners, "total": total,
               "province": round_province(session=session, selection_round=selection_round),
               "batches": round_batches(session=session, round_id=selection_round.id),
               "call": round_call_summary(session=session, selection_round=selection_round, today=today),
               "may_manage_call": may_manage_level(account.role, Level(selection_round.level)),
               "nominates": Level(selection_round.level) in NOMINATED_TO,
               "listing": round_applications(session=session, account=account,
                                             round_id=selection_round.id or 0),
               "upload_error": upload_error, **SHARED_LABELS}
    return templates.TemplateResponse(request, "admin/rounds/detail.html", context, status_code=status_code)


@router.get("/dot-binh-chon/{round_id}", name="admin_round")
def round_page(request: Request, session: SessionDep, account: AccountDep, today: TodayDep,
               round_id: RowId) -> Response:
    """One round; 404 for a round of another province."""
    selection_round = get_round(session=session, account=account, round_id=round_id)
    return _round_page(request, session, account, selection_round, today)


@router.post("/dot-binh-chon/{round_id}/nhap")
def upload(request: Request, session: SessionDep, account: AccountDep, settings: SettingsDep, today: TodayDep,
           round_id: RowId, file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Store the spreadsheet as a preview batch, then show its preview; 422 if it cannot be read.

    The file is optional in the signature so that access is checked first: another province's
    round answers 404 whatever was sent, never a validation error that reveals it exists.
    """
    selection_round = get_round(session=session, account=account, round_id=round_id)
    if file is None:
        return _round_page(request, session, account, selection_round, today,
                           "Chưa chọn tệp danh sách để tải lên.", status_code=422)
    data, filename = file.file.read(MAX_FILE_BYTES + 1), file.filename or ""
    return run_use_case(
        request, session=session, search=None,
        use_case=lambda: upload_batch(session=session, account=account, selection_round=selection_round,
                                      folder=settings.data_dir / "private" / "imports", filename=filename,
                                      data=data),
        refused=lambda error: _round_page(request, session, account, selection_round, today, error.message,
                                          status_code=422),
        redirect_to=lambda batch: f"/quan-ly/nhap/{batch.id}")


def _preview_page(request: Request, session: SessionDep, account: Account, batch: ImportBatch,
                  selection_round: SelectionRound, error: str | None = None,
                  status_code: int = 200) -> Response:
    """The batch's stored preview: every row with its problems; once published, the next steps."""
    assert selection_round.id is not None  # noqa: S101 - loaded from the database
    without_photo = (round_products_without_photo(session=session, round_id=selection_round.id)
                     if batch.state == ImportBatchState.PUBLISHED else [])
    context = {"account": account, "batch": batch, "round": selection_round, "summary": read_summary(batch),
               "error": error, "without_photo": without_photo, **SHARED_LABELS}
    return templates.TemplateResponse(request, "admin/imports/preview.html", context, status_code=status_code)


@router.get("/nhap/{batch_id}", name="admin_import_preview")
def preview(request: Request, session: SessionDep, account: AccountDep, batch_id: RowId) -> Response:
    """The preview of an uploaded spreadsheet; 404 for another office's."""
    batch, selection_round = get_batch(session=session, account=account, batch_id=batch_id)
    return _preview_page(request, session, account, batch, selection_round)


@router.post("/nhap/{batch_id}/xuat-ban")
def publish(request: Request, session: SessionDep, account: AccountDep, search: SearchDep,
            batch_id: RowId) -> Response:
    """Publish the batch in one transaction, then index (a search outage never fails this).

    A second click while or after the first publishes answers like the first: the published batch.
    """
    batch, selection_round = get_batch(session=session, account=account, batch_id=batch_id)

    def refused(error: InvalidInput) -> Response:
        """The preview again, reloaded after the rollback, with why it was not published."""
        if isinstance(error, AlreadyPublished):
            return see_other(request, f"/quan-ly/nhap/{batch_id}")
        batch, selection_round = get_batch(session=session, account=account, batch_id=batch_id)
        return _preview_page(request, session, account, batch, selection_round, error.message,
                             status_code=422)

    return run_use_case(
        request, session=session, search=search, refused=refused,
        use_case=lambda: publish_batch(session=session, account=account, batch=batch,
                                       selection_round=selection_round),
        redirect_to=f"/quan-ly/nhap/{batch_id}")


@router.get("/mau-danh-sach.xlsx")
def template_file(account: AccountDep) -> Response:
    """The winners spreadsheet template, with drop-down lists and a short guide."""
    return Response(template_workbook(), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_FILENAME}"'})
