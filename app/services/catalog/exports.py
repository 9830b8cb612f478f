"""Catalog exports (CSV, XLSX) and the open-data JSON, streamed page by page from the database.

Filters are the catalog's (fallback.filter_conditions), so an export holds what the
page lists. Text `q` uses the fallback's folded match (every word in the product's or the
producer's folded name) rather than the search engine: the engine pages only up to
MAX_PAGE × MAX_PER_PAGE hits and an export must be complete and stable; the cost is that
synonyms and certificate numbers do not match here. Rows come in keyset pages of
EXPORT_PAGE ids (`id > last`), so memory stays flat whatever the catalog's size.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.domain.groups import ProductGroup
from app.domain.parsing import LEGAL_FORM_LABELS, LegalForm
from app.domain.provinces import province_by_slug
from app.domain.standing import Standing, standing
from app.domain.states import ProductState
from app.domain.text import drop_controls
from app.domain.validity import CertificateStatus, certificate_status, in_vietnam
from app.errors import InvalidInput
from app.models import Certificate, Producer, Product, Province, SelectionRound
from app.services.catalog.fallback import StatusTables, filter_conditions
from app.services.catalog.provenance import aware_utc, decision_ref, latest_change
from search.document_builder import build_documents
from search.documents import ProductDocument
from search.engine import SearchQuery

EXPORT_PAGE = 1000
MAX_CHOSEN = 200
CHUNK_BYTES = 64 * 1024
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SLUG_PATTERN = re.compile(r"^[a-z0-9-]{1,200}$")
COLUMNS = (
    "Tên sản phẩm", "Nhóm sản phẩm", "Cấp cao nhất", "Năm chứng nhận", "Tình trạng hôm nay",
    "Hiệu lực đến", "Tỉnh/thành phố hiện nay", "Tỉnh/thành phố khi chứng nhận", "Cơ sở sản xuất",
    "Loại hình", "Địa chỉ", "Điện thoại", "Email", "Website", "Đường dẫn sản phẩm",
    "Số quyết định", "Ngày quyết định", "Cơ quan ban hành quyết định", "Văn bản quyết định", "Cập nhật ngày",
)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export: the catalog query (its page and sort are ignored) and an optional shortlist."""

    query: SearchQuery
    slugs: tuple[str, ...] = ()
    base_url: str = ""


def parse_chosen(value: str) -> tuple[str, ...]:
    """`chon=slug,slug,…` (a shortlist): at most MAX_CHOSEN well-formed slugs, or InvalidInput."""
    slugs = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
    if len(slugs) > MAX_CHOSEN:
        raise InvalidInput(f"Danh sách chọn tối đa {MAX_CHOSEN} sản phẩm.", field="chon")
    if any(not SLUG_PATTERN.match(s) for s in slugs):
        raise InvalidInput("Tham số chon chỉ gồm đường dẫn sản phẩm, cách nhau bằng dấu phẩy.", field="chon")
    return slugs


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ tab or CR gets a leading '."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _id_pages(session: Session, request: ExportRequest) -> Iterator[list[int]]:
    """Ids of matching published products, EXPORT_PAGE at a time, by keyset on id."""
    conditions = filter_conditions(request.query, StatusTables.on(request.query.today))
    stmt = (select(col(Product.id)).join(Producer, col(Producer.id) == col(Product.producer_id))
            .where(col(Product.state) == ProductState.PUBLISHED, *conditions.values()))
    if request.slugs:
        stmt = stmt.where(col(Product.slug).in_(request.slugs))
    last = 0
    while True:
        ids = [cast(int, i) for i in session.exec(
            stmt.where(col(Product.id) > last).order_by(col(Product.id)).limit(EXPORT_PAGE)).all()]
        if not ids:
            return
        yield ids
        last = ids[-1]


def _producers(session: Session, ids: list[int]) -> dict[int, Producer]:
    """Product id → its producer, one query for the page."""
    stmt = select(col(Product.id), Producer).join(Producer, col(Producer.id) == col(Product.producer_id))
    rows = session.exec(stmt.where(col(Product.id).in_(ids))).all()
    return {cast(int, pid): producer for pid, producer in rows}


def _province_name(slug: str) -> str:
    info = province_by_slug(slug)
    return info.name if info else slug


def _vn_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def _label(enum: Any, code: str) -> str:
    """The Vietnamese label of `code`, or the code itself when unknown."""
    return str(enum(code).label) if code in enum.__members__ else code


