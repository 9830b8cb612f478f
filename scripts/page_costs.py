"""Where a catalog page's time goes: CPU per request of the search use-case and of the Jinja render.

Run by scripts/bench_load.py in the benchmark catalog's environment (CNNT_DATA_DIR): one thread,
in-process, no HTTP, after one pass over the queries that fills the search result cache. Prints
one JSON object: {"search_ms": …, "render_ms": …}.

    python scripts/page_costs.py '["q=gốm", "province=ha-noi"]' 500
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from urllib.parse import parse_qs, quote

from sqlmodel import Session
from starlette.requests import Request

from app.config import Settings
from app.db import make_engine
from app.domain.validity import today_in
from app.main import create_app
from app.services.catalog.search_results import search_catalog
from app.web import facet_links as facets
from app.web.search_params import RawSearchParams, build_search_query
from app.web.templating import templates
from search.factory import open_search_engine


def raw_params(query_string: str) -> RawSearchParams:
    """The catalog route's raw parameters of a query string."""
    params = parse_qs(query_string)

    def one(name: str) -> str:
        return params.get(name, [""])[0]

    return RawSearchParams(q=one("q"), province=tuple(params.get("province", [])),
                           group=tuple(params.get("group", [])), level=tuple(params.get("level", [])),
                           year=tuple(params.get("year", [])), status=one("status"), sort=one("sort"),
                           page=one("page"), per_page="")


def catalog_request(app: object, query_string: str) -> Request:
    """A GET /san-pham request as the route receives it."""
    return Request({"type": "http", "method": "GET", "path": "/san-pham", "raw_path": b"/san-pham",
                    "query_string": quote(query_string, safe="=&+").encode(), "root_path": "",
                    "headers": [(b"host", b"127.0.0.1")], "scheme": "http", "server": ("127.0.0.1", 80),
                    "app": app, "state": {}})


def measure(mix: Sequence[str], requests: int) -> dict[str, float]:
    """Mean CPU milliseconds per request of the search use-case and of the render, over `requests`."""
    settings = Settings()
    app, today = create_app(settings), today_in(settings.tz)  # the app registers the template globals
    engine, search = make_engine(settings.sqlalchemy_url), open_search_engine(settings)
    template = templates.get_template("catalog/index.html")
    search_s = render_s = 0.0
    try:
        with Session(engine) as session:
            for n in range(len(mix) + requests):
                query_string = mix[n % len(mix)]
                request = catalog_request(app, query_string)
                started = time.process_time()
                query = build_search_query(raw_params(query_string), today=today,
                                           default_per_page=facets.DEFAULT_PER_PAGE)
                page = search_catalog(session=session, engine=search, query=query)
                searched = time.process_time()
                template.render(page=page, query=query, facets=facets, today=today, request=request)
                if n >= len(mix):  # the first pass fills the cache
                    search_s += searched - started
                    render_s += time.process_time() - searched
    finally:
        search.close()
        engine.dispose()
    return {"search_ms": search_s / requests * 1000, "render_ms": render_s / requests * 1000}


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]), int(sys.argv[2]))))
