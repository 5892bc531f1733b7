"""Configuration: secrets, cookies and the database URL come from the environment."""

from __future__ import annotations

import pytest
from flask import Flask

from config import DevelopmentConfig, ProductionConfig


def bare_app(tmp_path, config_class, **settings) -> Flask:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.from_object(config_class)
    app.config.update(settings)
    config_class.init_app(app)
    return app


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        bare_app(tmp_path, ProductionConfig, SECRET_KEY=None, SQLALCHEMY_DATABASE_URI="sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        bare_app(
            tmp_path, ProductionConfig, SECRET_KEY="short", SQLALCHEMY_DATABASE_URI="sqlite://"
        )


def test_production_needs_a_database_url_and_secure_cookies(tmp_path):
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        bare_app(tmp_path, ProductionConfig, SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI=None)
    app = bare_app(
        tmp_path,
        ProductionConfig,
        SECRET_KEY="k" * 40,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        BASE_URL="https://crm.example.com",
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_a_secret_key_once(tmp_path):
    first = bare_app(tmp_path, DevelopmentConfig, SECRET_KEY=None, SQLALCHEMY_DATABASE_URI=None)
    second = bare_app(tmp_path, DevelopmentConfig, SECRET_KEY=None, SQLALCHEMY_DATABASE_URI=None)
    key = first.config["SECRET_KEY"]
    assert len(key) == 64
    assert second.config["SECRET_KEY"] == key
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert first.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'crm_readiness.sqlite'}"
    )


@pytest.mark.parametrize(
    ("redis_url", "storage", "expected"),
    [
        (None, None, "memory://"),
        ("redis://cache:6379/0", None, "redis://cache:6379/0"),
        ("redis://cache:6379/0", "redis://limits:6379/3", "redis://limits:6379/3"),
    ],
)
def test_rate_limits_are_kept_in_redis_whenever_there_is_one(
    tmp_path, redis_url, storage, expected
):
    app = bare_app(
        tmp_path,
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=storage,
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == expected


def test_production_warns_when_each_worker_counts_logins_alone(tmp_path, caplog):
    settings = {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    settings["BASE_URL"] = "https://crm.example.com"
    bare_app(tmp_path, ProductionConfig, REDIS_URL=None, RATELIMIT_STORAGE_URI=None, **settings)
    assert "Set REDIS_URL to share the counts." in caplog.text
    caplog.clear()
    bare_app(tmp_path, ProductionConfig, REDIS_URL="redis://cache:6379/0", **settings)
    assert "Rate limits are counted in memory" not in caplog.text
