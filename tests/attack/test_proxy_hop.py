"""Behind the documented proxy, a client cannot choose its own address by writing X-Forwarded-For.

A real `cnnt serve` runs with the deployment's proxy settings, behind a real reverse proxy
(tests/reverse_proxy.py) that appends the address it sees, as nginx does. Every sign-in attempt
carries a fresh forged left-most hop and a fresh e-mail address (so no per-account rule counts):
the per-client limit still stops the attempt after its allowance, because the app takes the
right-most hop its trusted proxy added. The compose file is checked to deploy exactly that.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from bs4 import BeautifulSoup

from app.config import PROJECT_DIR, Settings
from app.migrate import upgrade_database
from app.web.rate_limit import SiteLimits
from tests.crash.helpers import serving
from tests.reverse_proxy import appending_proxy

PROXY = "127.0.0.3"  # the address the proxy reaches the app from: the one the app trusts
CLIENT, NEIGHBOUR = "127.0.0.2", "127.0.0.4"  # two visitors behind the same proxy
# What the compose file once deployed (uvicorn's own variable, believing anyone) beside the setting:
# the setting must win, so an operator's leftover FORWARDED_ALLOW_IPS cannot widen the trust.
DEPLOYED = {"FORWARDED_ALLOW_IPS": "*", "CNNT_TRUSTED_PROXIES": PROXY}


@pytest.fixture
def served_settings(tmp_path: Path) -> Settings:
    """A migrated SQLite database for the real server (the address rule does not depend on the database)."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data",
                        database_url=f"sqlite:///{tmp_path / 'cnnt.sqlite3'}", meili_url="")
    upgrade_database(settings)
    return settings


def client_from(address: str, base_url: str) -> httpx.Client:
    """A client whose connections leave from `address` (any 127.x address is this machine's)."""
    return httpx.Client(base_url=base_url, transport=httpx.HTTPTransport(local_address=address), timeout=30)


def login_attempt(client: httpx.Client, n: int) -> int:
    """One failed sign-in with a forged X-Forwarded-For and a fresh e-mail; its status code."""
    page = BeautifulSoup(client.get("/quan-ly/dang-nhap").text, "html.parser")
    field = page.select_one('input[name="csrf_token"]')
    assert field is not None
    response = client.post("/quan-ly/dang-nhap", headers={"X-Forwarded-For": f"198.51.100.{n % 250}"},
                           data={"csrf_token": str(field["value"]), "email": f"guess{n}@example.invalid",
                                 "password": "not-the-password"})
    return response.status_code


def test_a_forged_forwarded_for_does_not_reset_the_login_limit(served_settings: Settings) -> None:
    allowance = SiteLimits.LOGINS_PER_15_MINUTES
    with (serving(served_settings, env=DEPLOYED) as [app_url],
          appending_proxy(app_url, source_host=PROXY) as front):
        with client_from(CLIENT, front) as client:
            statuses = [login_attempt(client, n) for n in range(allowance + 1)]
        with client_from(NEIGHBOUR, front) as neighbour:  # the proxy's own address is not the key either
            neighbours = login_attempt(neighbour, 0)
    assert statuses == [401] * allowance + [429]
    assert neighbours == 401


def test_compose_trusts_only_nginx_and_nginx_sends_the_address_it_sees() -> None:
    compose = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
    app, nginx = compose["services"]["app"], compose["services"]["nginx"]
    nginx_address = nginx["networks"]["edge"]["ipv4_address"]
    assert "FORWARDED_ALLOW_IPS" not in app["environment"]
    assert app["environment"]["CNNT_TRUSTED_PROXIES"] == f"${{CNNT_TRUSTED_PROXIES:-{nginx_address}}}"
    assert "edge" in app["networks"]
    conf = compose["configs"]["nginx_conf"]["content"]
    assert "proxy_set_header X-Forwarded-For $$remote_addr;" in conf


def test_trusted_proxies_refuse_anyone() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
        Settings(_env_file=None, trusted_proxies="*")
    assert Settings(_env_file=None, trusted_proxies="").forwarded_allow_ips == ""
    assert Settings(_env_file=None, trusted_proxies="10.0.0.0/8, 172.30.80.2").forwarded_allow_ips == \
        "10.0.0.0/8,172.30.80.2/32"
