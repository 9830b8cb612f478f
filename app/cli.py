"""The `cnnt` command line: serve, migrate, load demo data, import, search upkeep, office accounts.

Each command is a use-case boundary: it opens the stores, calls services (which flush, never
commit), commits, then indexes, and turns the outcome into lines and an exit code. Heavy
imports stay inside the functions, so `cnnt --help` starts fast.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.config import Settings
from app.domain.permissions import Role

if TYPE_CHECKING:
    from sqlmodel import Session

    from search.engine import SearchEngine


# Each command imports what it runs inside its function (late on purpose, not to dodge a cycle):
# `cnnt --help` and every command start without loading the others' dependencies (alembic, the
# search engines, openpyxl, Pillow).
cli = typer.Typer(help="CNNT catalog: sản phẩm công nghiệp nông thôn tiêu biểu.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema, backup and restore.", no_args_is_help=True)
search_cli = typer.Typer(help="Search index upkeep.", no_args_is_help=True)
user_cli = typer.Typer(help="Office accounts (Bộ Công Thương, Sở Công Thương).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(search_cli, name="search")
media_cli = typer.Typer(help="Photo files.", no_args_is_help=True)
cli.add_typer(media_cli, name="media")
cli.add_typer(user_cli, name="user")
mail_cli = typer.Typer(help="Outgoing e-mail (CNNT_SMTP_URL, or .eml files).", no_args_is_help=True)
cli.add_typer(mail_cli, name="mail")
alerts_cli = typer.Typer(help="Watch-list alerts (certificates ending, revoked, reinstated, new).",
                         no_args_is_help=True)
cli.add_typer(alerts_cli, name="alerts")
opendata_cli = typer.Typer(help="Open data: dated monthly snapshots of the full CSV and JSON.",
                           no_args_is_help=True)
cli.add_typer(opendata_cli, name="opendata")
log = logging.getLogger(__name__)
Echo = Callable[[str], object]
INDEX_RETRY_WARNING = (
    "Cảnh báo: chưa cập nhật được chỉ mục tìm kiếm (công cụ tìm kiếm đang gặp sự cố). "
    "Dữ liệu đã được lưu; các sản phẩm sẽ được lập chỉ mục ở lần áp dụng hàng đợi kế tiếp, "
    "hoặc chạy `cnnt search reindex` khi công cụ tìm kiếm hoạt động trở lại."
)


@cli.callback()
def name_connections(ctx: typer.Context) -> None:
    """Name this command's PostgreSQL connections (application_name) after it."""
    # PostgreSQL shows this as application_name in pg_stat_activity, so an operator can tell a
    # long import or a backup from the site's own connections; an explicit PGAPPNAME wins.
    # Unset again when the command ends, so a caller running the CLI in-process keeps its own.
    if "PGAPPNAME" not in os.environ:
        os.environ["PGAPPNAME"] = f"cnnt {ctx.invoked_subcommand}"
        ctx.call_on_close(lambda: os.environ.pop("PGAPPNAME", None))


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, its engine disposed when the command is done."""
    from sqlmodel import Session

    from app.db import make_engine

    engine = make_engine(settings.sqlalchemy_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the site with uvicorn; several workers share their metrics through PROMETHEUS_MULTIPROC_DIR.

    Proxy headers are believed from CNNT_TRUSTED_PROXIES only, passed explicitly so that uvicorn's own
    FORWARDED_ALLOW_IPS (once "*" in our compose file) can never widen it: with "*" uvicorn takes the
    client's own left-most X-Forwarded-For entry, and every per-client rate limit resets at will.
    """
    import uvicorn

    from app.metrics import multiprocess_dir

    settings = Settings()
    trusted = settings.forwarded_allow_ips
    typer.echo(f"Thư điện tử: {settings.mail_destination}", err=True)  # where mail goes, never a password
    with multiprocess_dir(workers):
        uvicorn.run("app.asgi:app", host=host, port=port, workers=workers, proxy_headers=True,
                    forwarded_allow_ips=trusted)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema and load the province reference data."""
    from app.migrate import upgrade_database

    upgrade_database(Settings())
    typer.echo("Cơ sở dữ liệu đã được cập nhật.")


@db_cli.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(dir_okay=False, help="Backup file to write (replaced atomically).")],
) -> None:
    """Back up the database into one file while the site keeps serving (SQLite backup API, pg_dump)."""
    raise typer.Exit(run_backup(Settings(), path, echo=typer.echo))


@db_cli.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A file written by `db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup, migrate it to this version, rebuild the search index."""
    if not yes:
        typer.confirm(f"Thay toàn bộ dữ liệu hiện có bằng bản sao lưu {path}?", abort=True)
    raise typer.Exit(run_restore(Settings(), path, echo=typer.echo))


