"""The watch-list form: codes (repeated fields or one per line), product slugs, an e-mail address.

Posted by the watch page, the shortlist page (hidden `slug` fields) and the bulk-check result page
(hidden `code` fields), so fields repeat: up to MAX_ENTRIES of them, read within MAX_BYTES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address

from fastapi import Request

from app.domain.messages import N_
from app.forms.uploads import FormRejected, read_form
from app.i18n import gettext

# Form tokens of every page that posts to /theo-doi (the watch page, the shortlist, the bulk check).
FORM_PURPOSE = "watch-list"
MAX_ENTRIES = 5020  # the bulk check's 5,000 rows as `code` fields, and the other fields
MAX_BYTES = 1024 * 1024
MAX_EMAIL = 254
CODE_FIELD, SLUG_FIELD, EMAIL_FIELD = "code", "slug", "email"
_EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_BAD_EMAIL = N_("Vui lòng nhập một địa chỉ e-mail hợp lệ, ví dụ ten@congty.vn.")


@dataclass(frozen=True, slots=True)
class WatchPost:
    """What was posted: every code and slug field, the address and the anti-spam fields."""

    codes: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    email: str = ""
    token: str = ""
    honeypot: str = ""
    rejected: FormRejected | None = None

    @property
    def code_text(self) -> str:
        """The codes as the text box shows them, one per line."""
        return "\n".join(c.strip() for c in self.codes if c.strip())


async def read_watch_post(request: Request, *, token_field: str, honeypot_field: str) -> WatchPost:
    """The posted fields (within the limits), or the reason the post was refused."""
    try:
        form = await read_form(request, max_bytes=MAX_BYTES, max_files=0, max_fields=MAX_ENTRIES)
    except FormRejected as exc:
        return WatchPost(rejected=exc)
    texts = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    first = dict(reversed(texts))  # the first of a repeated single-valued field, as browsers send one
    return WatchPost(codes=[v for k, v in texts if k == CODE_FIELD],
                     slugs=[v for k, v in texts if k == SLUG_FIELD],
                     email=first.get(EMAIL_FIELD, "").strip()[:MAX_EMAIL + 1],
                     token=first.get(token_field, ""), honeypot=first.get(honeypot_field, ""))


def email_error(email: str) -> str | None:
    """The field message for an unusable address (in the page's language), None when it will do."""
    if len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email):
        return gettext(_BAD_EMAIL)
    try:
        Address(addr_spec=email)  # what the mail's To: header must carry (the outbox checks it again)
    except (ValueError, HeaderParseError):
        return gettext(_BAD_EMAIL)
    return None
