"""Static and media file serving with the cache headers each deserves.

Media variants are stored under their content hash, so a URL never changes meaning: they are
cached for a year as immutable. Packaged static files (CSS, JS) are linked by a fingerprinted
name, `app.3f2a9c1b0d.css`, whose middle part is the start of the file's SHA-256: that URL
can be cached as immutable too, because a changed file gets a new name. The plain name
(`app.css`) still answers, revalidated on every use; a fingerprint that is not the file's
current one is redirected to the current name and is never cached.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from functools import lru_cache
from pathlib import Path

import anyio.to_thread
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.config import PACKAGE_DIR

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
STATIC_DIR = PACKAGE_DIR / "static"
STATIC_PREFIX = "/static"
DIGEST_CHARS = 10
_FINGERPRINTED = re.compile(rf"(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_CHARS}}})(?P<ext>\.[A-Za-z0-9]+)")


class ImmutableFiles(StaticFiles):
    """StaticFiles whose responses are cacheable forever (content-addressed files)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Serve the file and mark successful answers immutable."""
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


@lru_cache(maxsize=256)
def _digest(full_path: str, mtime_ns: int, size: int) -> str:
    """The fingerprint of one version of a file (the stat values key the cache, so edits show)."""
    with open(full_path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:DIGEST_CHARS]


def file_digest(full_path: str | Path) -> str | None:
    """The fingerprint of a regular file; None when there is none."""
    try:
        found = os.stat(full_path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return _digest(str(full_path), found.st_mtime_ns, found.st_size)


def fingerprinted(path: str, directory: Path = STATIC_DIR) -> str:
    """`app.css` → `app.3f2a9c1b0d.css`; a file that does not exist keeps its plain name."""
    full = (directory / path).resolve()
    digest = file_digest(full) if full.is_relative_to(directory.resolve()) else None
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if digest is None or not (dot and stem):
        return path
    return f"{folder}/{stem}.{digest}.{ext}" if folder else f"{stem}.{digest}.{ext}"


class FingerprintedFiles(StaticFiles):
    """The packaged static files under their plain or fingerprinted names."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Immutable for the current fingerprint, revalidated for the plain name, redirected otherwise."""
        match = _FINGERPRINTED.fullmatch(path)
        if match is None or await self._is_file(path):
            return self._cached(await super().get_response(path, scope), REVALIDATE)
        plain = f"{match['stem']}{match['ext']}"
        full_path, _ = await anyio.to_thread.run_sync(self.lookup_path, plain)
        digest = await anyio.to_thread.run_sync(file_digest, full_path) if full_path else None
        if digest is None:
            return await super().get_response(path, scope)  # the 404 of a file that is not there
        if digest != match["digest"]:  # an old page asking for a file that has changed since
            current = f"{scope.get('root_path', '')}/{match['stem']}.{digest}{match['ext']}"
            return RedirectResponse(current.replace(os.sep, "/"), 302, headers={"Cache-Control": REVALIDATE})
        return self._cached(await super().get_response(plain, scope), IMMUTABLE)

    async def _is_file(self, path: str) -> bool:
        """True when `path` names a real file as it is (so a name that looks fingerprinted still works)."""
        _, found = await anyio.to_thread.run_sync(self.lookup_path, path)
        return found is not None and stat.S_ISREG(found.st_mode)

    @staticmethod
    def _cached(response: Response, policy: str) -> Response:
        """`response` with `policy` as its Cache-Control when the file was served (200 or 304)."""
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = policy
        return response
