"""Report wrong information on a product, producer or certificate page, without an account.

Guarded like the misuse report form (app/routes/reports.py): a signed, time-stamped one-time form
token (forged, expired, replayed or filled in under three seconds), a honeypot field, a per-client
rate limit, length limits on every field and a request size limit. Bots are answered as if they
succeeded. The form names its record by hidden fields; an unknown record is a 404 with a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.domain.corrections import CorrectionField
from app.domain.messages import N_
from app.forms.corrections import (
    HONEYPOT_FIELD,
    MAX_SLUG,
    TOKEN_FIELD,
    CorrectionForm,
    parse_correction_form,
    typed_values,
)
from app.forms.uploads import PostedForm, read_posted
from app.i18n import gettext, lang_url, ngettext
from app.services.verification.corrections import correction_office, correction_subject, submit_correction
from app.services.verification.misuse_reports import office_for_slug
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
FORM_PURPOSE = "correction-report"
FORM_URL = "/bao-thong-tin-sai"
THANKS_URL = "/bao-thong-tin-sai/da-gui"
PER_HOUR = 5  # stored for an office to read, like misuse reports
_ALREADY_SENT = N_("Báo cáo này đã được gửi (mỗi biểu mẫu chỉ gửi được một lần) và không được lưu lại "
                   "lần nữa. Nếu bạn muốn gửi một báo cáo khác, hãy gửi biểu mẫu dưới đây.")
RecordParam = Annotated[str, Query(max_length=MAX_SLUG)]


async def _posted_correction(request: Request) -> PostedForm:
    """The posted form, read within the size limits (no file is taken: any sent is ignored)."""
    return await read_posted(request, file_field="")


PostedCorrectionDep = Annotated[PostedForm, Depends(_posted_correction)]


@dataclass(frozen=True, slots=True)
class CorrectionPage(PublicForm):
    """The correction form, rendered for each outcome."""

    def render(self, values: Mapping[str, str], *, errors: Mapping[str, str] | None = None,
               notice: str = "", status: int = 200, token: str = "") -> Response:
        """The form for the record the values name (404 if none), with what was typed and the errors."""
        subject = correction_subject(session=self.session, code=values.get("ma", ""),
                                     product_slug=values.get("san_pham", ""),
                                     producer_slug=values.get("co_so", ""))
        context = {
            "values": values, "errors": errors or {}, "notice": notice, "subject": subject,
            "parts": list(CorrectionField),
            "token": token or issue_token(secret=self.settings.secret_key, purpose=FORM_PURPOSE),
        }
        return templates.TemplateResponse(self.request, "corrections/form.html", context, status_code=status)


CorrectionPageDep = Annotated[CorrectionPage, Depends(CorrectionPage.of)]


@router.get(FORM_URL, name="correction_form")
def correction_form(page: CorrectionPageDep, ma: RecordParam = "",
                    san_pham: Annotated[str, Query(alias="san-pham", max_length=MAX_SLUG)] = "",
                    co_so: Annotated[str, Query(alias="co-so", max_length=MAX_SLUG)] = "") -> Response:
    """The form for the certificate (`?ma=`), product (`?san-pham=`) or producer (`?co-so=`) it is about."""
    return page.render({"ma": ma, "san_pham": san_pham, "co_so": co_so})


@router.post(FORM_URL, name="correction_submit")
def correction_submit(page: CorrectionPageDep, posted: PostedCorrectionDep) -> Response:
    """Screen, validate, store, then redirect (303) to the thank-you page."""
    if posted.rejected is not None:  # too large or malformed: which record it named cannot be read
        raise posted.rejected
    values = typed_values(posted.fields)
    token = posted.fields.get(TOKEN_FIELD, "")
    verdict = check_token(token, secret=page.settings.secret_key, purpose=FORM_PURPOSE)
    if verdict in TOKEN_MESSAGES:
        return page.render(values, notice=gettext(TOKEN_MESSAGES[verdict]), status=400)
    if verdict is TokenCheck.too_fast or posted.fields.get(HONEYPOT_FIELD, "").strip():
        return RedirectResponse(lang_url(THANKS_URL), status_code=303)  # a bot: it learns nothing
    form, errors = parse_correction_form(values)
    if form is None:
        return page.render(values, errors=errors, status=422, token=token)
    allowed = page.limits.hit(f"correction:{page.client_key}", limit=PER_HOUR, window_s=3600)
    if not allowed:
        return _rate_limited(page, values, retry_after=allowed.retry_after)
    return _store(page, form, values, token)


def _rate_limited(page: CorrectionPage, values: Mapping[str, str], *, retry_after: int) -> Response:
    """429 with Retry-After, the form kept as typed."""
    minutes = max(1, -(-retry_after // 60))
    words = ngettext("Bạn đã gửi nhiều báo cáo trong thời gian ngắn. Vui lòng thử lại sau khoảng "
                     "%(num)s phút; nội dung bạn nhập vẫn được giữ lại bên dưới.",
                     "Bạn đã gửi nhiều báo cáo trong thời gian ngắn. Vui lòng thử lại sau khoảng "
                     "%(num)s phút; nội dung bạn nhập vẫn được giữ lại bên dưới.", minutes)
    response = page.render(values, notice=words % {"num": minutes}, status=429)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _store(page: CorrectionPage, form: CorrectionForm, values: Mapping[str, str], token: str) -> Response:
    """Spend the form's token, store the report, redirect to the thanks."""
    if not spend_token(session=page.session, nonce=token_nonce(token), purpose=FORM_PURPOSE,
                       lifetime_s=SPENT_TOKEN_LIFETIME_S):  # a replay, or the second of a double submit
        page.session.rollback()
        return page.render(values, notice=gettext(_ALREADY_SENT), status=409)
    report = submit_correction(session=page.session, form=form)
    page.session.commit()  # a report changes nothing the search index shows
    _, slug = correction_office(session=page.session, report=report)
    thanks = lang_url(THANKS_URL)
    return RedirectResponse(f"{thanks}?so={slug}" if slug else thanks, status_code=303)


@router.get(THANKS_URL, name="correction_thanks")
def correction_thanks(request: Request, so: Annotated[str, Query(max_length=64)] = "") -> Response:
    """Thanks, and which office will look into the report."""
    return templates.TemplateResponse(request, "corrections/thanks.html", {"office": office_for_slug(so)})
