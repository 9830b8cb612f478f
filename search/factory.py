"""Choose the search engine from settings: embedded FTS5 unless CNNT_MEILI_URL is set."""

from __future__ import annotations

from app.config import Settings
from search.engine import SearchEngine


class SearchConfigurationError(RuntimeError):
    """The configured engine cannot be used; the message says what to change."""


def open_search_engine(settings: Settings) -> SearchEngine:
    """The engine the settings ask for, ready to use."""
    if settings.meili_url:
        raise SearchConfigurationError(
            "CNNT_MEILI_URL is set, but the Meilisearch engine is not part of this version yet; "
            "unset it to use the embedded engine."
        )
    from search.embedded import EmbeddedEngine

    return EmbeddedEngine(settings.search_index_path)
