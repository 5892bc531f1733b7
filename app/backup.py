"""``flask backup create [-o FILE]`` and ``flask backup restore FILE``: the whole database
to a file and back, on SQLite and PostgreSQL.

SQLite is copied with its online backup API: one consistent snapshot, taken page by page
while the app keeps serving (a plain copy of a database in WAL mode can miss the latest
commits, or catch a page half written). PostgreSQL is dumped by pg_dump in its custom
format and restored by pg_restore in one transaction, all or nothing; both tools come
with the PostgreSQL client (Debian: postgresql-client), of a version no older than the
server's. A restore replaces the rows of every table the backup holds: stop the app
first, so no request writes in between.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL

from app.extensions import db

backup_cli = AppGroup("backup", help="Back up the database to a file, and restore it.")
_SQLITE_HEADER = b"SQLite format 3\x00"


@backup_cli.command("create")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: instance/backups/crm-readiness-<UTC time>.sqlite, "
    "or .dump on PostgreSQL).",
)
def create_backup(output: Path | None) -> None:
    """Write a backup of the whole database while the app keeps running."""
    url = db.engine.url
    output = output or _default_output(url)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")  # never a half-written backup
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_file(url), partial)
        _check_sqlite(partial)
    else:
        _run("pg_dump", "--format=custom", f"--file={partial}", url=url)
    partial.replace(output)
    click.echo(f"Backed up {_described(url)} to {output} ({output.stat().st_size} bytes).")


@backup_cli.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_backup(backup: Path, yes: bool) -> None:
    """Replace the database's rows with those of BACKUP (stop the app first)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _check_sqlite(backup)
    else:
        _run("pg_restore", "--list", str(backup), url=None)  # a custom-format dump?
    if not yes:
        click.confirm(
            f"Replace every row of {_described(url)} with the backup {backup}?", abort=True
        )
    db.engine.dispose()  # no pooled connection goes on using what is replaced
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(backup, _sqlite_file(url))
    else:
        _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(backup),
            url=url,
        )
    counts = _row_counts()
    click.echo(
        f"Restored {_described(url)} from {backup}: "
        f"{sum(counts.values())} rows in {len(counts)} tables."
    )


def _default_output(url: URL) -> Path:
    moment = datetime.now(UTC).strftime("%Y%m%d-%H%M%SZ")
    suffix = "sqlite" if url.get_backend_name() == "sqlite" else "dump"
    return Path(current_app.instance_path) / "backups" / f"crm-readiness-{moment}.{suffix}"


def _described(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _sqlite_file(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise click.ClickException("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database over another (created if missing) with the backup API.
    The copy is left in rollback-journal mode, one file with nothing beside it; the app
    turns WAL back on when it connects."""
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reader,
        closing(sqlite3.connect(target)) as writer,
    ):
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=DELETE")


def _check_sqlite(path: Path) -> None:
    """Refuse a file that is not a sound SQLite database of this app."""
    with path.open("rb") as file:
        if file.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise click.ClickException(f"{path} is not an SQLite database")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    if verdict != "ok":
        raise click.ClickException(f"{path} is damaged: {verdict}")
    if not {"users", "organisations"} <= tables:
        raise click.ClickException(f"{path} is not a backup of this app's database")


def _run(tool: str, *arguments: str, url: URL | None) -> None:
    """Run a PostgreSQL client tool on the database at ``url``. The password goes in the
    environment, never on the command line, where any user could read it."""
    if shutil.which(tool) is None:
        raise click.ClickException(
            f"{tool} is not installed; on Debian or Ubuntu: apt-get install postgresql-client"
        )
    command, environment = [tool], dict(os.environ)
    if url is not None:
        if url.password:
            environment["PGPASSWORD"] = url.password
        libpq = url.set(drivername="postgresql", password=None)
        command.append(f"--dbname={libpq.render_as_string(hide_password=False)}")
    command += arguments  # the options, then any file, which comes last
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode:
        raise click.ClickException(f"{tool} failed:\n{result.stderr.strip()}")


def _row_counts() -> dict[str, int]:
    """Rows in each of the app's tables the database now holds."""
    present = set(inspect(db.engine).get_table_names())
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name in present
    }