@cli.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only when no product exists.")] = False,
    synthetic: Annotated[int, typer.Option(
        "--synthetic", min=0, max=1_000_000, metavar="N",
        help="Instead: N generated products bulk-inserted (no photos, no importer), for scale tests.",
    )] = 0,
) -> None:
    """Load the demo data set (real sample products plus generated ones) through the importer."""
    if synthetic:
        raise typer.Exit(load_synthetic(Settings(), count=synthetic, if_empty=if_empty, echo=typer.echo))
    raise typer.Exit(load_demo(Settings(), if_empty=if_empty, echo=typer.echo))


Default = Annotated[str | None, typer.Option(help="Used where the file leaves it blank or has no column.")]
DateDefault = Annotated[str | None, typer.Option(help="dd/mm/yyyy or yyyy-mm-dd; a cell in the file wins.")]


@cli.command("import")
def import_(  # noqa: PLR0913 - one parameter per option of the command
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".xlsx or .csv")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; change nothing.")] = False,
    level: Default = None, province: Default = None, region: Default = None, decision_number: Default = None,
    decision_date: DateDefault = None,
    issued_on: Annotated[str | None, typer.Option(help="Issue date; defaults to --decision-date.")] = None,
) -> None:
    """Import a winners spreadsheet; any error changes nothing and is reported by row and column."""
    options = {"level": level, "province": province, "region": region, "decision_number": decision_number,
               "decision_date": decision_date, "issued_on": issued_on}
    raise typer.Exit(run_import(Settings(), file, dry_run=dry_run, echo=typer.echo, options=options))


@media_cli.command("backfill")
def media_backfill() -> None:
    """Write missing photo variants (e.g. AVIF added after the photos were stored)."""
    from sqlmodel import select

    from app.models import ProductImage
    from app.services.records.photos import backfill_variants

    settings = Settings()
    with _database(settings) as session:
        hashes = set(session.exec(select(ProductImage.content_hash)).all())
    written = sum(backfill_variants(media_dir=settings.media_path, content_hash=h) for h in sorted(hashes))
    typer.echo(f"Đã kiểm tra {len(hashes)} ảnh; ghi thêm {written} tệp biến thể.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the database."""
    raise typer.Exit(run_reindex(Settings(), echo=typer.echo))


@search_cli.command("check")
def search_check() -> None:
    """Report drift between the database and the search index (exit 1 if any)."""
    raise typer.Exit(run_check(Settings(), echo=typer.echo))


@search_cli.command("create-keys")
def search_create_keys(
    master_key: Annotated[str, typer.Option(
        "--master-key", envvar="MEILI_MASTER_KEY", show_default=False,
        help="Meilisearch's master key; better from MEILI_MASTER_KEY (a command line shows in `ps`).",
    )] = "",
) -> None:
    """Make the site's Meilisearch keys (admin, search-only) with the master key; print them as .env lines."""
    raise typer.Exit(run_create_keys(Settings(), master_key, echo=typer.echo,
                                     complain=lambda line: typer.echo(line, err=True)))


def _read_new_password(from_stdin: bool) -> str:
    """The new password: first line of stdin for scripts, else typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Mật khẩu", hide_input=True)
    repeat: str = typer.prompt("Nhập lại mật khẩu", hide_input=True)
    if password != repeat:
        typer.echo("Lỗi: hai lần nhập mật khẩu không khớp; chưa tạo tài khoản.", err=True)
        raise typer.Exit(1)
    return password


@mail_cli.command("send")
def mail_send() -> None:
    """Send the e-mail that is due now (idempotent: for cron; exit 1 if a message failed for good)."""
    from app.cli_mail import run_mail_send

    raise typer.Exit(run_mail_send(Settings(), echo=typer.echo))


@alerts_cli.command("run")
def alerts_run(
    today: Annotated[str | None, typer.Option(
        "--today", help="YYYY-MM-DD instead of today in Vietnam.")] = None,
) -> None:
    """Queue the watch-list alerts due today (idempotent: run daily from cron; a missed day catches up)."""
    from app.cli_alerts import run_alerts_run

    raise typer.Exit(run_alerts_run(Settings(), echo=typer.echo, today=_today_option(today)))


def _today_option(today: str | None) -> date | None:
    """A `--today` option as a date (None: today in Vietnam); exit 2 with a message when malformed."""
    try:
        return date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"Lỗi: ngày không hợp lệ: {today} (cần YYYY-MM-DD).", err=True)
        raise typer.Exit(2) from None


@opendata_cli.command("snapshot")
def opendata_snapshot(
    today: Annotated[str | None, typer.Option(
        "--today", help="YYYY-MM-DD instead of today in Vietnam.")] = None,
) -> None:
    """Write this month's open-data snapshot (CSV, JSON, SHA-256) unless written already; keep 24 months."""
    from app.cli_opendata import run_snapshot

    raise typer.Exit(run_snapshot(Settings(), echo=typer.echo, today=_today_option(today)))


@mail_cli.command("list")
def mail_list(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
) -> None:
    """List recent e-mail and its state (queued, sending, sent, failed)."""
    from app.cli_mail import run_mail_list

    raise typer.Exit(run_mail_list(Settings(), echo=typer.echo, limit=limit))


@user_cli.command("add")
def user_add(
    email: Annotated[str, typer.Option("--email", help="Email used to sign in.")],
    name: Annotated[str, typer.Option("--name", help="Name shown in the workspace and the audit log.")],
    role: Annotated[Role, typer.Option(
        "--role", help="admin (the ministry), office (a province) or juror (scores its rounds).")],
    province: Annotated[str | None, typer.Option(
        "--province", help="An office's current province: name, slug or code (e.g. 'Đà Nẵng', da-nang, 48).",
    )] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin (for scripts).",
    )] = False,
) -> None:
    """Create an office account; the password is never a command-line argument."""
    from app.errors import InvalidInput
    from app.services.office.users import create_user

    password = _read_new_password(password_stdin)
    with _database(Settings()) as session:
        try:
            user = create_user(session=session, email=email, name=name, password=password,
                               role=role, province=province)
        except InvalidInput as error:
            typer.echo(f"Lỗi: {error.message} Chưa tạo tài khoản.", err=True)
            raise typer.Exit(1) from error
        session.commit()
        typer.echo(f"Đã tạo tài khoản {role.label}: {user.email}.")


