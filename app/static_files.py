"""Static and media file serving with the cache headers each deserves.

Media variants are stored under their content hash, so a URL never changes meaning:
they are cached for a year as immutable.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"


class ImmutableFiles(StaticFiles):
    """StaticFiles whose responses are cacheable forever (content-addressed files)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Serve the file and mark successful answers immutable."""
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response
