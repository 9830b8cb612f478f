"""The office dashboard: what needs attention in the records an account is responsible for.

An office sees its current province and the former provinces merged into it, nothing else;
the ministry's administrators see everything, or one province through a filter. Every list
is capped and carries the full count, so a big province still gets a short page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.provinces import ProvinceInfo, current_provinces, formers_of, province_by_slug, successor_of
from app.domain.states import ImportBatchState, ReportState, state_label
from app.domain.validity import VIETNAM
from app.errors import InvalidInput
from app.models import (
    Certificate,
    ImportBatch,
    MisuseReport,
    Producer,
    Product,
    ProductImage,
    Province,
    User,
    VerificationCount,
)
from app.services.catalog.in_force import in_force_on
from app.services.office.account import Account
from app.services.office.correction_handling import count_new_corrections
from app.services.office.report_handling import count_open_reports
from app.services.verification.lookup import verification_counts
from app.services.verification.misuse_reports import reports_for_province

LIST_LIMIT = 20
VERIFICATION_DAYS = 30

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Capped(Generic[T]):
    """The first rows of a list and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        """How many rows the page leaves out."""
        return self.total - len(self.items)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose records: province ids (a current one and its former ones), or None for all."""

    province_ids: tuple[int, ...] | None
    province: ProvinceInfo | None  # the current province, None for the whole country
    office_id: int | None  # the province whose office receives misuse reports

    @property
    def name(self) -> str:
        """Vietnamese name of the scope."""
        return self.province.name if self.province else "Toàn quốc"

    @property
    def former_names(self) -> list[str]:
        """Names of the former provinces merged into the scope's province."""
        return [former.name for former in formers_of(self.province)] if self.province else []


@dataclass(frozen=True, slots=True)
class ProductRow:
    """A product with its producer, for the lists of missing photos and contacts."""

    product: Product
    producer: Producer


@dataclass(frozen=True, slots=True)
class ExpiringRow:
    """A certificate that ends this year, with the days it has left."""

    certificate: Certificate
    product: Product
    days_left: int


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A browser import, with who uploaded it and its state in Vietnamese."""

    batch: ImportBatch
    uploader: str
    state_label: str
    day: date


@dataclass(frozen=True, slots=True)
class VerificationRow:
    """How often a certificate was looked up in the window."""

    certificate: Certificate
    product: Product
    count: int


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A misuse report with its product's name (when known) and state in Vietnamese."""

    report: MisuseReport
    product_name: str
    state_label: str
    day: date


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the /quan-ly page shows for one account and scope."""

    scope: Scope
    today: date
    without_photos: Capped[ProductRow]
    without_contacts: Capped[ProductRow]
    expiring: Capped[ExpiringRow]
    imports: Capped[ImportRow]
    verifications: Capped[VerificationRow]
    verifications_total: int
    verifications_since: date
    reports: Capped[ReportRow]
    open_reports: int  # new or being checked, in the account's whole reach
    open_corrections: int  # reports of wrong information still waiting, in the account's whole reach
    ministry_reports: Capped[ReportRow] | None  # admins only: reports no province handles
    province_choices: tuple[ProvinceInfo, ...]  # admins only: the filter's options

    @property
    def verification_days(self) -> int:
        """How many days the lookup counts cover (today included)."""
        return (self.today - self.verifications_since).days + 1


def vn_day(moment: datetime) -> date:
    """The Vietnam calendar day of a stored instant (SQLite returns it without a zone: UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM).date()


def _scope_of(session: Session, info: ProvinceInfo) -> Scope:
    """A current province's row id and the ids of the former provinces merged into it."""
    row = session.exec(select(Province).where(Province.slug == info.slug)).one()
    formers = session.exec(select(Province.id).where(Province.successor_id == row.id)).all()
    ids = tuple(i for i in (row.id, *formers) if i is not None)
    return Scope(province_ids=ids, province=info, office_id=row.id)