def _legal_form(code: str | None) -> str:
    if code and code in LegalForm.__members__:
        return LEGAL_FORM_LABELS[LegalForm(code)]
    return code or ""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an exported product's record comes from: its certificates' rounds, when it last changed."""

    rounds: dict[int, SelectionRound]
    updated_at: datetime


def shown_certificate(certs: Sequence[Certificate], shown: Standing, today: date) -> Certificate | None:
    """The certificate the shown level rests on: at that level, valid today if one is, the newest issued."""
    if shown.level is None:
        return None
    at_level = [c for c in certs if c.level == shown.level.value]
    valid = [c for c in at_level
             if certificate_status(c.valid_until, c.revoked_on, on=today) == CertificateStatus.valid]
    return max(valid or at_level, key=lambda c: (c.issued_on, c.id or 0), default=None)


def _decision_cells(cert: Certificate | None, provenance: Provenance, base_url: str) -> list[str]:
    """Number, date, signer and PDF address of the decision behind `cert`, then the record's last change."""
    rnd = provenance.rounds.get(cert.round_id) if cert is not None and cert.round_id is not None else None
    decision = decision_ref(rnd, base_url)
    day = decision.day.strftime("%d/%m/%Y") if decision.day else ""
    changed = in_vietnam(provenance.updated_at).strftime("%d/%m/%Y")
    return [decision.number or "", day, decision.signer or "", decision.pdf_url or "", changed]


def export_row(doc: ProductDocument, producer: Producer, certs: Sequence[Certificate], provenance: Provenance,
               *, today: date, base_url: str) -> list[str]:
    """One product as the export's columns (COLUMNS), formulas neutralised."""
    shown = standing(doc["validity"], on=today)
    cells = [
        doc["name"], _label(ProductGroup, doc["group"]), shown.level.label if shown.level else "",
        ", ".join(str(y) for y in doc["years"]), shown.status.label,
        _vn_date(shown.until.isoformat() if shown.until else ""), _province_name(doc["province"]),
        ", ".join(_province_name(s) for s in doc["certified_provinces"]), producer.name,
        _legal_form(producer.legal_form), producer.address or "", producer.phone or "",
        producer.email or "", producer.website or "", f"{base_url}/san-pham/{doc['slug']}",
        *_decision_cells(shown_certificate(certs, shown, today), provenance, base_url),
    ]
    return [safe_cell(cell) for cell in cells]


def export_rows(*, session: Session, request: ExportRequest) -> Iterator[list[list[str]]]:
    """The export's rows, one list per keyset page, in id order."""
    for ids in _id_pages(session, request):
        documents = build_documents(session=session, product_ids=ids)
        producers, certs = _producers(session, ids), _certificates(session, ids)
        rounds, changed = _rounds(session, certs), _product_times(session, ids)
        yield [export_row(documents[i], producers[i], certs.get(i, []),
                          _provenance(rounds, changed[i], producers[i], certs.get(i, [])),
                          today=request.query.today, base_url=request.base_url)
               for i in ids if i in documents]
        session.expunge_all()  # keep the identity map from growing with every page


def csv_chunks(pages: Iterator[list[list[str]]], columns: Sequence[str] = COLUMNS) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel reads Vietnamese), one chunk per page; cells already safe_cell'd."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield (BOM + buffer.getvalue()).encode("utf-8")
    for rows in pages:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        yield buffer.getvalue().encode("utf-8")


def xlsx_chunks(pages: Iterator[list[list[str]]], columns: Sequence[str] = COLUMNS,
                sheet_name: str = "San pham") -> Iterator[bytes]:
    """A write-only workbook built row by row into a temp file, then streamed and deleted."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append([drop_controls(column) for column in columns])
    for rows in pages:
        for row in rows:  # control characters cannot be written to .xlsx: dropped, never a broken download
            sheet.append([drop_controls(cell) for cell in row])
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="cnnt-export-")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def streamed(engine: Engine, produce: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
    """Run `produce` in a session of its own, open for exactly as long as the response streams."""
    with Session(engine, expire_on_commit=False) as session:
        yield from produce(session)


def export_filename(kind: str, *, today: date, prefix: str = "cnnt-san-pham") -> str:
    """A dated download name, e.g. cnnt-san-pham-2026-11-21.csv."""
    return f"{prefix}-{today.isoformat()}.{kind}"


def _certificates(session: Session, ids: Sequence[int]) -> dict[int, list[Certificate]]:
    """Certificates of these products, oldest first."""
    found: dict[int, list[Certificate]] = {}
    stmt = select(Certificate).where(col(Certificate.product_id).in_(ids))
    for cert in session.exec(stmt.order_by(col(Certificate.issued_on), col(Certificate.id))).all():
        found.setdefault(cert.product_id, []).append(cert)
    return found


def _rounds(session: Session, certs: dict[int, list[Certificate]]) -> dict[int, SelectionRound]:
    """The rounds of these certificates by id, one query for the page."""
    ids = {c.round_id for found in certs.values() for c in found if c.round_id is not None}
    if not ids:
        return {}
    found = session.exec(select(SelectionRound).where(col(SelectionRound.id).in_(ids))).all()
    return {cast(int, r.id): r for r in found}


def _product_times(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    """Product id → when its own row last changed, one query for the page."""
    stmt = select(col(Product.id), col(Product.updated_at)).where(col(Product.id).in_(ids))
    rows = session.exec(stmt).all()
    return {cast(int, pid): moment for pid, moment in rows}


def _provenance(rounds: dict[int, SelectionRound], product_changed: datetime, producer: Producer,
                certs: Sequence[Certificate]) -> Provenance:
    """The rounds and the record's last change (product, producer or certificate) of one product."""
    moments = [product_changed, producer.updated_at, *(c.updated_at for c in certs)]
    return Provenance(rounds, latest_change(moments))