@user_cli.command("list")
def user_list() -> None:
    """List every office account: role, province, active or not, last sign-in."""
    from app.cli_accounts import run_user_list

    with _database(Settings()) as session:
        raise typer.Exit(run_user_list(session, echo=typer.echo))


@user_cli.command("deactivate")
def user_deactivate(email: Annotated[str, typer.Argument(help="The account's e-mail.")]) -> None:
    """Deactivate an account: it can no longer sign in and its sessions end (audited)."""
    from app.cli_accounts import run_user_deactivate

    with _database(Settings()) as session:
        raise typer.Exit(run_user_deactivate(session, email, echo=typer.echo,
                                             complain=lambda line: typer.echo(line, err=True)))


def index_outbox(settings: Settings, session: Session) -> int | None:
    """Apply pending outbox rows after commit; products re-synced, or None if the engine failed.

    Never raises for an engine failure: the data is committed and the outbox rows stay.
    """
    from search.engine import SearchUnavailable
    from search.factory import SearchConfigurationError, open_search_engine
    from search.indexer import index_after_commit

    try:
        engine = open_search_engine(settings)
    except (SearchUnavailable, SearchConfigurationError) as error:
        log.warning("search engine not opened, outbox rows kept: %s", error)
        return None
    try:
        return index_after_commit(session=session, engine=engine)
    finally:
        engine.close()


def _commit_and_index(settings: Settings, session: Session) -> int | None:
    """app.db.commit_and_index for a command: the engine is opened only once the data is committed.

    Opening it first would hold the database's write lock through a slow or unreachable engine.
    """
    session.commit()
    return index_outbox(settings, session)


