"""The health check reports whether the database answers."""

from __future__ import annotations

from app import create_app
from app.extensions import db


def test_healthz_reports_the_database(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"
    assert response.json["dialect"] == db.engine.dialect.name


def test_healthz_fails_when_the_database_is_unreachable(config_class, tmp_path):
    class Unreachable(config_class):
        # A folder, not a file: SQLite cannot open it.
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}"

    app = create_app(Unreachable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"] == "unreachable"
    with app.app_context():
        db.engine.dispose()
