"""Media files: content-addressed, cached forever, nothing outside the media folder."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from app.files.media import variant_dir, write_atomically


def test_media_variants_are_immutable(client: TestClient, settings: Settings) -> None:
    content_hash = "ab" + "0" * 62
    write_atomically(variant_dir(settings.media_path, content_hash) / "320.jpg", b"\xff\xd8 not checked here")
    response = client.get(f"/media/ab/{content_hash}/320.jpg")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


def test_media_urls_cannot_leave_the_media_folder(client: TestClient, settings: Settings) -> None:
    (settings.data_dir / "secret.txt").write_text("do not serve")
    for path in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/..%2fsecret.txt"):
        response = client.get(path)
        assert response.status_code == 404
        assert "do not serve" not in response.text