def _province_slugs(session: Session) -> dict[int, str]:
    """Province id → slug, one small query per download."""
    rows = session.exec(select(col(Province.id), col(Province.slug))).all()
    return {cast(int, pid): slug for pid, slug in rows}


def _certificate_json(cert: Certificate, provinces: dict[int, str], rounds: dict[int, SelectionRound],
                      base_url: str) -> dict[str, object]:
    """A certificate as the open-data JSON shows it, with the decision it rests on."""
    decision = decision_ref(rounds.get(cert.round_id) if cert.round_id is not None else None, base_url)
    return {
        "code": cert.code, "number": cert.number, "level": cert.level,
        "issued_on": cert.issued_on.isoformat(), "valid_until": cert.valid_until.isoformat(),
        "revoked_on": cert.revoked_on.isoformat() if cert.revoked_on else None,
        "province": provinces.get(cert.province_id), "verify_url": f"{base_url}/v/{cert.code}",
        "decision_number": decision.number,
        "decision_date": decision.day.isoformat() if decision.day else None,
        "decision_signer": decision.signer, "decision_url": decision.pdf_url,
        "updated_at": aware_utc(cert.updated_at).isoformat(),
    }


def product_json(doc: ProductDocument, producer: Producer, certs: list[Certificate],
                 provenance: Provenance, *, provinces: dict[int, str], today: date,
                 base_url: str) -> dict[str, object]:
    """One product with its producer and certificates (fields: the data dictionary page)."""
    shown = standing(doc["validity"], on=today)
    return {
        "slug": doc["slug"], "name": doc["name"], "url": f"{base_url}/san-pham/{doc['slug']}",
        "group": doc["group"], "group_label": _label(ProductGroup, doc["group"]),
        "level": shown.level.value if shown.level else None,
        "level_label": shown.level.label if shown.level else None,
        "years": doc["years"], "status": shown.status.value, "status_label": shown.status.label,
        "valid_until": shown.until.isoformat() if shown.until else None, "province": doc["province"],
        "certified_provinces": doc["certified_provinces"],
        "producer": {"name": producer.name, "legal_form": producer.legal_form, "address": producer.address,
                     "phone": producer.phone, "email": producer.email, "website": producer.website},
        "certificates": [_certificate_json(c, provinces, provenance.rounds, base_url) for c in certs],
        "updated_at": provenance.updated_at.isoformat(),
    }


def json_chunks(*, session: Session, request: ExportRequest) -> Iterator[bytes]:
    """A JSON array of every matching product, written one keyset page at a time."""
    provinces = _province_slugs(session)
    yield b"["
    first = True
    for ids in _id_pages(session, request):
        documents = build_documents(session=session, product_ids=ids)
        producers, certs = _producers(session, ids), _certificates(session, ids)
        rounds, changed = _rounds(session, certs), _product_times(session, ids)
        items = [json.dumps(product_json(documents[i], producers[i], certs.get(i, []),
                                         _provenance(rounds, changed[i], producers[i], certs.get(i, [])),
                                         provinces=provinces, today=request.query.today,
                                         base_url=request.base_url),
                            ensure_ascii=False) for i in ids if i in documents]
        session.expunge_all()
        if items:
            yield (("" if first else ",") + "\n" + ",\n".join(items)).encode("utf-8")
            first = False
    yield b"\n]\n"
