"""Every route of the assembled app, for tests that must hold on all of them (ids, HEAD).

FastAPI 0.16x keeps included routers as branches resolved lazily; their effective routes carry
the full path, the methods and the dependant (with the path parameters of every dependency).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import Route


def app_routes(app: FastAPI) -> Iterator[Any]:
    """Each endpoint route (path, methods; a dependant unless a plain Starlette route such as
    /openapi.json), included routers flattened; mounted file trees are not routes."""
    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "effective_candidates"):
                yield from walk(route.effective_candidates())
            elif isinstance(route, (APIRoute, Route)) or hasattr(route, "dependant"):
                yield route
    yield from walk(list(app.routes))


def path_params(dependant: Dependant | None) -> dict[str, Any]:
    """Name → annotation of every path parameter the route or one of its dependencies declares."""
    if dependant is None:
        return {}
    found = {field.name: field.field_info.annotation for field in dependant.path_params}
    for sub in dependant.dependencies:
        found.update(path_params(sub))
    return found
