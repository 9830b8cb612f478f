"""Two `cnnt serve` processes on one database allow, together, what one process allows.

Sign-in attempts from one client alternate between the two processes (as a load balancer
spreads them): the attempt after the allowance is refused, whichever process answers it,
because both count in the database. With counts in each process's memory, each would allow
its own 20 and the client would get 40.
"""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from app.config import Settings
from app.web.rate_limit import SiteLimits
from tests.crash.helpers import serving


def failed_sign_in(client: httpx.Client, n: int) -> int:
    """One sign-in with a wrong password for a fresh e-mail (no per-account rule counts); its status."""
    page = BeautifulSoup(client.get("/quan-ly/dang-nhap").text, "html.parser")
    field = page.select_one('input[name="csrf_token"]')
    assert field is not None
    response = client.post("/quan-ly/dang-nhap", data={"csrf_token": str(field["value"]), "password": "wrong",
                                                      "email": f"guess{n}@example.invalid"})
    return response.status_code


def test_sign_in_attempts_across_two_processes_share_one_limit(crash_settings: Settings) -> None:
    allowance = SiteLimits.LOGINS_PER_15_MINUTES
    with serving(crash_settings, count=2) as [first, second]:
        with httpx.Client(base_url=first, timeout=30) as a, httpx.Client(base_url=second, timeout=30) as b:
            statuses = [failed_sign_in(b if n % 2 else a, n) for n in range(allowance + 2)]
    assert statuses == [401] * allowance + [429, 429]
