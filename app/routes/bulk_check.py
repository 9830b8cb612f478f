"""Check a supplier list at once (/kiem-tra-danh-sach): the form, the answer table, CSV and XLSX downloads.

The form is protected like the misuse report form (a signed, time-stamped form token, a honeypot,
a request size limit) and limited per client (SiteLimits.bulk_checks). The answer page carries the
list as a hidden field, with the same token, so choosing another column or downloading the table
re-posts it instead of asking for the file again. Nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from app.domain.messages import N_
from app.errors import InvalidInput, TooManyRequests
from app.forms.reports import HONEYPOT_FIELD, TOKEN_FIELD
from app.forms.uploads import MAX_REQUEST_BYTES, PostedForm, read_posted
from app.forms.watch import FORM_PURPOSE as WATCH_PURPOSE  # the "watch this list" form posts to /theo-doi
from app.i18n import gettext
from app.services.catalog.exports import csv_chunks, export_filename, xlsx_chunks
from app.services.verification.bulk_check import MAX_ITEMS, BulkResult, BulkStatus, check_items
from app.services.verification.bulk_export import download_columns, download_rows
from app.services.verification.bulk_input import (
    COLUMN_FIELD,
    FILE_FIELD,
    TABLE_FIELD,
    TEXT_FIELD,
    Columns,
    InputTable,
    bulk_items,
    detect_columns,
    table_from_json,
    table_from_text,
    table_from_upload,
    table_json,
)
from app.web.deps import PublicForm
from app.web.form_tokens import TOKEN_MESSAGES, TokenCheck, check_token, issue_token
from app.web.rate_limit import check_bulk_rate
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)
URL = "/kiem-tra-danh-sach"
PAGE = "bulk_check/index.html"
FORM_PURPOSE = "bulk-check"
_TOKEN_MESSAGES = {  # Vietnamese msgids, translated when shown: the shared ones, and a too-fast check
    **TOKEN_MESSAGES,
    TokenCheck.too_fast: N_("Biểu mẫu được gửi quá nhanh sau khi mở trang. Nội dung bạn nhập vẫn còn: "
                            "vui lòng bấm “Kiểm tra” lại."),
}
_NOTHING_SENT = N_("Hãy dán danh sách vào ô bên dưới hoặc chọn một tệp.")


async def _posted_list(request: Request) -> PostedForm:
    """The posted list, read within the size limits (a pasted list is long: a field may fill the request)."""
    return await read_posted(request, file_field=FILE_FIELD, max_field_bytes=MAX_REQUEST_BYTES)


PostedListDep = Annotated[PostedForm, Depends(_posted_list)]


@dataclass(frozen=True, slots=True)
class Checked:
    """A list read and checked: the table, its columns and each row's answer."""

    table: InputTable
    columns: Columns
    results: list[BulkResult]
    token: str


