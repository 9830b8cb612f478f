"""The watch list's e-mails: the confirmation link, and the day's alerts with the list's table.

Every alert mail carries a one-click unsubscribe (RFC 8058): `List-Unsubscribe` with the signed
HTTPS link and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so a mail client's button
unsubscribes with one POST and no page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.models import MailMessage, WatchList
from app.services.mail import queue_mail
from app.services.watch.table import WatchRow
from app.services.watch.tokens import LinkPurpose, sign_link

CONFIRM_TEMPLATE = "watch_confirm"
ALERTS_TEMPLATE = "watch_alerts"
WATCH_PATH = "/theo-doi"


@dataclass(frozen=True, slots=True)
class WatchLinks:
    """The absolute links of one list: manage, unsubscribe, its feed and its calendar."""

    manage: str
    unsubscribe: str
    atom: str
    ics: str


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One alert in the day's message: what happened to which certificate."""

    row: WatchRow
    words: str


def watch_links(*, watch: WatchList, base_url: str, secret: str) -> WatchLinks:
    """The signed manage and unsubscribe links and the private feed URLs of `watch`."""
    base = f"{base_url.rstrip('/')}{WATCH_PATH}"

    def signed(purpose: LinkPurpose) -> str:
        return sign_link(secret=secret, purpose=purpose, list_id=watch.id or 0, feed_key=watch.feed_key)

    return WatchLinks(manage=f"{base}/quan-ly?t={signed(LinkPurpose.manage)}",
                      unsubscribe=f"{base}/huy?t={signed(LinkPurpose.unsubscribe)}",
                      atom=f"{base}/{watch.feed_key}.atom", ics=f"{base}/{watch.feed_key}.ics")


def queue_confirmation(*, session: Session, watch: WatchList, email: str, base_url: str, secret: str,
                       count: int) -> MailMessage | None:
    """The double opt-in message: the address is stored only when its link is followed (7 days)."""
    token = sign_link(secret=secret, purpose=LinkPurpose.confirm, list_id=watch.id or 0,
                      feed_key=watch.feed_key, email=email)
    context: dict[str, object] = {"confirm_url": f"{base_url.rstrip('/')}{WATCH_PATH}/xac-nhan?t={token}",
                                  "count": count}
    return queue_mail(session=session, to=email, template=CONFIRM_TEMPLATE, context=context,
                      dedupe_key=f"watch-confirm:{watch.id}")


def queue_alerts(*, session: Session, watch: WatchList, alerts: list[AlertLine], rows: list[WatchRow],
                 day: date, base_url: str, secret: str) -> MailMessage | None:
    """The day's one message of a list (None when today's was queued already)."""
    if watch.email is None:
        return None
    links = watch_links(watch=watch, base_url=base_url, secret=secret)
    context: dict[str, object] = {"alerts": alerts, "rows": rows, "links": links, "day": f"{day:%d/%m/%Y}"}
    headers = {"List-Unsubscribe": f"<{links.unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return queue_mail(session=session, to=watch.email, template=ALERTS_TEMPLATE, context=context,
                      dedupe_key=f"watch:{watch.id}:{day.isoformat()}", headers=headers)
