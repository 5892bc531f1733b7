"""Application configuration, read from the environment.

Pick a class with ``APP_CONFIG`` (``development``, ``production``) or pass one to
``create_app``. Values that depend on the instance folder (the default SQLite file,
the generated development secret key) are resolved in ``init_app``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Languages: Persian is the product's first language.
    LANGUAGES = ("fa", "en")
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "fa")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Asia/Tehran")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "app" / "translations")

    # Mail: with no MAIL_SERVER, messages are written to the log instead.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "crm-readiness@localhost")

    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    # Respondents' private links last until a day after the deadline, or this many days.
    RESPONDENT_LINK_DAYS = int(os.environ.get("RESPONDENT_LINK_DAYS", "60"))
    # argon2id parameters (argon2-cffi's RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Rate limits on logins and password e-mails. memory:// counts per process; with
    # several gunicorn workers use a shared store such as redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 100 per hour")
    PASSWORD_MAIL_RATE_LIMIT = os.environ.get("PASSWORD_MAIL_RATE_LIMIT", "5 per minute")
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    ITEMS_PER_PAGE = 25
    # Respondent groups with fewer submitted responses than this are not shown on their own
    # in the results and the report, so that no one's answers can be read off them.
    MIN_GROUP_SIZE = int(os.environ.get("MIN_GROUP_SIZE", "3"))
    # Questionnaire definitions (YAML), one file per questionnaire.
    ASSESSMENTS_DIR = os.environ.get("ASSESSMENTS_DIR", str(Path(__file__).parent / "assessments"))
    ALLOW_DEMO_DATA = False  # `flask demo` refuses to run unless a config allows it

    @classmethod
    def init_app(cls, app: Flask) -> None:
        """Resolve settings that need the app's instance folder."""
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            db_file = Path(app.instance_path) / "crm_readiness.sqlite"
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    """Development only: a random key generated once and kept in the instance folder."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class DevelopmentConfig(Config):
    DEBUG = True
    ALLOW_DEMO_DATA = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def init_app(cls, app: Flask) -> None:
        if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random string of at least 32 characters in production."
            )
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("DATABASE_URL must be set in production.")
        super().init_app(app)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on (csrf_app)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    ALLOW_DEMO_DATA = True
    MAIL_SERVER = None
    # Fast hashing keeps the suite quick; never use these figures outside tests.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("APP_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_CONFIG={name!r} is not one of {', '.join(CONFIGS)}") from None
