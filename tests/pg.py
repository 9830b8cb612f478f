"""A throwaway PostgreSQL server for the test session, started from the machine's own binaries.

initdb and pg_ctl refuse to run as root, so when the tests run as root they run those two
as the `postgres` user. The cluster lives in a temporary folder with fsync off and is
removed at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found on this machine")


def free_port() -> int:
    """A loopback port nothing listens on right now (for the throwaway servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a server on a free loopback port; yield its base URL (no database name)."""
    bin_dir = _pg_bin()
    base = Path(tempfile.mkdtemp(prefix="cnnt-pg-"))
    data = base / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres", group="postgres")
    os.chmod(base, 0o755)
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--no-locale"]),
        check=True, capture_output=True, timeout=120,
    )
    options = (
        f"-p {port} -k {base} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                      "-l", str(base / "log"), "-w", "start"]),
        check=True, capture_output=True, timeout=120,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True, timeout=60, check=False,
        )
        shutil.rmtree(base, ignore_errors=True)
