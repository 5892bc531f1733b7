"""Logging in and out, changing and resetting passwords."""

from app.auth.routes import bp

__all__ = ["bp"]
