"""Open data you can rely on: monthly snapshots written once with checksums, listed and served, and the
Atom feed of products changed since a day."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from app.cli import cli
from app.config import Settings
from app.models import Certificate, Producer
from app.services.catalog import changes, snapshots
from tests.factories import make_product

runner = CliRunner()


def _cli(settings: Settings, *args: str) -> Result:
    env = {"CNNT_DATABASE_URL": settings.sqlalchemy_url, "CNNT_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(cli, list(args), env=env)


def _folder(settings: Settings) -> Path:
    return snapshots.snapshot_folder(settings.data_dir)


def test_a_month_is_written_once_with_matching_checksums(settings: Settings, session: Session) -> None:
    make_product(session, name="Nón lá Huế")
    session.commit()
    first = _cli(settings, "opendata", "snapshot", "--today", "2026-12-08")
    assert first.exit_code == 0, first.output
    assert "cnnt-san-pham-2026-12.csv, cnnt-san-pham-2026-12.json" in first.output
    folder = _folder(settings)
    csv_path, json_path = folder / "cnnt-san-pham-2026-12.csv", folder / "cnnt-san-pham-2026-12.json"
    assert "Nón lá Huế" in csv_path.read_text(encoding="utf-8-sig")
    assert [p["name"] for p in json.loads(json_path.read_bytes())] == ["Nón lá Huế"]
    for path in (csv_path, json_path):
        recorded = (folder / f"{path.name}.sha256").read_text()
        assert recorded == f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    make_product(session, name="Chiếu cói Kim Sơn")  # the month's snapshot is not rewritten
    session.commit()
    again = _cli(settings, "opendata", "snapshot", "--today", "2026-12-31")
    assert again.exit_code == 0 and "giữ nguyên" in again.output
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left
    january = _cli(settings, "opendata", "snapshot", "--today", "2027-01-01")
    assert january.exit_code == 0
    assert "Chiếu cói Kim Sơn" in (folder / "cnnt-san-pham-2027-01.csv").read_text(encoding="utf-8-sig")


def test_a_missing_checksum_is_completed_from_the_file(settings: Settings, session: Session) -> None:
    make_product(session)
    session.commit()
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-12-08").exit_code == 0
    sum_path = _folder(settings) / "cnnt-san-pham-2026-12.json.sha256"
    sum_path.unlink()  # a run stopped between the file and its checksum
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-12-09").exit_code == 0
    data = (_folder(settings) / "cnnt-san-pham-2026-12.json").read_bytes()
    assert sum_path.read_text().split()[0] == hashlib.sha256(data).hexdigest()


def test_only_the_last_24_months_are_kept(tmp_path: Path) -> None:
    for year, month in [(2024, m) for m in range(1, 13)] + [(2025, m) for m in range(1, 13)] + [(2026, 1)]:
        for kind in snapshots.KINDS:
            name = snapshots.snapshot_name(f"{year}-{month:02d}", kind)
            (tmp_path / name).write_text("x")
            (tmp_path / f"{name}.sha256").write_text(f"{'0' * 64}  {name}\n")
    (tmp_path / "ghi-chu.txt").write_text("giữ")
    deleted = snapshots.prune_snapshots(tmp_path)
    assert sorted(deleted) == sorted(["cnnt-san-pham-2024-01.csv", "cnnt-san-pham-2024-01.csv.sha256",
                                      "cnnt-san-pham-2024-01.json", "cnnt-san-pham-2024-01.json.sha256"])
    months = {s.month for s in snapshots.list_snapshots(tmp_path)}
    assert len(months) == 24 and min(months) == "2024-02" and (tmp_path / "ghi-chu.txt").exists()


def test_cli_exit_codes(settings: Settings) -> None:
    assert _cli(settings, "opendata", "snapshot", "--today", "08/12/2026").exit_code == 2
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-13-01").exit_code == 2
    folder = _folder(settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")  # the snapshot folder cannot be made: even root is refused
    refused = _cli(settings, "opendata", "snapshot", "--today", "2026-12-08")
    assert refused.exit_code == 1 and "không ghi được" in refused.output


def test_alerts_run_writes_the_snapshot_too(settings: Settings, session: Session) -> None:
    make_product(session)
    session.commit()
    result = _cli(settings, "alerts", "run", "--today", "2026-12-08")
    assert result.exit_code == 0, result.output
    assert [s.name for s in snapshots.list_snapshots(_folder(settings))] == [
        "cnnt-san-pham-2026-12.csv", "cnnt-san-pham-2026-12.json"]


def test_the_page_lists_snapshots_and_serves_them(client: TestClient, settings: Settings,
                                                 session: Session) -> None:
    empty = BeautifulSoup(client.get("/du-lieu-mo").text, "html.parser")
    assert empty.select_one(".snapshots-none") is not None
    make_product(session, name="Nón lá Huế")
    session.commit()
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-11-20").exit_code == 0
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-12-08").exit_code == 0
    soup = BeautifulSoup(client.get("/du-lieu-mo").text, "html.parser")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in soup.select("table.snapshots tbody tr")]
    assert [r[:2] for r in rows] == [
        ["12/2026", "cnnt-san-pham-2026-12.csv"], ["12/2026", "cnnt-san-pham-2026-12.json"],
        ["11/2026", "cnnt-san-pham-2026-11.csv"], ["11/2026", "cnnt-san-pham-2026-11.json"]]
    for row in rows:
        download = client.get(f"/du-lieu-mo/ban-luu/{row[1]}")
        assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == row[3]
        assert download.content == (_folder(settings) / row[1]).read_bytes()
        assert row[1] in download.headers["content-disposition"]
    sums = client.get("/du-lieu-mo/ban-luu/SHA256SUMS")
    assert sums.status_code == 200 and sums.headers["content-type"].startswith("text/plain")
    assert sums.text.splitlines() == [f"{r[3]}  {r[1]}" for r in reversed(rows)]
    citation = soup.select_one("q.citation")
    assert citation is not None and re.fullmatch(
        rf"Nguồn: Danh mục sản phẩm CNNT tiêu biểu, {re.escape(settings.public_base_url)}, "
        r"truy cập ngày \d\d/\d\d/\d{4}\.", citation.get_text())
    assert "CC BY 4.0" in soup.get_text()


@pytest.mark.parametrize("name", [
    "..%2Fcnnt.sqlite3", "..%2F..%2Fetc%2Fpasswd", "cnnt-san-pham-2026-12.csv.sha256",
    "cnnt-san-pham-2026-13.csv", "cnnt-san-pham-2026-12.xlsx", "cnnt-san-pham-2026-1.csv",
    "CNNT-SAN-PHAM-2026-12.CSV", "cnnt.sqlite3", "cnnt-san-pham-2026-11.csv", "%2E%2E", "x" * 100,
])
def test_other_names_are_not_found(client: TestClient, settings: Settings, session: Session,
                                   name: str) -> None:
    make_product(session)
    session.commit()
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-12-08").exit_code == 0
    (settings.data_dir / "cnnt.sqlite3").touch()
    response = client.get(f"/du-lieu-mo/ban-luu/{name}")
    assert response.status_code in (404, 422) and b"SQLite" not in response.content


def _changes(client: TestClient, since: str) -> feedparser.FeedParserDict:
    """The changes feed since `since`, parsed (and checked to be well-formed Atom)."""
    response = client.get("/du-lieu-mo/thay-doi.atom", params={"tu": since} if since else {})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.text)
    assert not parsed.bozo and parsed.version == "atom10", parsed.get("bozo_exception")
    return parsed


def test_changes_feed_since_a_day(client: TestClient, session: Session) -> None:
    old = make_product(session, name="Chiếu cói cũ")
    new = make_product(session, name="Nón lá mới")
    recent = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    for product, moment in ((old, datetime(2026, 10, 1, tzinfo=UTC)), (new, recent)):
        product.updated_at = moment
        session.add(product)
        for cert in session.exec(select(Certificate).where(Certificate.product_id == product.id)).all():
            cert.updated_at = moment
            session.add(cert)
    for producer in session.exec(select(Producer)).all():  # their producers changed long before
        producer.updated_at = datetime(2026, 1, 1, tzinfo=UTC)
        session.add(producer)
    session.commit()
    feed = _changes(client, "2026-11-01")
    assert [e.title for e in feed.entries] == ["Nón lá mới"]
    [entry] = feed.entries
    assert entry.updated == recent.isoformat() and "published" not in entry
    assert entry.link.endswith(f"/san-pham/{new.slug}")
    assert [e.title for e in _changes(client, "01/09/2026").entries] == ["Nón lá mới", "Chiếu cói cũ"]


@pytest.mark.parametrize("value", ["2026-02-30", "hôm qua", "2026-11", "9999-01-01", "x" * 41])
def test_changes_feed_refuses_a_bad_day(client: TestClient, value: str) -> None:
    response = client.get("/du-lieu-mo/thay-doi.atom", params={"tu": value})
    assert response.status_code == 422 and "tu" in response.text


def test_changes_feed_caps_its_entries(client: TestClient, session: Session,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "CHANGES_FEED_SIZE", 2)
    for n in range(3):
        make_product(session, name=f"Sản phẩm {n}")
    session.commit()
    assert len(_changes(client, "").entries) == 2


def test_snapshot_is_the_open_data_of_its_day(settings: Settings, session: Session) -> None:
    make_product(session, name="Nón lá Huế", issued_on=date(2019, 3, 1))  # expired by the snapshot's day
    session.commit()
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-12-08").exit_code == 0
    [item] = json.loads((_folder(settings) / "cnnt-san-pham-2026-12.json").read_bytes())
    assert item["status"] == "expired"


def test_the_english_page_links_the_files_themselves(client: TestClient, settings: Settings,
                                                      session: Session) -> None:
    make_product(session)
    session.commit()
    assert _cli(settings, "opendata", "snapshot", "--today", "2026-12-08").exit_code == 0
    soup = BeautifulSoup(client.get("/en/du-lieu-mo").text, "html.parser")
    found = soup.select("a[href^='/du-lieu-mo/ban-luu/'], a[href^='/en/du-lieu-mo/']")
    links = {str(a["href"]) for a in found}
    assert links == {"/du-lieu-mo/ban-luu/SHA256SUMS", "/du-lieu-mo/ban-luu/cnnt-san-pham-2026-12.csv",
                     "/du-lieu-mo/ban-luu/cnnt-san-pham-2026-12.json"}
    assert client.get("/en/du-lieu-mo/ban-luu/SHA256SUMS").status_code == 404  # files have no English twin
