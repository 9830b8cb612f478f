"""The Meilisearch engine: the SearchEngine protocol over the official `meilisearch` client.

Settings are declared in search/meili_settings.py and applied at start-up only when they
differ. A search is one multi-search call (search/meili_query.py), sent with the search-only
key; writes go with the admin key (search/meili_keys.py). Every client, network or
timeout error becomes SearchUnavailable (SearchUnreachable when the server did not answer);
writes wait for their task, so a failed write raises and the outbox keeps its rows.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchTimeoutError

from search.documents import ProductDocument
from search.engine import SearchQuery, SearchResult, SearchUnavailable
from search.meili_errors import unavailable_on_error
from search.meili_keys import rebuild_prefix, search_key_or_admin
from search.meili_query import (
    build_requests,
    exact_page,
    known_word_probes,
    page_hits,
    parse_responses,
    typed_diacritic_words,
    typo_candidates,
)
from search.meili_settings import index_settings, meili_document, settings_diff

log = logging.getLogger(__name__)
# How long a visitor's search (and the health probe) may wait for an answer. A search of this
# catalog answers in milliseconds (BENCHMARKS.md), so 2 s of silence means a hung server: the page
# falls back to the database and search/reconnecting.py stops asking it.
SEARCH_TIMEOUT_S = 2.0
# Any other request (writes, settings, documents, task polls): not a visitor's wait, and a
# 1,000-document upsert is sent in one request.
REQUEST_TIMEOUT_S = 5.0
UPSERT_BATCH = 1000
# How long a write waits for its task. Measured on the 2-CPU test machine with Meilisearch 1.21.0
# and the test suite running beside it: a 1,000-document upsert task took 0.5-2.3 s (ten batches);
# the wait also covers the tasks queued before it, so it is sized far above that, not at the
# request timeout (5 s), which a busy machine exceeded during a reindex.
TASK_TIMEOUT_S = 120.0
FINGERPRINT_PAGE = 1000
DELETE_BATCH = 1000


class MeiliEngine:
    """SearchEngine on one Meilisearch index; searches and the health check time out after
    `timeout_s`, other requests after `request_timeout_s`, writes wait for their task up to
    `task_timeout_s`.

    Two clients: writes (documents, settings, tasks, swaps) go with `key`, the admin key; reads
    (search, multi-search, health) with `search_key`, a search-only key, when one is given.
    """

    def __init__(self, url: str, key: str, *, search_key: str = "", index_uid: str = "products",
                 timeout_s: float = SEARCH_TIMEOUT_S, request_timeout_s: float = REQUEST_TIMEOUT_S,
                 task_timeout_s: float = TASK_TIMEOUT_S) -> None:
        self.url = url
        self.index_uid = index_uid
        self.timeout_s = timeout_s
        self.task_timeout_s = max(task_timeout_s, timeout_s, request_timeout_s)
        self._admin_key = key
        self._writer = self._new_client(key, max(timeout_s, request_timeout_s))
        self._reader = self._new_client(search_key or key, timeout_s)  # what a visitor waits for
        self._index = self._writer.index(index_uid)
        self._closed = False

    def _new_client(self, key: str, timeout_s: float) -> meilisearch.Client:
        """A client on the server with `key` (none when empty) whose requests give up after `timeout_s`."""
        # the client takes whole seconds; never 0, which `requests` reads as "fail at once"
        return meilisearch.Client(self.url, key or None, timeout=max(1, math.ceil(timeout_s)))

    @property
    def api_keys(self) -> tuple[str, str]:
        """The keys the (writing, reading) clients hold, so a test can prove which ones the site uses."""
        return self._writer.config.api_key or "", self._reader.config.api_key or ""

    def _check_open(self) -> None:
        """Refuse work after close(), as the embedded engine does."""
        if self._closed:
            raise SearchUnavailable("the Meilisearch engine is closed")

    def _wait(self, task_uid: int, action: str, *, harmless: str = "") -> None:
        """Wait for a task; a failed, cancelled or unfinished task raises SearchUnavailable, unless it
        failed with the error code `harmless`."""
        try:
            task = self._writer.wait_for_task(task_uid, timeout_in_ms=int(self.task_timeout_s * 1000))
        except MeilisearchTimeoutError as error:
            if error.__cause__ is not None:  # a poll timed out: the server did not answer
                raise
            # the wait's own deadline: the server answers, its queue is slow; not an outage
            raise SearchUnavailable(f"Meilisearch: {action} task {task_uid} unfinished after "
                                    f"{self.task_timeout_s:.0f} s") from error
        if task.status == "succeeded" or (harmless and (task.error or {}).get("code") == harmless):
            return
        raise SearchUnavailable(f"Meilisearch: {action} task {task_uid} {task.status}: {task.error}")

    def health(self) -> None:
        """Raise SearchUnavailable unless the server answers its health check."""
        self._check_open()
        with unavailable_on_error("health check"):
            self._reader.health()

    def ensure_index(self) -> bool:
        """Create the index if needed and apply the declared settings if they differ; True if changed."""
        self._check_open()
        with unavailable_on_error(f"preparing index {self.index_uid!r}"):
            try:
                current = self._index.get_settings()
            except MeilisearchApiError as error:
                if error.code != "index_not_found":
                    raise
                # app processes starting together all find no index and all create it: one wins
                self._wait(self._writer.create_index(self.index_uid, {"primaryKey": "id"}).task_uid,
                           "create index", harmless="index_already_exists")
                current = self._index.get_settings()
            changes = settings_diff(index_settings(), current)
            if changes:
                self._wait(self._index.update_settings(changes).task_uid, "update settings")
        return bool(changes)

    def find_search_key(self) -> None:
        """Read with a search-only key the admin key finds on the server, else go on with the admin key
        after one warning (search/meili_keys.py): for a site given no CNNT_MEILI_SEARCH_KEY."""
        self._check_open()
        with unavailable_on_error("listing keys"):
            key = search_key_or_admin(self._writer, self._admin_key, self.index_uid)
        self._reader = self._new_client(key, self.timeout_s)

    def check_reads(self) -> None:
        """Raise SearchUnavailable unless the reading client may search the index (a wrong search key)."""
        self._check_open()
        with unavailable_on_error(f"searching index {self.index_uid!r}"):
            self._reader.multi_search([{"indexUid": self.index_uid, "q": "", "hitsPerPage": 0}])

    def upsert(self, documents: Sequence[ProductDocument]) -> None:
        """Add or replace documents by `id`, in batches, each awaited."""
        self._check_open()
        self._add(self._index, documents)

    def _add(self, index: Any, documents: Sequence[ProductDocument]) -> None:
        """Add documents to `index` (the live one or a rebuild's) in batches, each awaited."""
        with unavailable_on_error(f"adding documents to {index.uid!r}"):
            for start in range(0, len(documents), UPSERT_BATCH):
                batch = [meili_document(doc) for doc in documents[start:start + UPSERT_BATCH]]
                self._wait(index.add_documents(batch, primary_key="id").task_uid, "upsert")

    def delete(self, ids: Iterable[int]) -> None:
        """Remove documents by product id (missing ids are ignored), by an `id IN [...]` filter."""
        self._check_open()
        id_list = [int(i) for i in ids]
        with unavailable_on_error("delete"):
            for start in range(0, len(id_list), DELETE_BATCH):
                batch = ", ".join(str(i) for i in id_list[start:start + DELETE_BATCH])
                self._wait(self._index.delete_documents(filter=f"id IN [{batch}]").task_uid, "delete")

    def clear(self) -> None:
        """Remove every document (settings stay)."""
        self._check_open()
        with unavailable_on_error("clear"):
            self._wait(self._index.delete_all_documents().task_uid, "clear")

    def replace_all(self, batches: Iterable[Sequence[ProductDocument]]) -> int:
        """Fill a new index from `batches`, then swap it with the live one; returns how many documents.

        Searches see the old documents or the new ones, never a half-filled index. The live
        index is created first if missing (a swap needs both). Any failure, `batches` raising
        included, deletes the new index and leaves the live one as it was.
        """
        self.ensure_index()
        rebuild = f"{rebuild_prefix(self.index_uid)}{secrets.token_hex(4)}"  # unique: runs never share one
        try:
            created = self._create_rebuild_index(rebuild)
            written = 0
            for documents in batches:
                self._add(self._writer.index(rebuild), documents)
                written += len(documents)
            self._swap_in(rebuild, created)
        except BaseException:  # cleanup only: the error goes on to the caller
            self._drop_rebuild_index(rebuild)
            raise
        return written

    def _create_rebuild_index(self, uid: str) -> str:
        """Create an index with the declared settings for a rebuild; returns its `createdAt`."""
        with unavailable_on_error(f"creating index {uid!r}"):
            self._wait(self._writer.create_index(uid, {"primaryKey": "id"}).task_uid, "create index")
            self._wait(self._writer.index(uid).update_settings(index_settings()).task_uid, "update settings")
            return str(self._writer.get_raw_index(uid)["createdAt"])

    def _swap_in(self, rebuild: str, created: str) -> None:
        """Swap the filled index with the live one, delete the old one (now named `rebuild`), check.

        The swap's own task cannot be awaited: it belongs to no index, so a key limited to some
        indexes cannot read it (meilisearch/meilisearch#4103). The deletion queued after it runs
        after it; then the live index must be the one created for this rebuild.
        """
        with unavailable_on_error(f"swapping {rebuild!r} in"):
            swap = self._writer.swap_indexes([{"indexes": [self.index_uid, rebuild]}])
            self._wait(self._writer.delete_index(rebuild).task_uid, "delete the previous index")
            live = str(self._writer.get_raw_index(self.index_uid)["createdAt"])
        if live != created:
            raise SearchUnavailable(f"Meilisearch: swap task {swap.task_uid} did not put {rebuild!r} "
                                    f"in place of {self.index_uid!r}")

    def _drop_rebuild_index(self, uid: str) -> None:
        """Delete a failed rebuild's index if it exists; a failure here is logged, the first error raised."""
        try:
            with unavailable_on_error(f"deleting index {uid!r}"):
                task = self._writer.wait_for_task(self._writer.delete_index(uid).task_uid,
                                                  timeout_in_ms=int(self.task_timeout_s * 1000))
        except SearchUnavailable as error:
            log.warning("temporary index not deleted (delete it by hand): %s", error)
            return
        if task.status != "succeeded" and (task.error or {}).get("code") != "index_not_found":
            log.warning("temporary index %r not deleted (delete it by hand): %s", uid, task.error)

    def _known_words(self, query: SearchQuery) -> list[str]:
        """The query's long words that some document holds as typed (one multi-search; none asked if none)."""
        candidates = typo_candidates(query.text)
        if not candidates:
            return []
        answer: dict[str, Any] = self._reader.multi_search(known_word_probes(candidates, self.index_uid))
        return [word for word, result in zip(candidates, answer["results"], strict=True)
                if int(result.get("totalHits", 0)) > 0]

    def search(self, query: SearchQuery) -> SearchResult:
        """Exact total and disjunctive facet counts from one multi-search call, with the page of hits;
        a probe first for long words, and a federated page when words were typed with diacritics."""
        self._check_open()
        with unavailable_on_error("search"):
            known, exact = self._known_words(query), typed_diacritic_words(query)
            labelled = build_requests(query, self.index_uid, known=known, with_hits=not exact)
            answer: dict[str, Any] = self._reader.multi_search([r.body for r in labelled])
            result = parse_responses(labelled, list(answer["results"]))
            if not exact or not result.total:
                return result
            queries, federation = exact_page(query, self.index_uid, known=known, exact=exact)
            federated: dict[str, Any] = self._reader.multi_search(queries, federation=federation)
            return dataclasses.replace(result, hits=page_hits(federated))

    def cached(self, query: SearchQuery) -> SearchResult | None:
        """None: every search asks the server (its own caches are on the server side)."""
        return None

    def fingerprints(self) -> dict[int, str]:
        """Product id → fingerprint of every indexed document, a page at a time."""
        self._check_open()
        found: dict[int, str] = {}
        with unavailable_on_error("reading fingerprints"):
            offset = 0
            while True:
                page = self._index.get_documents(
                    {"fields": ["id", "fingerprint"], "limit": FINGERPRINT_PAGE, "offset": offset})
                for document in page.results:
                    fields = dict(document)
                    found[int(fields["id"])] = str(fields["fingerprint"])
                offset += len(page.results)
                if not page.results or offset >= page.total:
                    return found

    def close(self) -> None:
        """Forget the client; later calls raise SearchUnavailable."""
        self._closed = True