def _with_stores(settings: Settings, echo: Echo, task: Callable[[Session, SearchEngine], int]) -> int:
    """Open the database and the search engine, run `task`, close both; errors → exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from search.engine import SearchUnavailable
    from search.factory import SearchConfigurationError, open_search_engine

    try:
        search = open_search_engine(settings)
    except (SearchConfigurationError, SearchUnavailable) as error:
        echo(f"Không mở được chỉ mục tìm kiếm: {error}")
        return 1
    try:
        with _database(settings) as session:
            return task(session, search)
    except (SearchUnavailable, SQLAlchemyError) as error:
        echo(f"Lỗi: {error}")
        return 1
    finally:
        search.close()


def run_reindex(settings: Settings, *, echo: Echo) -> int:
    """`cnnt search reindex`: rebuild the index; exit code 0 on success, 1 on error."""
    from search.indexer import reindex_all

    def task(session: Session, search: SearchEngine) -> int:
        count = reindex_all(session=session, engine=search)
        echo(f"Đã lập chỉ mục lại {count} sản phẩm.")
        return 0

    return _with_stores(settings, echo, task)


def _describe(label: str, ids: list[int]) -> str:
    """'Thiếu: 3 sản phẩm (id 1, 2, 5)', at most 20 ids shown."""
    shown = ", ".join(str(i) for i in ids[:20]) + (", …" if len(ids) > 20 else "")
    return f"{label}: {len(ids)} sản phẩm (id {shown})"


def run_check(settings: Settings, *, echo: Echo) -> int:
    """`cnnt search check`: report drift; exit code 0 when clean, 1 otherwise."""
    from search.indexer import check_drift

    def task(session: Session, search: SearchEngine) -> int:
        report = check_drift(session=session, engine=search)
        if report.clean:
            echo("Chỉ mục tìm kiếm khớp với cơ sở dữ liệu.")
            return 0
        for label, ids in (("Thiếu trong chỉ mục", report.missing), ("Đã cũ", report.stale),
                           ("Thừa trong chỉ mục", report.orphaned)):
            if ids:
                echo(_describe(label, ids))
        echo("Chạy `cnnt search reindex` để lập chỉ mục lại.")
        return 1

    return _with_stores(settings, echo, task)


def run_create_keys(settings: Settings, master_key: str, *, echo: Echo, complain: Echo) -> int:
    """`cnnt search create-keys`: the two CNNT_ key lines on `echo` (for `>> .env`); errors on `complain`."""
    from search.engine import SearchUnavailable
    from search.meili_keys import create_site_keys

    if not settings.meili_url or not master_key:
        complain("Lỗi: cần CNNT_MEILI_URL và khóa chủ của Meilisearch (MEILI_MASTER_KEY hoặc --master-key).")
        return 1
    try:
        keys, created = create_site_keys(settings.meili_url, master_key, settings.meili_index)
    except SearchUnavailable as error:
        complain(f"Lỗi: {error}")
        return 1
    echo(f"# Khóa Meilisearch cho chỉ mục {settings.meili_index} ({'vừa tạo' if created else 'đã có'}); "
         "trang web không cần khóa chủ.")
    for line in keys.env_lines():
        echo(line)
    return 0


def run_import(settings: Settings, path: Path, *, dry_run: bool, echo: Echo,
               options: dict[str, str | None] | None = None) -> int:
    """`cnnt import`: options as defaults, print notes and problems, commit, index; exit code 0, 1 or 2."""
    from app.cli_import import BAD_OPTION, import_and_report, parse_options

    defaults = parse_options(options, echo)
    if defaults is None:
        return BAD_OPTION
    with _database(settings) as session:
        report = import_and_report(session, path, media_dir=settings.media_path, dry_run=dry_run,
                                   defaults=defaults, echo=echo)
        if report.problems:
            return 1
        if not dry_run and _commit_and_index(settings, session) is None:
            echo(INDEX_RETRY_WARNING)
        echo(report.summary())
        return 0


def load_demo(settings: Settings, *, if_empty: bool, echo: Echo) -> int:
    """`cnnt demo`: import the demo spreadsheet, revoke a few certificates, index; exit code."""
    from sqlmodel import select

    from app.models import Product

    with _database(settings) as session:
        if if_empty and session.exec(select(Product.id)).first() is not None:
            echo("Đã có sản phẩm trong cơ sở dữ liệu; không nạp dữ liệu mẫu.")
            return 0
        return _load_demo(settings, session, echo)


def _load_demo(settings: Settings, session: Session, echo: Echo) -> int:
    """Import, commit; revoke, open the calls, add the demo accounts and applications, commit, index."""
    import tempfile

    from app.domain.validity import today_in
    from app.services.demo.calls import add_demo_calls, add_published_call
    from app.services.demo.entries import add_demo_round
    from app.services.demo.loader import build_demo_sheet, revoke_demo_share
    from app.services.imports.importer import import_file

    with tempfile.TemporaryDirectory(prefix="cnnt-demo-") as tmp:
        report = import_file(session=session, path=build_demo_sheet(Path(tmp)), media_dir=settings.media_path)
    for problem in report.problems:
        echo(str(problem))
    if report.problems:
        session.rollback()
        echo("Dữ liệu mẫu có lỗi; không có thay đổi nào được ghi.")
        return 1
    session.commit()
    revoked = revoke_demo_share(session=session)
    calls = add_demo_calls(session=session, today=today_in(settings.tz))
    published = add_published_call(session=session, today=today_in(settings.tz))
    accounts = add_demo_round(session=session, receiving=calls[0], scoring=calls[1],
                              dossier_dir=settings.dossier_path)
    indexed = _commit_and_index(settings, session)
    echo(report.summary())
    echo(f"Đã thu hồi {revoked} giấy chứng nhận minh họa.")
    echo(f"Đã mở {len(calls)} đợt nhận hồ sơ minh họa (/nop-ho-so)"
         + (", thêm một đợt đã công bố kết quả." if published else "."))
    echo(f"Tài khoản minh họa (chỉ dùng trên máy của bạn, xem README): {', '.join(accounts)}.")
    echo(INDEX_RETRY_WARNING if indexed is None else f"Đã cập nhật chỉ mục tìm kiếm ({indexed} sản phẩm).")
    return 0


def load_synthetic(settings: Settings, *, count: int, if_empty: bool, echo: Echo) -> int:
    """`cnnt demo --synthetic N`: insert N synthetic products in one transaction, then reindex; exit code."""
    from sqlmodel import select

    from app.models import Product
    from app.services.demo.synthetic import insert_synthetic

    with _database(settings) as session:
        if session.exec(select(Product.id)).first() is not None:
            echo("Đã có sản phẩm trong cơ sở dữ liệu; dữ liệu tổng hợp chỉ nạp vào danh mục trống.")
            return 0 if if_empty else 1
        rows = insert_synthetic(session=session, count=count)
        session.commit()
    echo(f"Đã tạo {len(rows.products)} sản phẩm, {len(rows.producers)} cơ sở, "
         f"{len(rows.certificates)} giấy chứng nhận (dữ liệu tổng hợp).")
    return run_reindex(settings, echo=echo)


def run_backup(settings: Settings, target: Path, *, echo: Echo) -> int:
    """`cnnt db backup`: exit code 0 with the file's size, 1 with the reason."""
    from app.services.upkeep.backup import BackupError, backup_database

    try:
        backup_database(settings.sqlalchemy_url, target)
    except BackupError as error:
        echo(f"Lỗi: {error.message} Chưa ghi bản sao lưu.")
        return 1
    size_mb = target.stat().st_size / 1_000_000
    echo(f"Đã sao lưu cơ sở dữ liệu vào {target} ({size_mb:.1f} MB). "
         f"Ảnh ({settings.media_path}) và ảnh báo cáo ({settings.private_media_path}) sao chép riêng.")
    return 0


