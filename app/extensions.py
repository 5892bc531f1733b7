"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

import sqlite3

from flask_babel import Babel, lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits are set per view (logins, password e-mails); storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(get_remote_address)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers
    and one writer work side by side, and with it synchronous=NORMAL (SQLite's advice
    for WAL) syncs the disk at checkpoints rather than at every commit: an application
    crash loses nothing, a power cut at most the last commits, and nothing is corrupted."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# The session and remember-me cookies carry the secret of a server-side session record
# (app/auth/sessions.py), not the user's id.
login_manager.id_attribute = "get_session_token"


@event.listens_for(Engine, "savepoint")
def _begin_before_sqlite_savepoint(connection, _name) -> None:
    """Open the transaction a savepoint belongs in, on SQLite.

    Python's sqlite3 driver begins a transaction only before INSERT, UPDATE or DELETE, not
    before SAVEPOINT; a savepoint opened first then stands alone, and releasing it commits
    its rows on the spot, outside the transaction that the audit rows and the rest of the
    save later join (see SQLAlchemy's "Transactions with SQLite and the sqlite3 driver").

    SQLAlchemy's recipe there (BEGIN at the start of every transaction) was not taken: with
    WAL, a transaction that has read cannot write once another process has committed since
    its read (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out), so concurrent
    saves would fail. Here the reads before a request's first write each see the latest
    commit, as on PostgreSQL at READ COMMITTED, and every write from the first one on,
    savepoints included, is one transaction."""
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please log in to open this page.")
login_manager.login_message_category = "info"
