"""The Meilisearch client's failures, turned into the one error the app handles: SearchUnavailable
(SearchUnreachable, its kind, when the server did not answer at all).

Shared by the engine (search/meili.py) and the key commands (search/meili_keys.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError

from search.engine import SearchUnavailable, SearchUnreachable

# ValueError covers pydantic's ValidationError of a malformed task; KeyError a malformed answer.
CLIENT_ERRORS = (MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError,
                 requests.RequestException, ValueError, KeyError)
# No answer at all: refused, reset or timed out (the client wraps requests' errors in its own).
UNREACHABLE_ERRORS = (MeilisearchCommunicationError, MeilisearchTimeoutError, requests.ConnectionError,
                      requests.Timeout)


@contextmanager
def unavailable_on_error(action: str) -> Iterator[None]:
    """Turn any client, connection or timeout error into SearchUnavailable naming the action
    (SearchUnreachable when the server did not answer at all)."""
    try:
        yield
    except UNREACHABLE_ERRORS as error:
        raise SearchUnreachable(f"Meilisearch: {action} failed: {error}") from error
    except CLIENT_ERRORS as error:
        raise SearchUnavailable(f"Meilisearch: {action} failed: {error}") from error
