"""A double (octuple) click on "Xuất bản": simultaneous publishes of one batch against a real `cnnt serve`.

Before the claim, each request saw the batch in preview and applied it: several successes, 500s
from unique violations and one audit entry per success. Now one transaction claims the batch
and the others answer with its published page; both databases.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.models import SelectionRound
from tests.crash.helpers import count, serving
from tests.factories import TEST_PASSWORD, make_user, province
from tests.services.sheets import row, write_csv

CLICKS = 8
ROWS = 40


def _seed(engine: Engine) -> tuple[int, str]:
    """A provincial round of Đà Nẵng and the office that runs it: (round id, office e-mail)."""
    with Session(engine, expire_on_commit=False) as session:
        selection_round = SelectionRound(level="tinh", year=2025, province_id=province(session, "da-nang").id,
                                         decision_number="99/QĐ-UBND", decision_date=date(2025, 12, 1))
        session.add(selection_round)
        session.commit()
        office = make_user(session, province_slug="da-nang")
        assert selection_round.id is not None
        return selection_round.id, office.email


def _csrf(client: httpx.Client, path: str) -> str:
    """The CSRF token of the client's session, read from a form on `path`."""
    return client.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _sheet(folder: Path) -> Path:
    """A valid winners list of Đà Nẵng with ROWS rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [row(province="Đà Nẵng", issued_on="15/12/2025", product_name=f"Nước mắm Nam Ô {n}",
                producer_name=f"Cơ sở Nam Ô {n}", certificate_number=f"{n}/GCN-SCT") for n in range(ROWS)]
    return write_csv(folder / "ds.csv", rows)


def test_simultaneous_publishes_apply_the_batch_once(crash_settings: Settings, tmp_path: Path) -> None:
    engine = make_engine(crash_settings.sqlalchemy_url)
    round_id, email = _seed(engine)
    engine.dispose()
    sheet = _sheet(tmp_path / "sheet")
    with serving(crash_settings) as (base,), httpx.Client(base_url=base, timeout=60) as office:
        signed_in = office.post("/quan-ly/dang-nhap", data={
            "email": email, "password": TEST_PASSWORD, "csrf_token": _csrf(office, "/quan-ly/dang-nhap")})
        assert signed_in.status_code == 303, signed_in.text
        uploaded = office.post(f"/quan-ly/dot-binh-chon/{round_id}/nhap",
                               data={"csrf_token": _csrf(office, "/quan-ly/dot-binh-chon")},
                               files={"file": ("ds.csv", sheet.read_bytes(), "text/csv")})
        assert uploaded.status_code == 303, uploaded.text
        batch_path = uploaded.headers["location"]
        token = _csrf(office, batch_path)
        clicks = [httpx.Client(base_url=base, timeout=60, cookies=office.cookies) for _ in range(CLICKS)]
        together = threading.Barrier(CLICKS)
        answers: list[httpx.Response] = []

        def click(client: httpx.Client) -> None:
            together.wait()
            answers.append(client.post(f"{batch_path}/xuat-ban", data={"csrf_token": token}))

        threads = [threading.Thread(target=click, args=(client,)) for client in clicks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for client in clicks:
            client.close()
        assert sorted((a.status_code, a.headers.get("location")) for a in answers) == [
            (303, batch_path)] * CLICKS, [a.text[:300] for a in answers if a.status_code != 303]
        assert "Đã xuất bản" in office.get(batch_path).text
    url = crash_settings.sqlalchemy_url
    assert count(url, "SELECT count(*) FROM audit_entry WHERE action = 'import.publish'") == 1
    assert count(url, "SELECT count(*) FROM certificate") == ROWS
    assert count(url, "SELECT count(*) FROM import_batch WHERE state = 'published'") == 1
