"""The demo data set: built as a real spreadsheet (no photos: products show their illustration) and
loaded through the importer; producers believable, each making one kind of product."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cli import load_demo
from app.config import Settings
from app.domain.illustrations import illustration_for
from app.domain.provinces import DATA_DIR
from app.files.spreadsheet import read_spreadsheet
from app.models import Certificate, Product, ProductImage, Province, RoundCall
from app.services.demo.catalog import demo_products
from app.services.demo.loader import build_demo_sheet
from app.services.demo.words import COMMUNES, FAMILY_NAMES


def test_demo_sheet_is_a_valid_winners_spreadsheet(tmp_path: Path) -> None:
    path = build_demo_sheet(tmp_path, generated=20)
    rows = read_spreadsheet(path).rows
    assert len(rows) >= 47 and not any(r.values.get("images") for r in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["winners.xlsx"]  # no placeholder photos drawn
    assert all("vi-du.example" in r.values["email"] for r in rows)
    assert all(r.values["phone"].startswith("0900 000") for r in rows)


def test_demo_load_covers_the_catalog(settings: Settings, engine: Engine) -> None:
    said: list[str] = []
    assert load_demo(settings, if_empty=True, echo=said.append) == 0
    with Session(engine) as session:
        products = session.exec(select(Product)).all()
        certs = session.exec(select(Certificate)).all()
        provinces = {p.id: p for p in session.exec(select(Province)).all()}
        with_photo = {i.product_id for i in session.exec(select(ProductImage)).all()}
        calls = session.exec(select(RoundCall)).all()
    assert len(products) >= 300
    assert len({provinces[p.province_id].slug for p in products}) == 34
    assert {p.group for p in products} == {"thu_cong_my_nghe", "che_bien", "co_khi", "khac"}
    assert {c.level for c in certs} == {"huyen", "xa", "tinh", "khu_vuc", "quoc_gia"}
    assert {c.issued_on.year for c in certs} == set(range(2012, 2027))
    assert all(c.issued_on.year % 2 == 0 for c in certs if c.level == "khu_vuc")
    assert all(c.issued_on.year % 2 == 1 for c in certs if c.level == "quoc_gia")
    former = {c.product_id for c in certs if provinces[c.province_id].successor_id is not None}
    assert len(former) >= 0.3 * len(products)
    assert 0 < sum(c.revoked_on is not None for c in certs) <= 0.05 * len(certs)
    assert not with_photo  # no made-up photos: every page shows the product's illustration
    per_product: dict[int, int] = {}
    for c in certs:
        per_product[c.product_id] = per_product.get(c.product_id, 0) + 1
    assert sum(n > 1 for n in per_product.values()) >= 30
    with (DATA_DIR / "sample_products.csv").open(encoding="utf-8") as f:
        real = {row["product_name"] for row in csv.DictReader(f)}
    assert real <= {p.name for p in products}
    assert settings.search_index_path.exists()
    assert len(calls) == 3 and any("2 đợt nhận hồ sơ minh họa (/nop-ho-so), thêm một đợt đã công bố" in line
                                   for line in said)
    assert any("co-so@vi-du.example" in line for line in said)
    assert load_demo(settings, if_empty=True, echo=said.append) == 0 and "không nạp" in said[-1]


def test_real_sample_products_carry_only_sourced_facts(tmp_path: Path) -> None:
    sheet = read_spreadsheet(build_demo_sheet(tmp_path, generated=0))
    rows = {r.values["product_name"]: r.values for r in sheet.rows}
    with (DATA_DIR / "sample_products.csv").open(encoding="utf-8") as f:
        samples = list(csv.DictReader(f))
    assert len(rows) == len(samples) == 27
    for sample in samples:
        row = rows[sample["product_name"]]
        # not in the sources: never invented (empty trailing columns are not read back at all)
        assert not row["certificate_number"] and not row.get("score")
        assert sample["source_url"] in row["description"]
    imextravinh = rows["Bánh tráng IMEXTRAVINH"]
    assert imextravinh["decision_number"] == "3116/QĐ-BCT"
    assert not rows["Cơm sấy Nhật Quỳnh"]["decision_number"]


def test_demo_producers_make_one_kind_of_product() -> None:
    """A forge makes knives, a pottery makes pottery: a generated producer's name names the kind of
    every product it makes (the illustration mapping decides both), and each producer makes one kind."""
    products = demo_products(generated=300)
    kinds: dict[str, set[str]] = {}
    for product in products:
        kind = illustration_for(product.name, product.group)
        kinds.setdefault(product.producer, set()).add(kind.code)
        if not product.real:
            assert illustration_for(product.producer, product.group) == kind, product.producer
    assert all(len(found) == 1 for found in kinds.values()), {p: k for p, k in kinds.items() if len(k) > 1}
    several = [name for name in kinds if len([p for p in products if p.producer == name]) > 1]
    assert len(several) >= 5  # some producers make several products, all of one kind


def test_demo_producers_look_real_with_fictitious_contacts() -> None:
    generated = [p for p in demo_products(generated=300) if not p.real]
    forms = {p.legal_form for p in generated}
    assert forms == {"Doanh nghiệp", "Hợp tác xã", "Tổ hợp tác", "Hộ kinh doanh"}
    families = {family for family, _ in FAMILY_NAMES}
    for product in generated:
        prefix = {"Doanh nghiệp": "Công ty TNHH ", "Hợp tác xã": "HTX ", "Tổ hợp tác": "Tổ hợp tác ",
                  "Hộ kinh doanh": "Hộ kinh doanh "}[product.legal_form or ""]
        assert product.producer.startswith(prefix), product.producer
        if product.legal_form == "Hộ kinh doanh":  # "Hộ kinh doanh bánh tráng Nguyễn Thị Hạnh"
            family, _middle, _given = product.producer.split()[-3:]
            assert family in families, product.producer
        # a real commune or ward of the product's province, behind a visibly fictitious house number
        assert product.address == f"Số 00, {product.locality}, {product.current.name}"
        assert product.locality in COMMUNES[product.current.slug]
    assert {p.current.slug for p in generated} == set(COMMUNES)
    assert len({p.locality for p in generated}) > 60
    real = demo_products(generated=0)
    assert all(p.address.startswith("Số 00") for p in real)
    with (DATA_DIR / "sample_products.csv").open(encoding="utf-8") as f:
        named = {row["product_name"]: row["producer"] for row in csv.DictReader(f)}
    for product in real:  # the real samples keep their real producers' names
        assert product.producer == named[product.name] or "tên minh họa" in product.producer


def test_demo_catalog_is_deterministic() -> None:
    first, again = demo_products(generated=120), demo_products(generated=120)
    assert [(p.name, p.producer, p.address) for p in first] == [(p.name, p.producer, p.address)
                                                                 for p in again]
