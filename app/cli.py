"""The `cnnt` command line: serve, migrate, load demo data, import, search upkeep, office accounts."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.config import Settings
from app.domain.permissions import Role

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


@cli.callback()
def name_connections(ctx: typer.Context) -> None:
    """Name this command's PostgreSQL connections (application_name) after it."""
    # PostgreSQL shows this as application_name in pg_stat_activity, so an operator can tell a
    # long import or a backup from the site's own connections; an explicit PGAPPNAME wins.
    # Unset again when the command ends, so a caller running the CLI in-process keeps its own.
    if "PGAPPNAME" not in os.environ:
        os.environ["PGAPPNAME"] = f"cnnt {ctx.invoked_subcommand}"
        ctx.call_on_close(lambda: os.environ.pop("PGAPPNAME", None))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the site with uvicorn."""
    import uvicorn

    uvicorn.run("app.asgi:app", host=host, port=port, workers=workers, proxy_headers=True)


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
    from app.services.backup import run_backup

    raise typer.Exit(run_backup(Settings(), path, echo=typer.echo))


@db_cli.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A file written by `db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup, migrate it to this version, rebuild the search index."""
    from app.services.backup import run_restore

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
        from app.services.demo_synthetic import load_synthetic

        raise typer.Exit(load_synthetic(Settings(), count=synthetic, if_empty=if_empty, echo=typer.echo))
    from app.services.demo import load_demo

    code = load_demo(Settings(), if_empty=if_empty, echo=typer.echo)
    raise typer.Exit(code)


@cli.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".xlsx or .csv")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; change nothing.")] = False,
) -> None:
    """Import a winners spreadsheet; any error changes nothing and is reported by row and column."""
    from app.services.importer import run_import

    code = run_import(Settings(), file, dry_run=dry_run, echo=typer.echo)
    raise typer.Exit(code)


@media_cli.command("backfill")
def media_backfill() -> None:
    """Write missing photo variants (e.g. AVIF added after the photos were stored)."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.models import ProductImage
    from app.services.photos import backfill_variants

    settings = Settings()
    engine = make_engine(settings.sqlalchemy_url)
    with Session(engine) as session:
        hashes = set(session.exec(select(ProductImage.content_hash)).all())
    engine.dispose()
    written = sum(backfill_variants(media_dir=settings.media_path, content_hash=h) for h in sorted(hashes))
    typer.echo(f"Đã kiểm tra {len(hashes)} ảnh; ghi thêm {written} tệp biến thể.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the database."""
    from search.indexer import run_reindex

    raise typer.Exit(run_reindex(Settings(), echo=typer.echo))


@search_cli.command("check")
def search_check() -> None:
    """Report drift between the database and the search index (exit 1 if any)."""
    from search.indexer import run_check

    raise typer.Exit(run_check(Settings(), echo=typer.echo))


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


@user_cli.command("add")
def user_add(
    email: Annotated[str, typer.Option("--email", help="Email used to sign in.")],
    name: Annotated[str, typer.Option("--name", help="Name shown in the workspace and the audit log.")],
    role: Annotated[Role, typer.Option("--role", help="admin (the ministry) or office (a province).")],
    province: Annotated[str | None, typer.Option(
        "--province", help="An office's current province: name, slug or code (e.g. 'Đà Nẵng', da-nang, 48).",
    )] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin (for scripts).",
    )] = False,
) -> None:
    """Create an office account; the password is never a command-line argument."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.errors import InvalidInput
    from app.services.accounts import create_user

    password = _read_new_password(password_stdin)
    engine = make_engine(Settings().sqlalchemy_url)
    try:
        with Session(engine) as session:
            try:
                user = create_user(session=session, email=email, name=name, password=password,
                                   role=role, province=province)
            except InvalidInput as error:
                typer.echo(f"Lỗi: {error.message} Chưa tạo tài khoản.", err=True)
                raise typer.Exit(1) from error
            session.commit()
            typer.echo(f"Đã tạo tài khoản {role.label}: {user.email}.")
    finally:
        engine.dispose()


def main() -> None:
    """Entry point of the `cnnt` script."""
    cli()
