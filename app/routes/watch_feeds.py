"""A watch list's private feeds: `/theo-doi/{feed_key}.atom` (its alerts) and `.ics` (its end dates).

The random feed key is the whole secret (no signed link: calendar apps poll a fixed URL); an unknown
key is a 404 like any missing page. The answers are not cached by shared caches.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.errors import NotFound
from app.models import WatchList, utcnow
from app.services.watch.feeds import alerts_feed, calendar
from app.services.watch.lists import confirmed_by_feed_key
from app.services.watch.table import watch_rows
from app.web.deps import SessionDep, SettingsDep, TodayDep
from app.web.templating import templates

router = APIRouter()
ATOM = "application/atom+xml; charset=utf-8"
ICS = "text/calendar; charset=utf-8"
PRIVATE = "private, no-cache"


def _confirmed(session: Session, feed_key: str) -> WatchList:
    """The confirmed list with this feed key, or NotFound."""
    watch = confirmed_by_feed_key(session=session, feed_key=feed_key)
    if watch is None:
        raise NotFound("Không có danh sách theo dõi này.")
    return watch


@router.get("/theo-doi/{feed_key}.atom", name="watch_atom")
def watch_atom(request: Request, feed_key: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The list's alerts, newest first, as Atom."""
    watch = _confirmed(session, feed_key)
    feed = alerts_feed(session=session, watch=watch, base_url=settings.public_base_url)
    response = templates.TemplateResponse(request, "watch/feed.atom.xml", {"feed": feed}, media_type=ATOM)
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.get("/theo-doi/{feed_key}.ics", name="watch_ics")
def watch_ics(feed_key: str, session: SessionDep, settings: SettingsDep, today: TodayDep) -> Response:
    """The list's certificates' end dates with reminders, as iCalendar."""
    rows = watch_rows(session=session, watch=_confirmed(session, feed_key), today=today)
    body = calendar(rows=rows, base_url=settings.public_base_url, now=utcnow())
    return Response(body.encode(), media_type=ICS, headers={"Cache-Control": PRIVATE})