def run_restore(settings: Settings, source: Path, *, echo: Echo) -> int:
    """`cnnt db restore`: restore, migrate to this version's schema, rebuild the search index."""
    from app.migrate import upgrade_database
    from app.services.upkeep.backup import BackupError, restore_database

    try:
        restore_database(settings.sqlalchemy_url, source)
    except BackupError as error:
        echo(f"Lỗi: {error.message} Cơ sở dữ liệu không thay đổi.")
        return 1
    echo(f"Đã khôi phục cơ sở dữ liệu từ {source}.")
    upgrade_database(settings)  # a backup from an older version gets this version's schema
    if run_reindex(settings, echo=echo) != 0:
        echo("Cảnh báo: chưa lập lại được chỉ mục tìm kiếm; chạy `cnnt search reindex` khi công cụ "
             "tìm kiếm hoạt động.")
        return 1
    return 0


def main() -> None:
    """Entry point of the `cnnt` script.

    Whatever the command's outcome, what is left in memory is frozen out of the cyclic garbage
    collector (gc.freeze) before the interpreter exits: its teardown frees module after module
    and collected every remaining object again and again, about half a second of a command like
    `cnnt search reindex` spent after the work was done. Objects are still freed, and files and
    buffers closed, as before.
    """
    try:
        cli()
    finally:
        gc.freeze()
