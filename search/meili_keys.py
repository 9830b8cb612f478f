"""Meilisearch API keys: an admin key the site writes with, a search-only key it reads with.

The master key never reaches the running site. `cnnt search create-keys` uses it once to make
two keys limited to the configured index: the admin key (documents, settings, tasks, and the
index swap of a full reindex, so it also covers the temporary `<index>_next_*` indexes) and a
search-only key. A site given only the admin key looks the search key up among the server's
keys, which needs `keys.get` (Meilisearch's Default Admin API Key has it, the created admin
key does not); failing that, it reads with the admin key and logs one warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError

from search.meili_errors import unavailable_on_error

log = logging.getLogger(__name__)

REBUILD_INFIX = "_next_"
# `search` too: a site whose search key cannot be found reads with this key (see above).
ADMIN_ACTIONS = ("documents.*", "indexes.*", "settings.*", "tasks.get", "search")
SEARCH_ACTIONS = ("search",)
KEYS_PAGE = 100
KEYS_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class SiteKeys:
    """The two keys a site runs with: `admin` for writes, `search` for reads."""

    admin: str
    search: str

    def env_lines(self) -> list[str]:
        """The keys as lines of a .env file (or shell assignments: the keys are hex)."""
        return [f"CNNT_MEILI_KEY={self.admin}", f"CNNT_MEILI_SEARCH_KEY={self.search}"]


def rebuild_prefix(index_uid: str) -> str:
    """How the temporary indexes of a full reindex of `index_uid` are named, before a unique suffix."""
    return f"{index_uid}{REBUILD_INFIX}"


def admin_key_indexes(index_uid: str) -> list[str]:
    """The index patterns the admin key needs: the live index and its reindex's temporary ones.

    Not `<index>*`: that would also open `products_staging` to production's key when two sites
    share a server.
    """
    return [index_uid, f"{rebuild_prefix(index_uid)}*"]


def covers(pattern: str, index_uid: str) -> bool:
    """True if a key's index pattern (`*`, an exact uid, or a prefix ending in `*`) includes the index."""
    if pattern.endswith("*"):
        return index_uid.startswith(pattern[:-1])
    return pattern == index_uid


def _all_keys(client: meilisearch.Client) -> Iterator[dict[str, Any]]:
    """Every key the client may list, a page at a time (raises MeilisearchApiError without `keys.get`).

    Raw JSON, not the client's `get_keys`: its model fails on any key whose `expiresAt` has no
    fraction of a second (`2030-01-01T00:00:00Z`, as a curl user would write it).
    """
    offset = 0
    while True:
        page: dict[str, Any] = client.http.get(f"keys?limit={KEYS_PAGE}&offset={offset}")
        results: list[dict[str, Any]] = page["results"]
        yield from results
        offset += len(results)
        if not results or offset >= int(page["total"]):
            return


def _expired(key: dict[str, Any], now: datetime) -> bool:
    """True once a key's `expiresAt` (ISO 8601, or null for never) has passed."""
    expires = key.get("expiresAt")
    return expires is not None and datetime.fromisoformat(str(expires)) <= now


def _search_only_for(key: dict[str, Any], index_uid: str, now: datetime) -> bool:
    """True for an unexpired key that may only search, and may search this index."""
    return (not _expired(key, now) and list(key["actions"]) == list(SEARCH_ACTIONS)
            and any(covers(pattern, index_uid) for pattern in key["indexes"]))


def find_search_key(client: meilisearch.Client, index_uid: str) -> str | None:
    """A search-only key for the index, the one naming it exactly first (e.g. made by create-keys),
    then any wider one (e.g. the Default Search API Key); None if there is none."""
    now = datetime.now(UTC)
    found = [key for key in _all_keys(client) if _search_only_for(key, index_uid, now)]
    found.sort(key=lambda key: index_uid not in key["indexes"])
    return str(found[0]["key"]) if found else None


def search_key_or_admin(client: meilisearch.Client, admin_key: str, index_uid: str) -> str:
    """find_search_key with the admin key's client; the admin key itself, with one warning, if none.

    Only Meilisearch's refusals fall back; a network error propagates, for the caller's message.
    """
    try:
        found = find_search_key(client, index_uid)
    except MeilisearchApiError as error:
        reason = f"the admin key may not list keys ({error.code})"
    else:
        if found is not None:
            return found
        reason = "the server has no search-only key for this index"
    log.warning("CNNT_MEILI_SEARCH_KEY is not set and %s: searches of index %r use the admin key "
                "CNNT_MEILI_KEY. `cnnt search create-keys` makes a search-only key.", reason, index_uid)
    return admin_key


def _key_name(role: str, index_uid: str) -> str:
    """The name create-keys gives a key, so a second run finds it again."""
    return f"cnnt {role}: {index_uid}"


def _matching(keys: list[dict[str, Any]], name: str, actions: tuple[str, ...],
              indexes: list[str]) -> str | None:
    """The value of a never-expiring key with this name, actions and indexes, if one exists."""
    for key in keys:
        if (key.get("name"), key["actions"], key["indexes"], key.get("expiresAt")) == \
                (name, list(actions), indexes, None):
            return str(key["key"])
    return None


def create_site_keys(url: str, master_key: str, index_uid: str) -> tuple[SiteKeys, bool]:
    """The site's two keys for `index_uid`, made with the master key; True if any was new.

    A key made by an earlier run (same name, actions and indexes) is reused, so running the
    command again prints the same keys instead of piling up new ones. Any client or network
    error raises SearchUnavailable.
    """
    master = meilisearch.Client(url, master_key, timeout=KEYS_TIMEOUT_S)
    with unavailable_on_error("creating keys"):
        return _create_site_keys(master, index_uid)


def _create_site_keys(master: meilisearch.Client, index_uid: str) -> tuple[SiteKeys, bool]:
    """create_site_keys on an open client."""
    existing = list(_all_keys(master))
    values: list[str] = []
    created = False
    for role, actions, indexes, purpose in (
        ("admin", ADMIN_ACTIONS, admin_key_indexes(index_uid), "writes: documents, settings, reindex"),
        ("search", SEARCH_ACTIONS, [index_uid], "reads: search only"),
    ):
        name = _key_name(role, index_uid)
        value = _matching(existing, name, actions, indexes)
        if value is None:
            key = master.create_key({"name": name, "description": f"CNNT catalog {purpose}",
                                     "actions": list(actions), "indexes": indexes, "expiresAt": None})
            value, created = str(key.key), True
        values.append(value)
    return SiteKeys(admin=values[0], search=values[1]), created
