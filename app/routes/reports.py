"""Report a suspected fake or logo misuse, without an account: a plain form that works without JS.

Spam is kept out by a signed, time-stamped form token (forged, expired or filled in under
three seconds), a honeypot field, a per-client rate limit, length limits on every field and a
request size limit checked before the body is read. Bots are answered as if they succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.domain.messages import N_
from app.files.images import MAX_IMAGE_BYTES, ImageRejected, ProcessedImage, process_image
from app.forms.reports import (
    HONEYPOT_FIELD,
    MAX_CODE,
    PHOTO_FIELD,
    TOKEN_FIELD,
    ReportForm,
    parse_report_form,
    typed_values,
)
from app.forms.uploads import MAX_REQUEST_BYTES, PostedForm, read_posted
from app.i18n import gettext, lang_url, ngettext
from app.services.verification.misuse_reports import (
    MINISTRY,
    office_for_slug,
    report_office,
    subject_view,
    submit_report,
)
from app.services.verification.used_tokens import spend_token
from app.web.deps import PublicForm
from app.web.form_tokens import (
    SPENT_TOKEN_LIFETIME_S,
    TOKEN_MESSAGES,
    TokenCheck,
    check_token,
    issue_token,
    token_nonce,
)
from app.web.templating import templates

router = APIRouter(default_response_class=HTMLResponse)
FORM_PURPOSE = "misuse-report"
THANKS_URL = "/bao-cao/da-gui"
_ALREADY_SENT = N_("Báo cáo này đã được gửi (mỗi biểu mẫu chỉ gửi được một lần) và không được lưu lại "
                   "lần nữa. Nếu bạn muốn gửi một báo cáo khác, hãy gửi biểu mẫu dưới đây.")


async def _posted_report(request: Request) -> PostedForm:
    """The posted report, read within the size limits (async: the body streams in)."""
    return await read_posted(request, file_field=PHOTO_FIELD)


PostedReportDep = Annotated[PostedForm, Depends(_posted_report)]


@dataclass(frozen=True, slots=True)
class FormPage(PublicForm):
    """The report form, rendered for each outcome."""

    def render(self, values: Mapping[str, str], *, errors: Mapping[str, str] | None = None,
               notice: str = "", status: int = 200, token: str = "") -> Response:
        """The form with what was typed, per-field errors and a notice above it."""
        subject = None
        text, slug = values.get("ma", ""), values.get("san_pham", "")
        if (text or slug) and self.limits.lookups.allow(self.client_key):  # no oracle past /tra-cuu's limit
            subject = subject_view(session=self.session, text=text, product_slug=slug, today=self.today)
        context = {
            "values": values, "errors": errors or {}, "notice": notice, "subject": subject,
            "token": token or issue_token(secret=self.settings.secret_key, purpose=FORM_PURPOSE),
            "limits": {"request_mb": MAX_REQUEST_BYTES // 2**20, "photo_mb": MAX_IMAGE_BYTES // 2**20},
        }
        return templates.TemplateResponse(self.request, "reports/form.html", context, status_code=status)


FormPageDep = Annotated[FormPage, Depends(FormPage.of)]


@router.get("/bao-cao", name="report_form")
def report_form(page: FormPageDep, ma: str = "") -> Response:
    """The empty form, or prefilled from `?ma=` (a code, a number or a name) with that product."""
    return page.render({"ma": ma[:MAX_CODE]})


@router.post("/bao-cao", name="report_submit")
def report_submit(page: FormPageDep, posted: PostedReportDep) -> Response:
    """Screen, validate, store, then redirect (303) to the thank-you page."""
    if posted.rejected is not None:
        return page.render({}, notice=posted.rejected.message, status=posted.rejected.status_code)
    values = typed_values(posted.fields)
    token = posted.fields.get(TOKEN_FIELD, "")
    verdict = check_token(token, secret=page.settings.secret_key, purpose=FORM_PURPOSE)
    if verdict in TOKEN_MESSAGES:
        return page.render(values, notice=gettext(TOKEN_MESSAGES[verdict]), status=400)
    if verdict is TokenCheck.too_fast or posted.fields.get(HONEYPOT_FIELD, "").strip():
        return RedirectResponse(lang_url(THANKS_URL), status_code=303)  # a bot: it learns nothing
    form, errors = parse_report_form(values)
    if form is None:
        return page.render(values, errors=errors, status=422, token=token)
    if not page.limits.reports.allow(page.client_key):
        return _rate_limited(page, values, retry_after=page.limits.reports.retry_after(page.client_key))
    return _store(page, form, values, posted.upload, token)


def _rate_limited(page: FormPage, values: Mapping[str, str], *, retry_after: int) -> Response:
    """429 with Retry-After, the form kept as typed."""
    minutes = max(1, -(-retry_after // 60))
    words = ngettext("Bạn đã gửi nhiều báo cáo trong thời gian ngắn. Vui lòng thử lại sau khoảng "
                     "%(num)s phút; nội dung bạn nhập vẫn được giữ lại bên dưới.",
                     "Bạn đã gửi nhiều báo cáo trong thời gian ngắn. Vui lòng thử lại sau khoảng "
                     "%(num)s phút; nội dung bạn nhập vẫn được giữ lại bên dưới.", minutes)
    notice = words % {"num": minutes}
    response = page.render(values, notice=notice, status=429)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _store(page: FormPage, form: ReportForm, values: Mapping[str, str],
           upload: tuple[str, bytes] | None, token: str) -> Response:
    """Check the photo, spend the form's token, store the report and its photo, redirect to the thanks."""
    photo: ProcessedImage | None = None
    if upload is not None:
        filename, data = upload
        try:
            photo = process_image(data, filename=filename)
        except ImageRejected as exc:
            return page.render(values, errors={PHOTO_FIELD: exc.message}, status=422, token=token)
    if not spend_token(session=page.session, nonce=token_nonce(token), purpose=FORM_PURPOSE,
                       lifetime_s=SPENT_TOKEN_LIFETIME_S):  # a replay, or the second of a double submit
        page.session.rollback()
        return page.render(values, notice=gettext(_ALREADY_SENT), status=409)
    report = submit_report(session=page.session, form=form, photo=photo,
                           media_dir=page.settings.private_media_path)
    page.session.commit()  # a report changes nothing the search index shows
    _, slug = report_office(session=page.session, report=report)
    thanks = lang_url(THANKS_URL)
    return RedirectResponse(f"{thanks}?so={slug}" if slug else thanks, status_code=303)


@router.get(THANKS_URL, name="report_thanks")
def report_thanks(request: Request, so: str = "") -> Response:
    """Thanks, and which office will look into the report."""
    office = office_for_slug(so)
    context = {"office": office, "to_ministry": office == gettext(MINISTRY)}
    return templates.TemplateResponse(request, "reports/thanks.html", context)

