"""Hostile data for the attack tests: payload-laden winners spreadsheets, imported for real,
and the checks that say a page or a file shows those payloads as text and nothing more.

Every text column the importer accepts carries a payload; the enumerated columns (level,
province, group, legal form, region, dates, score) can only hold known values, so a payload
there is an import error whose message quotes it (checked on the office preview page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.models import Certificate, Producer, Product, SelectionRound
from app.services.imports.importer import import_file
from search.indexer import apply_outbox
from tests.services.sheets import jpeg_bytes, row, write_csv, write_xlsx

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
CLOSE_SCRIPT = "</script><script>alert(1)</script>"  # aimed at the JSON-LD <script> block
TEMPLATE = "{{7*7}} {% raw %}"  # Jinja2 syntax: must come out as typed, never evaluated
PHOTO_NAME = '"><img src=x onerror=alert(1)>.jpg'

# One product whose every free-text cell is hostile (the names must stay unique once folded).
XSS_ROW = row(
    certificate_number=f"GCN {ATTRIBUTE}", decision_number=f"QĐ </title>{SCRIPT}",
    product_name=f"Bánh {SCRIPT} {TEMPLATE}", producer_name=f"HTX {ATTRIBUTE} {{% raw %}}",
    description=f"{CLOSE_SCRIPT}\n{ATTRIBUTE}\n{TEMPLATE}\n<a href=\"javascript:alert(1)\">bấm</a>",
    address=f"Thôn '><svg onload=alert(1)> {CLOSE_SCRIPT}", phone=f"0900 {SCRIPT}",
    email='"><svg/onload=alert(1)>@vi-du.example', website=f"https://vi-du.example/{SCRIPT}",
    province="Hà Nội", level="tinh", issued_on="15/12/2023", images=PHOTO_NAME,
)
# The same product's regional certificate: its round (and that round's page) gets a hostile decision.
REGIONAL_ROW = {**XSS_ROW, "level": "khu_vuc", "region": "phía Bắc", "issued_on": "20/11/2024",
                "certificate_number": f"KV {SCRIPT}", "decision_number": f"QĐ-KV {ATTRIBUTE}", "images": None}
# Spreadsheet formulas: every exported cell that starts with = + - @ must reach Excel as text.
FORMULA_ROW = row(
    certificate_number="=1+2", decision_number="+3+4", product_name='=HYPERLINK("https://vi-du.example","bấm")',
    producer_name="+SUM(1,2)", address="-1+2", phone="@SUM(1) 0900", email="=1+1@vi-du.example",
    description="=cmd|' /C calc'!A0", province="Hà Nội", level="tinh", issued_on="15/12/2023",
)
FORMULA_CELLS = ('=HYPERLINK("https://vi-du.example","bấm")', "+SUM(1,2)", "-1+2", "@SUM(1) 0900",
                 "=1+1@vi-du.example")
PLAIN_ROW = row(product_name="Mì Chũ thường", producer_name="HTX Nông sản Lục Ngạn", province="Bắc Giang")


@dataclass(frozen=True, slots=True)
class Poisoned:
    """What the hostile import created, for building URLs."""

    product_slug: str
    formula_slug: str
    plain_slug: str
    producer_slug: str
    product_id: int
    certificate_id: int
    code: str
    regional_round_id: int


def import_rows(client: TestClient, session: Session, settings: Settings, rows: list[dict[str, object]],
                *, photos: dict[str, bytes] | None = None, name: str = "dot.xlsx") -> None:
    """Write `rows` (and photos beside them) as a real .xlsx, import it, commit and index it."""
    folder = settings.data_dir / "nhap"
    folder.mkdir(parents=True, exist_ok=True)
    for filename, data in (photos or {}).items():
        (folder / filename).write_bytes(data)
    path = (write_csv if name.endswith(".csv") else write_xlsx)(folder / name, rows)
    report = import_file(session=session, path=Path(path), media_dir=settings.media_path)
    assert report.ok, [str(p) for p in report.problems]
    session.commit()
    apply_outbox(session=session, engine=client.app.state.search)  # type: ignore[attr-defined]


def poison(client: TestClient, session: Session, settings: Settings) -> Poisoned:
    """Import the hostile rows through the real importer and say where they landed."""
    import_rows(client, session, settings, [XSS_ROW, REGIONAL_ROW, PLAIN_ROW],
                photos={PHOTO_NAME: jpeg_bytes()})
    # A .xlsx cell typed "=…" is a formula (openpyxl writes it as one); a CSV carries it as text.
    import_rows(client, session, settings, [FORMULA_ROW], name="cong-thuc.csv")
    product = session.exec(select(Product).where(Product.name == XSS_ROW["product_name"])).one()
    formula = session.exec(select(Product).where(Product.name == FORMULA_ROW["product_name"])).one()
    plain = session.exec(select(Product).where(Product.name == PLAIN_ROW["product_name"])).one()
    producer = session.get_one(Producer, product.producer_id)
    certificate = session.exec(select(Certificate).where(Certificate.product_id == product.id,
                                                         Certificate.level == "tinh")).one()
    regional = session.exec(select(SelectionRound).where(SelectionRound.level == "khu_vuc")).one()
    assert product.id is not None and certificate.id is not None and regional.id is not None
    return Poisoned(product_slug=product.slug, formula_slug=formula.slug, plain_slug=plain.slug,
                    producer_slug=producer.slug, product_id=product.id, certificate_id=certificate.id,
                    code=certificate.code, regional_round_id=regional.id)


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "data-hx-get", "data-hx-post")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def _check_script(script: Tag, where: str) -> None:
    """Only the site's own scripts: files under /static/ and JSON-LD data blocks that parse."""
    if script.get("type") == "application/ld+json":
        json.loads(script.string or "")
        return
    src = str(script.get("src") or "")
    assert src.startswith("/static/") and not (script.string or "").strip(), f"{where}: foreign {script}"


def assert_inert(markup: str, where: str) -> BeautifulSoup:
    """Parse an HTML page or fragment; fail if any payload became an element or an attribute."""
    soup = BeautifulSoup(markup, "html.parser")
    for script in soup.find_all("script"):
        _check_script(script, where)
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: event handler on <{tag.name}>: {tag}"
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower() in URL_ATTRIBUTES:
                assert not text.strip().lower().startswith(BAD_SCHEMES), f"{where}: {name}={text!r}"
    assert soup.find("img", src="x") is None, f"{where}: a payload <img> was created"
    assert soup.find(["iframe", "object", "embed"]) is None, f"{where}: embedded content"
    return soup


def visible_text(soup: BeautifulSoup) -> str:
    """The page's text outside scripts and styles: what a reader (or a payload) would see."""
    return " ".join(text for text in soup.find_all(string=True)
                    if text.parent is not None and text.parent.name not in ("script", "style"))
