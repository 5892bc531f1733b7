"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import create_app
from app.extensions import db


@pytest.fixture
def migrations_app(config_class, empty_database_url):
    class MigrationsConfig(config_class):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(MigrationsConfig)
    with app.app_context():
        yield app
        db.engine.dispose()


def test_migrations_produce_the_models_schema(migrations_app):
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `flask db migrate`: the models and migrations differ"


def test_migrations_downgrade_to_nothing(migrations_app):
    flask_migrate.upgrade()
    assert "users" in inspect(db.engine).get_table_names()
    flask_migrate.downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