@dataclass(frozen=True, slots=True)
class BulkPage(PublicForm):
    """The list check's page, rendered for each outcome."""

    def render(self, *, text: str = "", errors: dict[str, str] | None = None, notice: str = "",
               status: int = 200, token: str = "", table: InputTable | None = None,
               checked: Checked | None = None, retry_after: int = 0) -> Response:
        """The form (what was typed kept), the column choice, or the answer table above the form."""
        context = {
            "text": text, "errors": errors or {}, "notice": notice, "max_items": MAX_ITEMS,
            "token": token or issue_token(secret=self.settings.secret_key, purpose=FORM_PURPOSE),
            "table": table, "table_json": table_json(table) if table else "", "checked": checked,
            "today": self.today,
        }
        if checked is not None:
            context.update(_answer_context(checked, secret=self.settings.secret_key))
        response = templates.TemplateResponse(self.request, PAGE, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"  # the answer depends on today and on revocations
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response


def _answer_context(checked: Checked, *, secret: str) -> dict[str, object]:
    """Counts per status, the rows beside their answers, and the codes a watch list would follow."""
    counts = dict.fromkeys(BulkStatus, 0)
    for result in checked.results:
        counts[result.status] += 1
    codes = dict.fromkeys(r.found.view.certificate.code for r in checked.results if r.found is not None)
    return {"counts": counts, "pairs": list(zip(checked.table.rows, checked.results, strict=True)),
            "watch_codes": list(codes), "watch_token": issue_token(secret=secret, purpose=WATCH_PURPOSE)}


BulkPageDep = Annotated[BulkPage, Depends(BulkPage.of)]


@router.get(URL, name="bulk_check_form")
def bulk_check_form(page: BulkPageDep) -> Response:
    """The empty form: paste a list or choose a file."""
    return page.render()


def _read_table(posted: PostedForm) -> InputTable:
    """The list re-posted as a hidden field, else the uploaded file, else the pasted text."""
    if posted.fields.get(TABLE_FIELD):
        return table_from_json(posted.fields[TABLE_FIELD])
    if posted.upload is not None:
        return table_from_upload(*posted.upload)
    if posted.fields.get(TEXT_FIELD, "").strip():
        return table_from_text(posted.fields[TEXT_FIELD])
    raise InvalidInput(gettext(_NOTHING_SENT), field=TEXT_FIELD)


def _check(page: BulkPage, posted: PostedForm) -> Checked | Response:
    """The posted list checked, or the page that says why not (every refusal keeps what was typed)."""
    text = posted.fields.get(TEXT_FIELD, "")
    if posted.rejected is not None:
        return page.render(notice=posted.rejected.message, status=posted.rejected.status_code)
    if posted.fields.get(HONEYPOT_FIELD, "").strip():
        return page.render(text=text)  # a bot: it learns nothing
    token = posted.fields.get(TOKEN_FIELD, "")
    verdict = check_token(token, secret=page.settings.secret_key, purpose=FORM_PURPOSE)
    if verdict in _TOKEN_MESSAGES:
        return page.render(text=text, notice=gettext(_TOKEN_MESSAGES[verdict]), status=400)
    try:
        check_bulk_rate(limits=page.limits, client=page.client_key)
    except TooManyRequests as exc:
        return page.render(text=text, notice=exc.message, status=429, retry_after=exc.retry_after,
                           token=token)
    try:
        table = _read_table(posted)
    except InvalidInput as exc:
        return page.render(text=text, errors={exc.field or TEXT_FIELD: exc.message}, status=422, token=token)
    columns = detect_columns(table, posted.fields.get(COLUMN_FIELD, ""))
    try:
        items = bulk_items(table, columns)
    except InvalidInput as exc:
        status = 200 if columns.lookup is None else 422  # asking which column is not an error
        errors = {COLUMN_FIELD: exc.message} if columns.lookup is not None else {}
        return page.render(text=text, errors=errors, status=status, token=token, table=table)
    results = check_items(session=page.session, items=items, today=page.today)
    return Checked(table=table, columns=columns, results=results, token=token)


@router.post(URL, name="bulk_check")
def bulk_check(page: BulkPageDep, posted: PostedListDep) -> Response:
    """The answer table, one row per row of the list, in its order; or the form with the problem."""
    checked = _check(page, posted)
    if isinstance(checked, Response):
        return checked
    return page.render(token=checked.token, table=checked.table, checked=checked)


def _download(page: BulkPage, posted: PostedForm, kind: str) -> Response:
    """The checked list as a file: their columns, then ours; the page with the problem when it cannot be."""
    checked = _check(page, posted)
    if isinstance(checked, Response):
        return checked
    pages = download_rows(checked.table, checked.results)
    columns = download_columns(checked.table)
    body: Iterator[bytes] = (csv_chunks(pages, columns) if kind == "csv"
                             else xlsx_chunks(pages, columns, sheet_name="Kiem tra"))
    media = ("text/csv; charset=utf-8" if kind == "csv"
             else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = export_filename(kind, today=page.today, prefix="cnnt-kiem-tra")
    return StreamingResponse(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.post(URL + ".csv", name="bulk_check_csv")
def bulk_check_csv(page: BulkPageDep, posted: PostedListDep) -> Response:
    """The checked list as CSV (UTF-8 with BOM, formulas made inert)."""
    return _download(page, posted, "csv")


@router.post(URL + ".xlsx", name="bulk_check_xlsx")
def bulk_check_xlsx(page: BulkPageDep, posted: PostedListDep) -> Response:
    """The checked list as an Excel workbook (formulas made inert)."""
    return _download(page, posted, "xlsx")