def dashboard_scope(*, session: Session, account: Account, province_slug: str = "") -> Scope:
    """An office's own province (any filter ignored); an admin's filter, or the whole country."""
    wanted = province_slug.strip() if account.is_admin else (account.province_slug or "")
    if not wanted:
        if account.is_admin:
            return Scope(province_ids=None, province=None, office_id=None)
        return Scope(province_ids=(), province=None, office_id=None)  # an office without a province: nothing
    info = province_by_slug(wanted) if len(wanted) <= 64 else None
    if info is None:
        raise InvalidInput("Không có tỉnh/thành phố này.", field="tinh")
    return _scope_of(session, successor_of(info))


def _within(column: Any, scope: Scope) -> Any:
    """A condition keeping rows whose province column is in the scope."""
    return sa.true() if scope.province_ids is None else col(column).in_(scope.province_ids)


def _capped(session: Session, statement: Any, limit: int) -> tuple[list[Any], int]:
    """The first `limit` rows of `statement` and the count of all of them."""
    total = session.exec(select(sa.func.count()).select_from(statement.order_by(None).subquery())).one()
    return list(session.exec(statement.limit(limit)).all()), int(total)


def _products_without_photos(session: Session, scope: Scope, limit: int) -> Capped[ProductRow]:
    """Products that have no photo at all: the catalog shows them with a placeholder."""
    has_photo = select(ProductImage.id).where(ProductImage.product_id == Product.id).exists()
    statement = (select(Product, Producer).join(Producer, col(Producer.id) == col(Product.producer_id))
                 .where(_within(Product.province_id, scope), ~has_photo)
                 .order_by(col(Product.name_key), col(Product.id)))
    rows, total = _capped(session, statement, limit)
    return Capped([ProductRow(product, producer) for product, producer in rows], total)


def _blank(column: Any) -> Any:
    """True when a text column is NULL or empty."""
    return sa.func.coalesce(sa.func.trim(col(column)), "") == ""


def _products_without_contacts(session: Session, scope: Scope, limit: int) -> Capped[ProductRow]:
    """Products whose producer has neither phone, email nor website: buyers cannot reach them."""
    statement = (select(Product, Producer).join(Producer, col(Producer.id) == col(Product.producer_id))
                 .where(_within(Product.province_id, scope), _blank(Producer.phone),
                        _blank(Producer.email), _blank(Producer.website))
                 .order_by(col(Producer.name_key), col(Product.name_key), col(Product.id)))
    rows, total = _capped(session, statement, limit)
    return Capped([ProductRow(product, producer) for product, producer in rows], total)


def _in_scope_certificates(scope: Scope) -> Any:
    """Certificates certified in the scope or of a product now in it."""
    if scope.province_ids is None:
        return sa.true()
    return sa.or_(col(Certificate.province_id).in_(scope.province_ids),
                  col(Product.province_id).in_(scope.province_ids))


def _expiring_this_year(session: Session, scope: Scope, today: date, limit: int) -> Capped[ExpiringRow]:
    """Certificates still valid today whose validity ends by 31 December of this Vietnam year."""
    statement = (select(Certificate, Product).join(Product, col(Product.id) == col(Certificate.product_id))
                 .where(in_force_on(today), col(Certificate.valid_until) <= date(today.year, 12, 31),
                        _in_scope_certificates(scope))
                 .order_by(col(Certificate.valid_until), col(Certificate.id)))
    rows, total = _capped(session, statement, limit)
    items = [ExpiringRow(cert, product, (cert.valid_until - today).days) for cert, product in rows]
    return Capped(items, total)


def _recent_imports(session: Session, scope: Scope, limit: int) -> Capped[ImportRow]:
    """Browser imports, newest first, with their state."""
    statement = (select(ImportBatch, User).join(User, col(User.id) == col(ImportBatch.user_id), isouter=True)
                 .where(_within(ImportBatch.province_id, scope))
                 .order_by(col(ImportBatch.created_at).desc(), col(ImportBatch.id).desc()))
    rows, total = _capped(session, statement, limit)
    items = [ImportRow(batch, user.name if user else "", state_label(ImportBatchState, batch.state),
                       vn_day(batch.created_at)) for batch, user in rows]
    return Capped(items, total)


