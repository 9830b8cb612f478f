"""Ids in paths: a number no row can have (beyond SQLite's 64-bit integers) is 404, never a 500.

The test walks every route of the assembled app, so a new route with an id parameter is covered
the day it is added; anonymous (public pages answer, office pages send to the login) and as admin.
"""

from __future__ import annotations

import re
import typing

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import csrf_of, make_user, sign_in
from tests.routes.walk import app_routes, path_params

HUGE_IDS = ("99999999999999999999", str(2**63), "0", "-1")


def _value(annotation: object) -> str:
    """A valid value for a path parameter that is not an integer (an action's first choice)."""
    if typing.get_origin(annotation) is typing.Literal:
        return str(typing.get_args(annotation)[0])
    return "x"


def id_urls(client: TestClient) -> list[tuple[str, str]]:
    """(method, path template) of every route with an integer path parameter."""
    found = []
    for route in app_routes(client.app):  # type: ignore[arg-type]
        params = path_params(getattr(route, "dependant", None))
        if any(annotation is int for annotation in params.values()):
            found.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return found


def _fill(template: str, params: dict[str, object], number: str) -> str:
    """The path with `number` for each integer parameter and a valid value for the others."""
    return re.sub(r"\{(\w+)\}", lambda m: number if params[m[1]] is int else _value(params[m[1]]), template)


def _walk(client: TestClient, token: str | None) -> dict[str, int]:
    """Status of each id route with each huge id."""
    routes = {route.path: path_params(getattr(route, "dependant", None)) for route in app_routes(client.app)}  # type: ignore[arg-type]
    statuses = {}
    for method, template in id_urls(client):
        for number in HUGE_IDS:
            url = _fill(template, routes[template], number)
            data = {"csrf_token": token} if token and method == "POST" else None
            statuses[f"{method} {url}"] = client.request(method, url, data=data,
                                                         follow_redirects=False).status_code
    return statuses


def test_every_id_route_is_walked(client: TestClient) -> None:
    paths = {path for _, path in id_urls(client)}
    assert {"/dot-binh-chon/{round_id}", "/quan-ly/san-pham/{product_id}", "/quan-ly/nhap/{batch_id}",
            "/quan-ly/giay-chung-nhan/{certificate_id}/thu-hoi",
            "/quan-ly/san-pham/{product_id}/anh/{image_id}/{action}"} <= paths


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_huge_ids_are_not_found(client: TestClient, session: Session, signed_in: bool) -> None:
    token = None
    if signed_in:
        sign_in(client, make_user(session, role="admin"))
        token = csrf_of(client, "/quan-ly/dot-binh-chon")
    statuses = _walk(client, token)
    assert not {url: status for url, status in statuses.items() if status >= 500}
    public = {url: status for url, status in statuses.items() if url.startswith("GET /dot-binh-chon/")}
    assert set(public.values()) == {404}, public
    if signed_in:
        office = {url: status for url, status in statuses.items() if "/quan-ly/" in url}
        assert set(office.values()) == {404}, office
