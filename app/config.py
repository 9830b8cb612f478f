"""Settings: one class, read from the environment (prefix CNNT_) when the app is built.

Defaults run out of the box: SQLite, the embedded search index and media all live under
DATA_DIR. Nothing reads the environment at import time; `Settings()` is called by the app
factory and the CLI.
"""

from __future__ import annotations

import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
PLACEHOLDER_SECRET = "dev-only-change-me"  # noqa: S105 - a known placeholder, refused in production
# Of Starlette's 40 worker threads per process (anyio's default limiter), the search and export
# slots together take at most 32: eight always stay free for product, verification and office pages.
MAX_SEARCH_SLOTS = 24
MAX_EXPORT_SLOTS = 8


class Settings(BaseSettings):
    """Every setting of the site; each is documented in the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="CNNT_", env_file=".env", extra="ignore")

    env: str = "development"
    data_dir: Path = PROJECT_DIR / "data"
    database_url: str = ""
    meili_url: str = ""
    meili_key: str = ""  # the admin key: writes (documents, settings, tasks); never the master key
    meili_search_key: str = ""  # search-only key for every read; unset → looked up with the admin key
    # Meilisearch's 400 bytes less the 14 a full reindex adds for its new index (`_next_` and 8 hex)
    meili_index: str = Field(default="products", pattern=r"^[A-Za-z0-9_-]{1,386}$")
    search_retry_s: float = Field(default=5.0, gt=0, le=3600)
    # Searches in flight per worker process before more wait (app/web/admission.py); 0: twice the CPUs
    search_concurrency: int = Field(default=0, ge=0, le=MAX_SEARCH_SLOTS)
    search_queue_s: float = Field(default=1.0, ge=0, le=10)  # how long one waits for a slot before a 503
    export_concurrency: int = Field(default=2, ge=1, le=MAX_EXPORT_SLOTS)  # CSV/XLSX downloads in flight
    media_dir: Path | None = None
    search_path: Path | None = None
    secret_key: str = PLACEHOLDER_SECRET
    timezone: str = "Asia/Ho_Chi_Minh"
    base_url: str = "http://127.0.0.1:8000"
    metrics_allow: str = "127.0.0.0/8,::1/128"  # loopback only: Prometheus on the same host
    # Peers whose X-Forwarded-For/-Proto uvicorn believes: the reverse proxy's address, never "*"
    trusted_proxies: str = "127.0.0.1,::1"
    # smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (TLS); unset → .eml files
    smtp_url: str = ""
    smtp_ca_file: Path | None = None  # a private CA to trust for the SMTP server, besides the system's
    mail_from: str = "CNNT <no-reply@localhost>"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone: fail at start-up, not on the first request
        return value

    @field_validator("metrics_allow", "trusted_proxies")
    @classmethod
    def _known_networks(cls, value: str) -> str:
        _networks(value)  # raises for a malformed address or "*": fail at start-up, not on a request
        return value

    @field_validator("smtp_url")
    @classmethod
    def _known_smtp_scheme(cls, value: str) -> str:
        parts = urlsplit(value)
        if value and (parts.scheme not in ("smtp", "smtps") or not parts.hostname):
            raise ValueError("CNNT_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
        parts.port  # noqa: B018 - raises for a port that is not a number: fail at start-up
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.env == "production" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError("CNNT_SECRET_KEY must be set to a real secret in production")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to the SQLite file in DATA_DIR."""
        return self.database_url or f"sqlite:///{self.data_dir / 'cnnt.sqlite3'}"

    @property
    def search_slots(self) -> int:
        """SEARCH_CONCURRENCY, or twice the CPUs this process may run on (at most MAX_SEARCH_SLOTS)."""
        return self.search_concurrency or min(MAX_SEARCH_SLOTS, 2 * _usable_cpus())

    @property
    def media_path(self) -> Path:
        """Where image variants are stored."""
        return self.media_dir or self.data_dir / "media"

    @property
    def decision_path(self) -> Path:
        """Rounds' decision PDFs, public, stored by content hash beside the photos (the media volume)."""
        return self.media_path / "decisions"

    @property
    def private_media_path(self) -> Path:
        """Photos sent with misuse reports: kept for the offices, never served under /media."""
        return self.data_dir / "private" / "reports"

    @property
    def dossier_path(self) -> Path:
        """Files attached to applications: served only to their producer and office, never under /media."""
        return self.data_dir / "private" / "dossiers"

    @property
    def search_index_path(self) -> Path:
        """The embedded search engine's SQLite file, separate from the database."""
        return self.search_path or self.data_dir / "search.sqlite3"

    @property
    def mail_dir(self) -> Path:
        """Where messages are written as .eml files when no SMTP server is set."""
        return self.data_dir / "mail"

    @property
    def mail_destination(self) -> str:
        """Where e-mail goes, in words for the start-up line: the folder, or the SMTP host (no password)."""
        if not self.smtp_url:
            return f"tệp .eml trong {self.mail_dir}"
        parts = urlsplit(self.smtp_url)
        return f"máy chủ SMTP {parts.scheme}://{parts.hostname}:{parts.port or ''}".rstrip(":")

    @property
    def tz(self) -> ZoneInfo:
        """The zone whose calendar date is "today" for certificate status."""
        return ZoneInfo(self.timezone)

    @property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The client networks /metrics answers; empty: nobody."""
        return _networks(self.metrics_allow)

    @property
    def forwarded_allow_ips(self) -> str:
        """TRUSTED_PROXIES as uvicorn's `forwarded_allow_ips`: addresses and CIDR blocks, or "" for none.

        uvicorn walks X-Forwarded-For right to left and takes the first hop not in this list, so a
        client's own (forged) entries, left of what the proxy appended, are never believed.
        """
        return ",".join(str(network) for network in _networks(self.trusted_proxies))

    @property
    def public_base_url(self) -> str:
        """BASE_URL without a trailing slash, for QR codes and absolute links."""
        return self.base_url.rstrip("/")


def _networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated addresses or CIDR blocks (`10.0.0.0/8, ::1`) as networks."""
    return tuple(ip_network(part.strip()) for part in value.split(",") if part.strip())


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
