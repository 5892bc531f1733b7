"""Home, dashboards, language switching and the health check."""

from app.main.routes import bp

__all__ = ["bp"]
