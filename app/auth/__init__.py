"""Signing in and out, passwords, signed-in sessions and two-step sign-in."""

from app.auth import account  # noqa: F401 - registers the account pages on the blueprint
from app.auth.routes import bp

__all__ = ["bp"]
