"""Database tables. Codes (level, group, region, legal form) are stored as strings and
checked against app.domain; dates are calendar dates, timestamps are UTC-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.domain.states import (
    ApplicationState,
    ClaimState,
    ImportBatchState,
    MailState,
    ProductState,
    ReportState,
    RoundState,
)

# Constraint names the same on every database, so migrations can name what they drop or alter;
# set on the shared metadata before any table below is declared.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(UTC)


def _timestamp() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True)


def _state() -> sa.types.TypeEngine[str]:
    """A workflow state column: its enum's value as VARCHAR(16), never a database ENUM type."""
    return sa.String(16)


class Province(SQLModel, table=True):
    """A current province (with official code) or a former one (with its successor)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)
    code: str | None = Field(default=None, max_length=8, unique=True)
    successor_id: int | None = Field(default=None, foreign_key="province.id")


class Producer(SQLModel, table=True):
    """A rural industrial establishment (company, cooperative, group or household business)."""

    __table_args__ = (sa.UniqueConstraint("name_key", "province_id"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=300)
    name_key: str = Field(max_length=300)
    legal_form: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)
    province_id: int = Field(foreign_key="province.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class Product(SQLModel, table=True):
    """A certified product or set of products (bộ sản phẩm)."""

    __table_args__ = (sa.UniqueConstraint("producer_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=300)
    name_key: str = Field(max_length=300)
    group: str = Field(max_length=32)
    description: str | None = Field(default=None, sa_type=sa.Text())
    state: ProductState = Field(default=ProductState.PUBLISHED, sa_type=_state())
    producer_id: int = Field(foreign_key="producer.id", index=True)
    province_id: int = Field(foreign_key="province.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class ProductImage(SQLModel, table=True):
    """A photo of a product, stored once under its content hash; position 0 is the cover."""

    __tablename__ = "product_image"
    __table_args__ = (sa.UniqueConstraint("product_id", "content_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    content_hash: str = Field(max_length=64)
    width: int
    height: int
    alt: str = Field(default="", max_length=300)
    position: int = 0


class SelectionRound(SQLModel, table=True):
    """A selection round: level, year, region (regional) or province (local and provincial)."""

    __tablename__ = "selection_round"

    id: int | None = Field(default=None, primary_key=True)
    level: str = Field(max_length=16)
    year: int
    region: str | None = Field(default=None, max_length=32)
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    organiser: str | None = Field(default=None, max_length=300)
    decision_number: str | None = Field(default=None, max_length=100)
    decision_date: date | None = None
    decision_signer: str | None = Field(default=None, max_length=300)  # the office that signed the decision
    decision_pdf_hash: str | None = Field(default=None, max_length=64)  # the decision PDF's SHA-256
    decision_pdf_size: int | None = None
    decision_pdf_name: str | None = Field(default=None, max_length=200)  # as uploaded
    state: RoundState = Field(default=RoundState.PUBLISHED, sa_type=_state())


class Certificate(SQLModel, table=True):
    """A certificate: printed number, public verification code, level and validity."""

    __table_args__ = (sa.UniqueConstraint("product_id", "level", "issued_on"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    number: str | None = Field(default=None, max_length=100)
    number_key: str | None = Field(default=None, max_length=100, index=True)
    level: str = Field(max_length=16)
    issued_on: date
    valid_until: date
    revoked_on: date | None = None
    revoked_reason: str | None = Field(default=None, max_length=500)
    score: float | None = None
    product_id: int = Field(foreign_key="product.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="selection_round.id", index=True)
    province_id: int = Field(foreign_key="province.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class OutboxEvent(SQLModel, table=True):
    """A product whose search document must be rebuilt; written in the same transaction."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class MailMessage(SQLModel, table=True):
    """An e-mail to send, written in the transaction of the change that caused it (app/services/mail).

    `dedupe_key` names what the message is about (e.g. one report's outcome): queueing it again does
    nothing. The sender claims a due `queued` row by setting it `sending`, then marks it `sent` or
    schedules the next attempt (`next_attempt_at`), or gives up (`failed`).
    """

    __tablename__ = "mail_outbox"
    # The sender's scan: due messages in a state, oldest first.
    __table_args__ = (sa.Index("ix_mail_outbox_state_next_attempt_at", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    dedupe_key: str = Field(max_length=200, unique=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=sa.Text())
    html_body: str = Field(sa_type=sa.Text())
    headers: str = Field(default="{}", sa_type=sa.Text())  # JSON object of extra headers (List-Unsubscribe…)
    state: MailState = Field(default=MailState.QUEUED, sa_type=_state())
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    claimed_at: datetime | None = Field(default=None, sa_type=_timestamp())
    last_error: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = Field(default=None, sa_type=_timestamp())
    message_id: str | None = Field(default=None, max_length=300)  # set on the first attempt, kept for retries


class VerificationCount(SQLModel, table=True):
    """How often a certificate was looked up on a day (Vietnam date); no personal data at all."""

    __tablename__ = "verification_count"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True)
    day: date
    count: int = 0


class MisuseReport(SQLModel, table=True):
    """A consumer's report of a suspected fake or logo misuse, for the responsible office.

    `province_id` is the product's current province (its office handles it); NULL when the
    product is unknown, which leaves the report to the ministry. No IP address is stored.
    """

    __tablename__ = "misuse_report"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id", index=True)
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    reported_code: str = Field(default="", max_length=100)  # what the reporter typed
    where_bought: str = Field(max_length=300)
    details: str = Field(default="", max_length=2000)
    photo_hash: str | None = Field(default=None, max_length=64)
    photo_width: int | None = None
    photo_height: int | None = None
    contact: str | None = Field(default=None, max_length=200)
    state: ReportState = Field(default=ReportState.NEW, sa_type=_state())


class MisuseReportEvent(SQLModel, table=True):
    """One move of a misuse report between states: when, by whom, from what to what, and why."""

    __tablename__ = "misuse_report_event"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="misuse_report.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    user_id: int | None = Field(default=None, foreign_key="user.id")
    from_state: ReportState = Field(sa_type=_state())
    to_state: ReportState = Field(sa_type=_state())
    note: str = Field(default="", max_length=2000)


class CorrectionReport(SQLModel, table=True):
    """A visitor's report that a published record is wrong (name, contacts, address, certificate, photo).

    It names one record: a product, a producer, or a certificate (with its product). `province_id` is
    the record's current province, whose office handles it; NULL leaves it to the ministry. The same
    states as a misuse report. No IP address is stored; `email` only when the visitor typed one.
    """

    __tablename__ = "correction_report"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    producer_id: int | None = Field(default=None, foreign_key="producer.id", index=True)
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id", index=True)
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    field: str = Field(max_length=16)  # a CorrectionField value: what is wrong
    details: str = Field(max_length=2000)  # what is wrong, and what is right
    evidence: str = Field(default="", max_length=2000)
    evidence_url: str = Field(default="", max_length=500)
    email: str | None = Field(default=None, max_length=254)
    state: ReportState = Field(default=ReportState.NEW, sa_type=_state(), index=True)


class CorrectionReportEvent(SQLModel, table=True):
    """One move of a correction report between states: when, by whom, from what to what, and why."""

    __tablename__ = "correction_report_event"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="correction_report.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    user_id: int | None = Field(default=None, foreign_key="user.id")
    from_state: ReportState = Field(sa_type=_state())
    to_state: ReportState = Field(sa_type=_state())
    note: str = Field(default="", max_length=2000)


class UsedFormToken(SQLModel, table=True):
    """A one-time form token already spent (its random nonce): a replayed form is refused.

    Kept until the token would have expired anyway (`expires_at`); older rows are pruned.
    """

    __tablename__ = "used_form_token"

    nonce: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=40)
    expires_at: datetime = Field(sa_type=_timestamp(), index=True)


