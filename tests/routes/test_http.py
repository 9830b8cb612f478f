"""HTTP done right: compression, ETag and 304, fingerprinted static files, security headers, size limits."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date

import brotli
import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from app.config import PACKAGE_DIR, Settings
from app.files.media import variant_dir, write_atomically
from app.main import create_app
from app.models import Certificate, Product
from app.web.revalidation import RevalidatedPages
from search.indexer import apply_outbox
from tests.factories import make_product

IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}
MB = 1024 * 1024


@pytest.fixture
def product(client: TestClient, session: Session) -> Product:
    """One published, indexed product with a valid certificate."""
    made = make_product(session, name="Bánh tráng phơi sương", province_slug="tay-ninh",
                        issued_on=date(2025, 5, 1), description="Bánh tráng phơi sương Trảng Bàng. " * 40)
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]
    return made


def code_of(session: Session, product: Product) -> str:
    """The verification code of the product's certificate."""
    return session.exec(select(Certificate.code).where(Certificate.product_id == product.id)).one()


def raw_get(client: TestClient, url: str, encoding: str) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent (not decoded), asking for `encoding`."""
    with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as response:
        return response, b"".join(response.iter_raw())


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header parsed into {directive: [sources]}."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name.lower()] = sources
    return parsed


# --- compression ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/san-pham", "/api/v1/products"])
def test_text_is_compressed_and_decodes_to_the_same_body(client: TestClient, product: Product,
                                                         path: str) -> None:
    plain, plain_body = raw_get(client, path, "identity")
    zipped, zipped_body = raw_get(client, path, "gzip")
    brotlied, brotli_body = raw_get(client, path, "br")
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert brotlied.headers["content-encoding"] == "br"
    assert gzip.decompress(zipped_body) == plain_body == brotli.decompress(brotli_body)
    assert len(zipped_body) < len(plain_body)
    assert "Accept-Encoding" in zipped.headers["vary"]


def test_streamed_csv_export_is_compressed_as_it_streams(client: TestClient, product: Product) -> None:
    plain, plain_body = raw_get(client, "/san-pham.csv", "identity")
    zipped, zipped_body = raw_get(client, "/san-pham.csv", "gzip")
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-length" not in zipped.headers  # streamed, not buffered
    assert gzip.decompress(zipped_body) == plain_body and "Bánh tráng".encode() in plain_body


def test_images_spreadsheets_and_pdfs_are_never_recompressed(client: TestClient, session: Session,
                                                             settings: Settings, product: Product) -> None:
    content_hash = "cd" + "1" * 62
    write_atomically(variant_dir(settings.media_path, content_hash) / "640.webp", b"RIFF" + b"\0" * 4000)
    code = code_of(session, product)
    for url in (f"/ma/{code}/qr.png", f"/ma/{code}/nhan.pdf", "/san-pham.xlsx",
                f"/media/cd/{content_hash}/640.webp"):
        response, body = raw_get(client, url, "gzip, br, zstd")
        assert response.status_code == 200, url
        assert "content-encoding" not in response.headers, url
        assert len(body) > 500, url


# --- ETag and 304 --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/san-pham/{slug}", "/api/v1/products/{slug}", "/en/san-pham/{slug}"])
def test_unchanged_pages_answer_304_and_changed_ones_a_new_etag(client: TestClient, session: Session,
                                                                product: Product, url: str) -> None:
    url = url.format(slug=product.slug)
    first = client.get(url)
    etag = first.headers["etag"]
    assert first.status_code == 200 and re.fullmatch(r'W/"[0-9a-f]{32}"', etag)
    assert first.headers["cache-control"] == "no-cache"

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == "no-cache"
    assert "Accept-Encoding" in again.headers["vary"]
    assert again.headers["x-content-type-options"] == "nosniff"
    assert client.get(url, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304

    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag

    product.name = "Bánh tráng phơi sương Trảng Bàng"
    session.add(product)
    session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "Trảng Bàng" in changed.text


def test_other_pages_and_errors_have_no_etag(client: TestClient, product: Product) -> None:
    assert "etag" not in client.get("/tra-cuu").headers
    missing = client.get("/san-pham/khong-co-san-pham-nay")
    assert missing.status_code == 404 and "etag" not in missing.headers
    assert "etag" not in client.get("/api/v1/products/khong-co").headers


def test_a_streamed_answer_on_a_revalidated_path_is_passed_through_unbuffered() -> None:
    chunks: list[bytes] = [b"a" * 1000, b"b" * 1000]

    async def stream(request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk
        return StreamingResponse(body(), media_type="text/csv")

    app = RevalidatedPages(Starlette(routes=[Route("/api/v1/dump", stream)]), paths=re.compile(r"/api/v1/.+"))
    with TestClient(app) as client, client.stream("GET", "/api/v1/dump") as response:
        received = list(response.iter_bytes())
    assert "etag" not in response.headers and b"".join(received) == b"".join(chunks)


# --- fingerprinted static files ------------------------------------------------------------------

def test_static_files_are_linked_by_fingerprint_and_cached_as_immutable(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/").text, "html.parser")
    urls = [tag["href"] for tag in page.select("link[rel=stylesheet]")]
    urls += [tag["src"] for tag in page.select("script[src]")]
    assert len(urls) >= 2
    for url in urls:
        match = re.fullmatch(r"/static/(?P<stem>[\w.-]+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.\w+)", str(url))
        assert match, url
        on_disk = (PACKAGE_DIR / "static" / f"{match['stem']}{match['ext']}").read_bytes()
        assert hashlib.sha256(on_disk).hexdigest().startswith(match["digest"])
        response = client.get(str(url))
        assert response.status_code == 200 and response.content == on_disk
        assert response.headers["cache-control"] == IMMUTABLE


def test_plain_and_stale_static_names_are_never_immutable(client: TestClient) -> None:
    plain = client.get("/static/app.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    stale = client.get("/static/app.0123456789.css", follow_redirects=False)
    assert stale.status_code == 302 and "immutable" not in stale.headers.get("cache-control", "")
    current = client.get(stale.headers["location"])
    assert current.headers["cache-control"] == IMMUTABLE and current.content == plain.content
    missing = client.get("/static/nothing.0123456789.css")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")


def test_media_keeps_its_immutable_caching(client: TestClient, settings: Settings) -> None:
    content_hash = "ef" + "2" * 62
    write_atomically(variant_dir(settings.media_path, content_hash) / "320.jpg", b"\xff\xd8" + b"\0" * 100)
    assert client.get(f"/media/ef/{content_hash}/320.jpg").headers["cache-control"] == IMMUTABLE


# --- security headers ----------------------------------------------------------------------------

@pytest.fixture
def failing_client(settings: Settings) -> Iterator[TestClient]:
    """The app with one extra route that fails, answered by the site's 500 page."""
    app = create_app(settings)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/loi-thu-nghiem", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(("path", "status", "kind"), [
    ("/", 200, "text/html"), ("/api/v1/products", 200, "application/json"),
    ("/khong-co-trang-nay", 404, "text/html"), ("/api/v1/products/khong-co", 404, "application/json"),
    ("/loi-thu-nghiem", 500, "text/html"), ("/san-pham?q=" + "a" * 20_000, 414, "text/plain"),
    ("/static/app.css", 200, "text/css"),
])
def test_every_response_carries_the_security_headers(failing_client: TestClient, path: str, status: int,
                                                     kind: str) -> None:
    response = failing_client.get(path)
    assert response.status_code == status and response.headers["content-type"].startswith(kind)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "camera=()" in response.headers["permissions-policy"]
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("path", ["/", "/san-pham", "/tra-cuu", "/api/v1/products", "/docs", "/redoc"])
def test_csp_allows_no_inline_code_or_eval(client: TestClient, path: str) -> None:
    policy = directives(client.get(path).headers["content-security-policy"])
    for name in ("default-src", "script-src", "style-src"):
        assert name in policy
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy[name]), (name, policy[name])


