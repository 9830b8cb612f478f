"""Path traversal: media, static files, badge and verification URLs never serve a file outside
their folder, whatever the encoding; report photos under <DATA_DIR>/private are never served.

Literal `..` segments are sent straight to the ASGI app, as a server passes them on: an HTTP
client would normalise them away before they left it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import PACKAGE_DIR, Settings
from app.files.media import variant_dir, write_atomically

SECRET = b"never-serve-this-secret"
CONTENT_HASH = "ab" + "0" * 62


def raw_get(app: FastAPI, raw_path: bytes) -> tuple[int, bytes]:
    """GET `raw_path` exactly as sent on the wire: `path` decoded the way uvicorn decodes it."""
    path, _, query = raw_path.partition(b"?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": unquote(path.decode("latin-1")), "raw_path": path, "query_string": query, "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }
    sent: list[dict[str, object]] = []
    requested: list[bool] = []

    async def receive() -> dict[str, object]:
        """The (empty) request once; then, like a client still connected, nothing more."""
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = next(int(m["status"]) for m in sent if m["type"] == "http.response.start")  # type: ignore[call-overload]
    return status, b"".join(bytes(m.get("body", b"")) for m in sent if m["type"] == "http.response.body")  # type: ignore[arg-type]


@pytest.fixture
def planted(client: TestClient, settings: Settings) -> Path:
    """Secrets beside the media folder: a file, a report photo in private/, a symlink out of media/."""
    write_atomically(variant_dir(settings.media_path, CONTENT_HASH) / "320.jpg", b"\xff\xd8 a real variant")
    (settings.data_dir / "secret.txt").write_bytes(SECRET)
    report = settings.data_dir / "private" / "reports" / "ab"
    report.mkdir(parents=True)
    (report / "anh.jpg").write_bytes(SECRET)
    (settings.media_path / "ra-ngoai").symlink_to(settings.data_dir, target_is_directory=True)
    return settings.data_dir


TRAVERSALS = [
    "/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/%2E%2E/secret.txt", "/media/..%2fsecret.txt",
    "/media/%2e%2e%2fsecret.txt", "/media/%252e%252e/secret.txt", "/media/%252e%252e%252fsecret.txt",
    "/media/..%5csecret.txt", "/media/..\\secret.txt", "/media/ab/../../secret.txt", "/media/./../secret.txt",
    "/media/%2e%2e/private/reports/ab/anh.jpg", "/media/../private/reports/ab/anh.jpg",
    "/media/ra-ngoai/secret.txt", "/media/ra-ngoai/private/reports/ab/anh.jpg", "/media//secret.txt",
    "/media/%2fsecret.txt", "/private/reports/ab/anh.jpg", "/en/media/../secret.txt", "/en/media/ab",
    "/static/../config.py", "/static/%2e%2e/config.py", "/static/..%2fconfig.py",
    "/static/%2e%2e%2fconfig.py", "/static/..%5cconfig.py", "/static/%252e%252e/config.py",
    "/static/../../pyproject.toml",
    "/ma/..%2f..%2fsecret.txt/qr.svg", "/ma/%2e%2e/qr.png", "/ma/..%5c..%5csecret.txt/nhan.pdf",
    "/v/..%2f..%2fsecret.txt", "/v/%2e%2e%5c%2e%2e%5csecret.txt", "/v/....//....//secret.txt",
    "/san-pham/..%2f..%2fsecret.txt", "/tinh/%2e%2e", "/api/v1/products/..%2f..%2fsecret.txt",
    "/api/v1/certificates/%2e%2e%2fsecret.txt",
]


def test_traversal_is_refused_and_never_leaks(client: TestClient, planted: Path) -> None:
    config = (PACKAGE_DIR / "config.py").read_bytes()
    database = planted / "cnnt.sqlite3"
    for path in TRAVERSALS:
        status, body = raw_get(client.app, path.encode())  # type: ignore[arg-type]
        assert status in (400, 404), (path, status)
        assert SECRET not in body and config[:200] not in body, path
        assert not (database.exists() and database.read_bytes()[:100] in body), path
    assert raw_get(client.app, f"/media/ab/{CONTENT_HASH}/320.jpg".encode())[0] == 200  # type: ignore[arg-type]
    assert raw_get(client.app, b"/static/app.css")[0] == 200  # type: ignore[arg-type]


def test_nul_bytes_in_file_urls_are_a_clear_400(client: TestClient, planted: Path) -> None:
    for path in ("/media/ab%00/x.jpg", f"/media/ab/{CONTENT_HASH}/320.jpg%00.txt", "/static/app.css%00",
                 "/v/ABC%00DEF", "/ma/AB%00/qr.svg", "/media/..%00/secret.txt"):
        status, body = raw_get(client.app, path.encode())  # type: ignore[arg-type]
        assert status == 400 and SECRET not in body, path
        assert client.get(path).status_code == 400, path
