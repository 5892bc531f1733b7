"""Application configuration, read from the environment.

Pick a class with ``APP_CONFIG`` (``development``, ``production``) or pass one to
``create_app``. Values that depend on the instance folder (the default SQLite file,
the generated development secret key) are resolved in ``init_app``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask


def _env_list(name: str) -> list[str] | None:
    """A comma-separated setting as a list; None when it is not set."""
    value = os.environ.get(name)
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    # The address people reach the app at, such as https://crm.example.com: every link
    # that leaves the app (e-mails, the links page) starts with it, never with the Host
    # header of a request, which a client chooses. Requests naming another host are
    # refused (400) unless ALLOWED_HOSTS (comma-separated) adds it, e.g. for health checks.
    BASE_URL: str | None = os.environ.get("BASE_URL")
    ALLOWED_HOSTS: list[str] | None = _env_list("ALLOWED_HOSTS")
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
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session (renewed at login)

    # Signed-in sessions (app/auth/sessions.py) end after this long without a request:
    # a working day for staff, who reach every assigned organisation; a day for members,
    # who reach one and whose answers are saved page by page, so nothing is lost by it.
    SESSION_IDLE_HOURS_STAFF = float(os.environ.get("SESSION_IDLE_HOURS_STAFF", "8"))
    SESSION_IDLE_HOURS_MEMBERS = float(os.environ.get("SESSION_IDLE_HOURS_MEMBERS", "24"))
    # And, however active, this many days after signing in (0: no such limit). The
    # remember-me cookie lasts as long.
    SESSION_MAX_AGE_DAYS = float(os.environ.get("SESSION_MAX_AGE_DAYS", "30"))
    # Admins and consultants must turn on two-step sign-in before anything else works.
    REQUIRE_2FA_FOR_STAFF = _env_bool("REQUIRE_2FA_FOR_STAFF", False)

    # Redis: the job queue (below) and the rate limits' counts, shared by every process.
    REDIS_URL: str | None = os.environ.get("REDIS_URL")
    # Rate limits on logins and password e-mails. Their counts live in Redis whenever
    # REDIS_URL is set, so every worker process shares them; RATELIMIT_STORAGE_URI, when
    # set, overrides that; without either, each process counts alone (memory://). While
    # Redis cannot be reached, each process counts alone rather than refusing logins.
    RATELIMIT_STORAGE_URI: str | None = os.environ.get("RATELIMIT_STORAGE_URI")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 100 per hour")
    PASSWORD_MAIL_RATE_LIMIT = os.environ.get("PASSWORD_MAIL_RATE_LIMIT", "5 per minute")
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # The largest request body, refused (413) by its declared length before it is read;
    # views that take a file accept that file's cap more (app/guards.py).
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Strict-Transport-Security on responses served over HTTPS: browsers then refuse plain
    # HTTP to this host for that many seconds. 0 sends none (development).
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))

    # Background jobs (report renders, e-mail): on Redis, run by `flask worker`, when
    # REDIS_URL is set; else on a few threads of the web process.
    JOB_THREADS = int(os.environ.get("JOB_THREADS", "2"))  # without Redis only
    # Seconds before each new try of a failed job: three more tries, then it waits for
    # the admin's "Try again".
    JOB_RETRY_INTERVALS = tuple(
        int(seconds) for seconds in os.environ.get("JOB_RETRY_INTERVALS", "10,60,300").split(",")
    )
    # A job whose worker has not been heard from for this long is run again elsewhere.
    JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "90"))
    # Render published reports whenever what they show changes, changes that come within
    # REPORT_RENDER_DELAY seconds of each other making one render.
    REPORTS_RENDER_AHEAD = _env_bool("REPORTS_RENDER_AHEAD", True)
    REPORT_RENDER_DELAY = int(os.environ.get("REPORT_RENDER_DELAY", "5"))
    # A download that finds its report being rendered waits this many seconds for it
    # (holding its web worker that long at most) and sends the PDF, rather than the "being
    # prepared" page and a reload. 0: no wait.
    REPORT_DOWNLOAD_WAIT = float(os.environ.get("REPORT_DOWNLOAD_WAIT", "3"))

    ITEMS_PER_PAGE = 25
    # Respondent groups with fewer submitted responses than this are not shown on their own
    # in the results and the report, so that no one's answers can be read off them.
    MIN_GROUP_SIZE = int(os.environ.get("MIN_GROUP_SIZE", "3"))
    # Questionnaire definitions (YAML), one file per questionnaire.
    ASSESSMENTS_DIR = os.environ.get("ASSESSMENTS_DIR", str(Path(__file__).parent / "assessments"))
    ALLOW_DEMO_DATA = False  # `flask demo` refuses to run unless a config allows it

    @classmethod
    def init_app(cls, app: Flask) -> None:
        """Resolve settings that need the app's instance folder or other settings."""
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        max_age_days = app.config["SESSION_MAX_AGE_DAYS"] or 365
        app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=max_age_days)
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            db_file = Path(app.instance_path) / "crm_readiness.sqlite"
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
        if not app.config.get("BASE_URL"):
            app.config["BASE_URL"] = DEVELOPMENT_BASE_URL
        app.config["BASE_URL"] = checked_base_url(app.config["BASE_URL"])
        app.config["ALLOWED_HOSTS"] = [
            *hosts_of(app.config["BASE_URL"]),
            *(app.config.get("ALLOWED_HOSTS") or []),
        ]
        if not app.config.get("RATELIMIT_STORAGE_URI"):
            app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"


# `make run` serves here; in development, links in logged e-mails point at it.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
_LOOPBACK = ("127.0.0.1", "localhost")


def checked_base_url(url: str) -> str:
    """BASE_URL without its trailing slash, once it is an http(s) address with a host and
    nothing after the path."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(
            f"BASE_URL={url!r} is not an address such as https://crm.example.com "
            "(a scheme and a host, optionally a path; no query or fragment)."
        )
    return parts.geturl().rstrip("/")


def hosts_of(base_url: str) -> list[str]:
    """The hosts requests may name: BASE_URL's; a loopback address goes by either name."""
    host = urlsplit(base_url).hostname
    return list(_LOOPBACK) if host in _LOOPBACK else [host]


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
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))

    @classmethod
    def init_app(cls, app: Flask) -> None:
        if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random string of at least 32 characters in production."
            )
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("DATABASE_URL must be set in production.")
        if not (app.config.get("BASE_URL") or "").startswith("https://"):
            raise RuntimeError(
                "BASE_URL must be set in production to the https:// address people reach "
                "the app at, such as https://crm.example.com: e-mailed links start with it."
            )
        super().init_app(app)
        if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            app.logger.warning(
                "Rate limits are counted in memory: each worker process counts login "
                "attempts alone, so with N workers an address gets N times the limit. "
                "Set REDIS_URL to share the counts."
            )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on (csrf_app)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    BASE_URL = "http://localhost"  # the test client's host
    # A developer's REDIS_URL is never used by the suite unless a test asks for it.
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = None
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    ALLOW_DEMO_DATA = True
    MAIL_SERVER = None
    # Jobs run on threads of the test process (tests of the Redis queue start real workers
    # themselves); renders ahead of time only where a test turns them on.
    JOB_RETRY_INTERVALS = (0, 0, 0)
    REPORTS_RENDER_AHEAD = False
    REPORT_RENDER_DELAY = 0
    REPORT_DOWNLOAD_WAIT = 0  # the "being prepared" page at once, unless a test waits
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