def test_swagger_page_allows_exactly_its_inline_script(client: TestClient) -> None:
    response = client.get("/docs")
    [inline] = [s.string for s in BeautifulSoup(response.text, "html.parser").select("script:not([src])")]
    digest = base64.b64encode(hashlib.sha256(str(inline).encode()).digest()).decode()
    assert directives(response.headers["content-security-policy"])["script-src"] == [
        "'self'", "https://cdn.jsdelivr.net", f"'sha256-{digest}'"]


def test_redoc_page_gets_a_fresh_nonce_for_its_init_script(client: TestClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/redoc")
        [inline] = BeautifulSoup(response.text, "html.parser").select("script:not([src])")
        nonce = f"'nonce-{inline['nonce']}'"
        policy = directives(response.headers["content-security-policy"])
        assert nonce in policy["script-src"] and nonce in policy["style-src"]
        assert response.headers["cache-control"] == "no-store"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_hsts_only_for_a_production_site_behind_https(settings: Settings) -> None:
    def hsts(**overrides: str) -> str | None:
        site = Settings(data_dir=settings.data_dir, database_url=settings.database_url, **overrides)  # type: ignore[arg-type]
        with TestClient(create_app(site)) as client:
            value: str | None = client.get("/robots.txt").headers.get("strict-transport-security")
            return value

    assert hsts() is None
    assert hsts(base_url="https://cnnt.example") is None  # not in production
    secret = "a-real-secret-for-this-test-only-0123456789"
    assert hsts(env="production", secret_key=secret, base_url="http://cnnt.example") is None
    value = hsts(env="production", secret_key=secret, base_url="https://cnnt.example")
    assert value is not None and int(re.fullmatch(r"max-age=(\d+)", value)[1]) >= 31536000  # type: ignore[index]


# --- oversized requests --------------------------------------------------------------------------

def chunked(total: int, size: int = 256 * 1024) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked), `total` bytes of form data."""
    yield b"sp="
    for _ in range(total // size):
        yield b"a" * size


def test_declared_body_over_the_default_cap_is_refused_unread(client: TestClient) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded", "content-length": str(2 * MB)}
    response = client.post("/danh-sach-chon/them", content=b"sp=x", headers=headers)
    assert response.status_code == 413 and response.headers["content-type"].startswith("text/html")
    message = BeautifulSoup(response.text, "html.parser").select_one(".error-page__message")
    assert message is not None and "quá lớn (tối đa 1 MB)" in message.get_text()


def test_chunked_body_over_the_default_cap_is_cut_off(client: TestClient) -> None:
    response = client.post("/danh-sach-chon/them", content=chunked(3 * MB),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "tối đa 1 MB" in response.text


def test_api_refuses_large_bodies_in_json(client: TestClient) -> None:
    response = client.post("/api/v1/products", content=b"{}", headers={"content-length": str(5 * MB)})
    assert response.status_code == 413 and "tối đa 1 MB" in response.json()["detail"]


def test_upload_routes_accept_more_but_not_without_end(client: TestClient) -> None:
    photo = ("anh.jpg", b"\xff\xd8" + b"\0" * (2 * MB), "image/jpeg")
    within = client.post("/bao-cao", data={"ma": "ABCD"}, files={"anh": photo})
    assert within.status_code != 413  # over the default cap, within the report's allowance

    multipart = {"content-type": "multipart/form-data; boundary=b"}
    for url, declared in (("/bao-cao", 23 * MB), ("/quan-ly/san-pham/1/anh", 102 * MB),
                          ("/quan-ly/dot-binh-chon/1/nhap", 12 * MB)):
        headers = {**multipart, "content-length": str(declared)}
        response = client.post(url, content=b"--b--\r\n", headers=headers)
        assert response.status_code == 413, url  # refused before sign-in is even checked
        assert "quá lớn" in response.text


def test_long_urls_get_414_never_500(client: TestClient, product: Product) -> None:
    assert client.get("/san-pham", params={"q": "banh " * 2000}).status_code < 500  # 10 KB: under the cap
    assert client.get("/api/v1/products", params={"q": "a" * 10_000}).status_code == 422
    long = client.get("/san-pham", params={"q": "a" * 20_000})
    assert long.status_code == 414 and "quá dài" in long.text
    api = client.get("/api/v1/products", params={"q": "a" * 20_000})
    assert api.status_code == 414 and "quá dài" in api.json()["detail"]
