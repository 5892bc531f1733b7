"""User management for administrators."""

from app.admin.routes import bp

__all__ = ["bp"]
