"""The confirmation step of a destructive office action, without JavaScript.

The action's own form posts first without `xac_nhan`: the route answers with a page that restates
what will happen (with the values typed, as hidden fields) and a danger button that posts the same
form again with `xac_nhan=1`. Nothing changes before that second post.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.errors import InvalidInput
from app.services.office.account import Account
from app.web.templating import templates

CONFIRM_FIELD = "xac_nhan"


def confirmed(posted: Mapping[str, str]) -> bool:
    """True when the form was posted from its confirmation page."""
    return posted.get(CONFIRM_FIELD) == "1"


def refusal_of(session: Session, use_case: Callable[[], object]) -> InvalidInput | None:
    """Run the use-case and roll it back: why it would be refused, or None (checked before asking)."""
    try:
        use_case()
    except InvalidInput as error:
        return error
    finally:
        session.rollback()
    return None


def confirmation_page(request: Request, account: Account, *, title: str, lead: str,
                      facts: Sequence[tuple[str, str]], action: str, button: str, back: str,
                      fields: Mapping[str, str] | None = None) -> Response:
    """A page restating the action (facts as label, value) with its confirm button and a way back."""
    context = {"account": account, "title": title, "lead": lead, "facts": facts, "action": action,
               "button": button, "back": back, "fields": dict(fields or {}), "confirm_field": CONFIRM_FIELD}
    return templates.TemplateResponse(request, "admin/confirm.html", context)