class User(SQLModel, table=True):
    """An office account: the ministry's administrators, or one province office's staff.

    A province office owns its current province (`province_id`, always a current one) and,
    through it, the records of the former provinces merged into it.
    """

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=16)  # "admin" | "office"
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    is_active: bool = True
    # Bumped on sign-out, password change or reset, deactivation: older session cookies stop working.
    session_version: int = 1
    must_change_password: bool = False  # set by an administrator's reset: choose a new one first
    last_login_at: datetime | None = Field(default=None, sa_type=_timestamp())
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class AuditEntry(SQLModel, table=True):
    """One recorded change: who, when, what, and the values before and after (JSON)."""

    __tablename__ = "audit_entry"
    # The public status history of a certificate reads its entries on every verification.
    __table_args__ = (sa.Index("ix_audit_entry_entity_entity_id", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=_timestamp(), index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    before: str | None = Field(default=None, sa_type=sa.Text())
    after: str | None = Field(default=None, sa_type=sa.Text())


class ImportBatch(SQLModel, table=True):
    """A winners spreadsheet uploaded in the browser: previewed, then published or discarded."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    user_id: int = Field(foreign_key="user.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="selection_round.id", index=True)
    province_id: int | None = Field(default=None, foreign_key="province.id", index=True)
    filename: str = Field(max_length=300)
    stored_path: str = Field(max_length=500)  # the uploaded file, kept under DATA_DIR/private/imports
    state: ImportBatchState = Field(default=ImportBatchState.PREVIEW, sa_type=_state())
    rows: int = 0
    errors: int = 0
    warnings: int = 0
    summary: str | None = Field(default=None, sa_type=sa.Text())
    published_at: datetime | None = Field(default=None, sa_type=_timestamp())


class RateLimitCount(SQLModel, table=True):
    """Hits of one rate-limit key (a hash: no address, no e-mail) in one fixed window, shared by every
    worker (app/web/rate_counts.py); UNLOGGED on PostgreSQL, deleted once expired."""

    __tablename__ = "rate_limit_count"

    key: str = Field(sa_type=sa.String(64), primary_key=True)
    window_start: int = Field(sa_type=sa.BigInteger(), primary_key=True)  # seconds since the epoch
    count: int = 0
    expires_at: int = Field(sa_type=sa.BigInteger(), index=True)


sa.event.listen(  # create_all (tests) makes it as the migration does: no write-ahead log for counters
    SQLModel.metadata.tables["rate_limit_count"], "after_create",
    sa.DDL("ALTER TABLE rate_limit_count SET UNLOGGED").execute_if(dialect="postgresql"),  # type: ignore[no-untyped-call]
)


class WatchList(SQLModel, table=True):
    """A buyer's watch list of certificates and products, alerted by e-mail (app/services/watch).

    No account: the list is reached by signed links sent to its address. `email` stays NULL until the
    address is confirmed (double opt-in); until then the address exists only inside the signed
    confirmation link. `feed_key` is the random, private part of the list's Atom and iCalendar URLs.
    """

    __tablename__ = "watch_list"

    id: int | None = Field(default=None, primary_key=True)
    feed_key: str = Field(max_length=40, unique=True)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp(), index=True)
    confirmed_at: datetime | None = Field(default=None, sa_type=_timestamp())


class WatchItem(SQLModel, table=True):
    """One watched thing: a certificate (from its code) or a product (all its certificates, new ones too)."""

    __tablename__ = "watch_item"
    __table_args__ = (sa.UniqueConstraint("list_id", "product_id", "certificate_id"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="watch_list.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class WatchAlert(SQLModel, table=True):
    """The alerts ledger: one row per alert of a list about a certificate, so each is sent exactly once.

    `mark` tells occurrences of a kind apart (the valid-until date an end alert counted down to, the
    revocation date, the day of a reinstatement). `notified` is False for a baseline row: a certificate
    already revoked when it was added is recorded, not announced, so a later reinstatement is noticed.
    """

    __tablename__ = "watch_alert"
    __table_args__ = (sa.UniqueConstraint("list_id", "certificate_id", "kind", "mark"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="watch_list.id", index=True)
    certificate_id: int = Field(foreign_key="certificate.id")
    kind: str = Field(max_length=20)
    mark: str = Field(max_length=20)
    day: date  # the Vietnam date of the run that sent it
    notified: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class RoundCall(SQLModel, table=True):
    """A round's call for entries: when producers may apply, what they attach and how entries are scored.

    At most one per round (a round known only from its winners list has none). `documents` and
    `criteria` are JSON lists the office edits, defaulted from the regulation (app/domain/calls.py);
    the stage the public sees (receiving, scoring, published) follows from the dates and the round's
    state, so it is never stored.
    """

    __tablename__ = "round_call"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="selection_round.id", unique=True)
    opens_on: date
    closes_on: date  # the last day entries are taken, to its end in Vietnam time
    results_on: date | None = None
    documents: str = Field(default="[]", sa_type=sa.Text())  # [{"key", "label", "required"}]
    criteria: str = Field(default="[]", sa_type=sa.Text())  # [{"key", "label", "points"}]
    pass_mark: float | None = None
    notes: str = Field(default="", sa_type=sa.Text())
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class ProducerAccount(SQLModel, table=True):
    """A producer's own account (cơ sở CNNT), apart from the office users: no office route reads this table.

    Registered with an e-mail address (confirmed by a link before it can sign in) and a password, or
    none (`password_hash` empty: signs in by one-time links only). `producer_id` is set once an office
    approves its claim to an existing producer record, or when it registers a new producer.
    `session_version` ends every copy of its session cookie at once, as for office users.
    """

    __tablename__ = "producer_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(default="", max_length=300)
    confirmed_at: datetime | None = Field(default=None, sa_type=_timestamp())
    producer_id: int | None = Field(default=None, foreign_key="producer.id", index=True)
    is_active: bool = True
    session_version: int = 1
    last_login_at: datetime | None = Field(default=None, sa_type=_timestamp())
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class ProducerClaim(SQLModel, table=True):
    """A producer account's claim to an existing producer record, decided by the office of its province.

    `province_id` is the producer's current province when the claim was made: the office that decides.
    """

    __tablename__ = "producer_claim"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="producer_account.id", index=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    province_id: int = Field(foreign_key="province.id", index=True)
    message: str = Field(default="", max_length=1000)  # what the producer gives to show it is them
    state: ClaimState = Field(default=ClaimState.PENDING, sa_type=_state())
    note: str = Field(default="", max_length=1000)  # the office's reason, shown to the producer
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=_timestamp())
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class Application(SQLModel, table=True):
    """A producer's application (hồ sơ) to a round's call for entries: one per producer per round.

    `self_scores` is the producer's self-assessment, a JSON object of criterion key → points; `note` is
    the office's latest note (why it was returned). The states and their moves: app/domain/states.py.
    """

    __tablename__ = "application"
    __table_args__ = (sa.UniqueConstraint("round_id", "producer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="selection_round.id", index=True)
    call_id: int = Field(foreign_key="round_call.id", index=True)
    account_id: int = Field(foreign_key="producer_account.id", index=True)
    producer_id: int = Field(foreign_key="producer.id", index=True)
    product_name: str = Field(default="", max_length=300)
    group: str = Field(default="", max_length=32)
    description: str = Field(default="", sa_type=sa.Text())
    self_scores: str = Field(default="{}", sa_type=sa.Text())
    state: ApplicationState = Field(default=ApplicationState.DRAFT, sa_type=_state())
    note: str = Field(default="", max_length=2000)
    submitted_at: datetime | None = Field(default=None, sa_type=_timestamp())
    decision: str | None = Field(default=None, max_length=16)  # the council's: "selected" | "not_selected"
    # The certificate a selected application became when the round's results were published.
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id", index=True)
    # A nomination's: the lower level's certificate it stands on (the checklist's lower certificate item).
    lower_certificate_id: int | None = Field(default=None, foreign_key="certificate.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class ApplicationFile(SQLModel, table=True):
    """A file attached to an application for one checklist item, stored privately under its content hash."""

    __tablename__ = "application_file"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    document_key: str = Field(max_length=60)  # a `DocumentItem.key` of the call's checklist
    filename: str = Field(max_length=200)  # as uploaded, for the people reading the dossier
    content_hash: str = Field(max_length=64)
    size: int
    media_type: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class ApplicationEvent(SQLModel, table=True):
    """One move of an application between states: by an office user or by the producer account, and why."""

    __tablename__ = "application_event"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
    user_id: int | None = Field(default=None, foreign_key="user.id")
    account_id: int | None = Field(default=None, foreign_key="producer_account.id")
    from_state: ApplicationState = Field(sa_type=_state())
    to_state: ApplicationState = Field(sa_type=_state())
    note: str = Field(default="", max_length=2000)


class RoundJuror(SQLModel, table=True):
    """A juror (a `User` with the role "juror") appointed to score a round's accepted applications."""

    __tablename__ = "round_juror"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="selection_round.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    appointed_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())


class JurorReview(SQLModel, table=True):
    """One juror's scores of one application: JSON objects criterion key → points and → comment.

    `conflict` set: the juror declared a conflict of interest; it no longer sees nor scores the
    application, and its scores (none) are left out of the averages.
    """

    __tablename__ = "juror_review"
    __table_args__ = (sa.UniqueConstraint("application_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    scores: str = Field(default="{}", sa_type=sa.Text())
    comments: str = Field(default="{}", sa_type=sa.Text())
    conflict: bool = False
    conflict_note: str = Field(default="", max_length=1000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=_timestamp())
