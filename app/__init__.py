"""The application factory: a short list of named steps, free of side effects."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    configure(app, config_class or config_from_env())
    register_request_checks(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def configure(app: Flask, config_class: type[Config]) -> None:
    app.config.from_object(config_class)
    config_class.init_app(app)
    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy: take the client's address from X-Forwarded-For, so
        # rate limits count each visitor rather than the proxy.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_request_checks(app: Flask) -> None:
    from app import guards, urls

    guards.init_app(app)
    urls.init_app(app)


def register_extensions(app: Flask) -> None:
    from app import jobs, passwords
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale
    from app.reports.changes import watch_changes
    from app.tracker.kept_figures import watch_tracker_writes

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    passwords.init_app(app)
    jobs.init_app(app)
    watch_changes()  # published reports rendered again when what they show changes
    watch_tracker_writes()  # the tracker's kept figures forgotten when its rows change


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.assessments import bp as assessments_bp
    from app.auth import bp as auth_bp
    from app.benchmarks.routes import bp as benchmarks_bp
    from app.jobs.routes import bp as jobs_bp
    from app.library import bp as library_bp
    from app.main import bp as main_bp
    from app.organisations import bp as organisations_bp
    from app.reports.routes import bp as reports_bp
    from app.respond import bp as respond_bp
    from app.tracker import bp as tracker_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(jobs_bp, url_prefix="/admin/jobs")
    app.register_blueprint(organisations_bp, url_prefix="/organisations")
    app.register_blueprint(assessments_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(tracker_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(benchmarks_bp)
    app.register_blueprint(library_bp, url_prefix="/questionnaires")


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from app import i18n
    from app.instrument.scoring import MIN_AGREEMENT_ANSWERS
    from app.labels import group_label, label
    from app.policy import Action, can
    from app.tracker.labels import tracker_label

    i18n.init_app(app)
    i18n.add_language_filters(
        app,
        {
            "label": label,
            "group": group_label,
            "tracker_label": tracker_label,
        },
    )
    app.add_template_global(can)
    app.add_template_global(Action)
    app.add_template_global(MIN_AGREEMENT_ANSWERS, "MIN_AGREEMENT_ANSWERS")


# No inline script or style and nothing from other sites: the one script (the respondent
# links' copy button, static/js/copy.js) is a file of this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Password links carry a token in the path: never send it to another site.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages, exports and PDFs show what one person may see, and forms carry their
            # CSRF token: no copy stays in a browser's or a proxy's cache. A view whose
            # response may be kept says so itself (the logos, privately, by version).
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure and app.config["HSTS_SECONDS"]:
            # Only over HTTPS: a browser ignores the header on plain HTTP anyway.
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"
            )
        return response


def register_commands(app: Flask) -> None:
    from app.commands import register

    register(app)
