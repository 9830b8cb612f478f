"""Choose the search engine from settings: the embedded engine unless CNNT_MEILI_URL is set."""

from __future__ import annotations

from app.config import Settings
from search.engine import SearchEngine, SearchUnavailable

EMBEDDED, MEILISEARCH = "embedded", "meilisearch"  # the engines' names, as metrics label them


class SearchConfigurationError(RuntimeError):
    """The configured engine cannot be used; the message says what to change."""


def meili_unreachable_message(url: str, reason: str) -> str:
    """One bilingual start-up message: what failed, why, and the two ways out (never the key)."""
    return (
        f"Không dùng được Meilisearch tại {url} (CNNT_MEILI_URL) / Cannot use Meilisearch at {url}: "
        f"{reason}. Hãy kiểm tra máy chủ đang chạy và CNNT_MEILI_KEY, CNNT_MEILI_SEARCH_KEY đúng, hoặc bỏ "
        "CNNT_MEILI_URL để dùng chỉ mục nhúng. / Check that the server is running and CNNT_MEILI_KEY and "
        "CNNT_MEILI_SEARCH_KEY are right, or unset CNNT_MEILI_URL to use the embedded engine."
    )


def _open_meili(settings: Settings) -> SearchEngine:
    """A MeiliEngine that passed its health check, has the declared index settings and may search it.

    Without CNNT_MEILI_SEARCH_KEY the search key is looked up once the admin key has proved
    itself (ensure_index), so a wrong admin key gives its own message, not a key warning.
    """
    from search.meili import MeiliEngine  # late: the Meilisearch client loads only when it is configured

    engine = MeiliEngine(settings.meili_url, settings.meili_key, search_key=settings.meili_search_key,
                         index_uid=settings.meili_index)
    try:
        engine.health()
        engine.ensure_index()
        if not settings.meili_search_key:
            engine.find_search_key()
        engine.check_reads()
    except SearchUnavailable as error:
        engine.close()
        raise SearchConfigurationError(meili_unreachable_message(settings.meili_url, str(error))) from error
    return engine


def engine_name(settings: Settings) -> str:
    """The configured engine's name, as metrics label it: `meilisearch` or `embedded`."""
    return MEILISEARCH if settings.meili_url else EMBEDDED


def open_search_engine(settings: Settings) -> SearchEngine:
    """The engine the settings ask for, ready to use."""
    if settings.meili_url:
        return _open_meili(settings)
    from search.embedded import EmbeddedEngine  # late: a Meilisearch site never loads the embedded engine

    return EmbeddedEngine(settings.search_index_path)
