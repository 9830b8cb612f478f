"""The og:image card of a product without a photo: /minh-hoa/v1/{kind}.{lang}.png.

Composed by Pillow the first time it is asked for and kept under the media folder; the URL
changes with CARD_VERSION, so the answer is cached forever (immutable).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from app.domain.illustrations import BY_CODE
from app.errors import NotFound
from app.files.illustration_card import CARD_VERSION, cached_card
from app.i18n import LANGUAGES, gettext, speaking
from app.web.deps import SettingsDep
from app.web.static_files import IMMUTABLE

router = APIRouter()
CARD_FOLDER = "minh-hoa"


@router.get(f"/minh-hoa/v{CARD_VERSION}/{{card}}.png", name="illustration_card")
async def illustration_card(card: str, settings: SettingsDep) -> FileResponse:
    """The 1200×630 PNG card of one kind, captioned in the language the name ends with."""
    code, _, lang = card.rpartition(".")
    kind = BY_CODE.get(code)
    if kind is None or lang not in LANGUAGES:
        raise NotFound(gettext("Không có hình minh họa này."))
    with speaking(lang):
        caption = gettext("Hình minh họa: %(kind)s") % {"kind": gettext(kind.label)}
    path = await run_in_threadpool(cached_card, settings.media_path / CARD_FOLDER, kind, lang, caption)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": IMMUTABLE,
                                                               "X-Content-Type-Options": "nosniff"})
