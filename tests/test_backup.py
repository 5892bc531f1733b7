"""``flask backup create`` and ``flask backup restore``: a backup restored into an empty
database holds every row, on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db


@pytest.fixture
def restored_app(config_class, empty_database_url):
    class RestoreInto(config_class):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(RestoreInto)
    yield app
    with app.app_context():
        db.engine.dispose()


def every_row() -> dict[str, list[tuple]]:
    """Every table's rows, in a stable order (in the current app's database)."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }


def test_a_backup_restored_into_an_empty_database_holds_every_row(
    app, runner, world, assessments, tracker, restored_app, tmp_path
):
    original = every_row()
    backup = tmp_path / "crm.backup"
    result = runner.invoke(args=["backup", "create", "-o", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"to {backup}" in result.output

    # In the restored app's own context: a command takes the app whose context is current.
    with restored_app.app_context():
        result = restored_app.test_cli_runner().invoke(
            args=["backup", "restore", str(backup), "--yes"]
        )
        restored = every_row()
    assert result.exit_code == 0, result.output
    assert f"Restored {restored_app.config['SQLALCHEMY_DATABASE_URI']}" in result.output
    total = sum(len(rows) for rows in original.values())
    assert f"{total} rows in" in result.output
    assert restored == original
    tables = ("users", "audit_events", "customers", "organisation_brandings")  # logos: bytes
    assert all(original[name] for name in tables)


def test_restore_asks_before_replacing_and_changes_nothing_when_told_no(
    app, runner, world, restored_app, tmp_path
):
    backup = tmp_path / "crm.backup"
    runner.invoke(args=["backup", "create", "-o", str(backup)])
    with restored_app.app_context():
        restorer = restored_app.test_cli_runner()
        result = restorer.invoke(args=["backup", "restore", str(backup)], input="n\n")
        assert "users" not in db.inspect(db.engine).get_table_names()
    assert result.exit_code == 1
    assert "Replace every row of" in result.output


def test_a_file_that_is_not_a_backup_is_refused(app, runner, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("not a database")
    result = runner.invoke(args=["backup", "restore", str(stray), "--yes"])
    assert result.exit_code == 1
    assert "Error:" in result.output


def test_a_sqlite_backup_needs_the_apps_tables(app, runner, tmp_path):
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite files only")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    result = runner.invoke(args=["backup", "restore", str(other), "--yes"])
    assert "is not a backup of this app's database" in result.output


def test_backups_go_to_the_instance_folder_by_default(app, runner, world, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "backups").iterdir()
    assert written.name.startswith("crm-readiness-")
    assert written.suffix in (".sqlite", ".dump")
    assert str(written) in result.output