def _verified(session: Session, scope: Scope, since: date, limit: int) -> tuple[Capped[VerificationRow], int]:
    """Certificates looked up since `since`, most looked-up first, and the total of lookups."""
    looked_up = session.exec(
        select(Certificate.id).distinct()
        .join(VerificationCount, col(VerificationCount.certificate_id) == col(Certificate.id))
        .join(Product, col(Product.id) == col(Certificate.product_id))
        .where(col(VerificationCount.day) >= since, _in_scope_certificates(scope))
    ).all()
    counts = verification_counts(session=session, certificate_ids=[i for i in looked_up if i is not None],
                                 since=since)
    top = sorted((item for item in counts.items() if item[1] > 0), key=lambda item: (-item[1], item[0]))
    shown = dict(top[:limit])
    rows = session.exec(select(Certificate, Product)
                        .join(Product, col(Product.id) == col(Certificate.product_id))
                        .where(col(Certificate.id).in_(shown))).all()
    items = sorted((VerificationRow(cert, product, shown[cert.id or 0]) for cert, product in rows),
                   key=lambda row: (-row.count, row.certificate.id or 0))
    return Capped(items, len(top)), sum(counts.values())


def _report_rows(session: Session, reports: list[MisuseReport]) -> list[ReportRow]:
    """Reports with their products' names."""
    ids = {r.product_id for r in reports if r.product_id is not None}
    names: dict[int | None, str] = {}
    if ids:
        names.update(session.exec(select(Product.id, Product.name).where(col(Product.id).in_(ids))).all())
    return [ReportRow(r, names.get(r.product_id, ""), state_label(ReportState, r.state),
                      vn_day(r.created_at)) for r in reports]


def _count_reports(session: Session, where: Any) -> int:
    """How many misuse reports match."""
    return int(session.exec(select(sa.func.count()).select_from(MisuseReport).where(where)).one())


def _office_reports(session: Session, scope: Scope, limit: int) -> Capped[ReportRow]:
    """Reports for the scope's office; for the whole country, those of every province office."""
    where: Any
    if scope.province_ids is None:
        where = col(MisuseReport.province_id).is_not(None)
        reports = list(session.exec(select(MisuseReport).where(where).order_by(
            col(MisuseReport.created_at).desc(), col(MisuseReport.id).desc()).limit(limit)).all())
    elif scope.office_id is None:
        return Capped([], 0)
    else:
        where = col(MisuseReport.province_id) == scope.office_id
        reports = reports_for_province(session=session, province_id=scope.office_id, limit=limit)
    return Capped(_report_rows(session, reports), _count_reports(session, where))


def _ministry_reports(session: Session, limit: int) -> Capped[ReportRow]:
    """Reports about products nobody could tell: the ministry handles them."""
    reports = reports_for_province(session=session, province_id=None, limit=limit)
    total = _count_reports(session, col(MisuseReport.province_id).is_(None))
    return Capped(_report_rows(session, reports), total)


def build_dashboard(*, session: Session, account: Account, today: date, province_slug: str = "",
                    limit: int = LIST_LIMIT) -> Dashboard:
    """The dashboard of `account` on `today` (a Vietnam date); admins may narrow it to one province."""
    scope = dashboard_scope(session=session, account=account, province_slug=province_slug)
    since = today - timedelta(days=VERIFICATION_DAYS - 1)
    verifications, lookups = _verified(session, scope, since, limit)
    return Dashboard(
        scope=scope, today=today,
        without_photos=_products_without_photos(session, scope, limit),
        without_contacts=_products_without_contacts(session, scope, limit),
        expiring=_expiring_this_year(session, scope, today, limit),
        imports=_recent_imports(session, scope, limit),
        verifications=verifications, verifications_total=lookups, verifications_since=since,
        reports=_office_reports(session, scope, limit),
        open_reports=count_open_reports(session=session, account=account),
        open_corrections=count_new_corrections(session=session, account=account),
        ministry_reports=_ministry_reports(session, limit) if account.is_admin else None,
        province_choices=current_provinces() if account.is_admin else (),
    )
