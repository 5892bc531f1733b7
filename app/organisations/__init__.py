"""Client organisations: their details, members and assigned consultants."""

from app.organisations.routes import bp

__all__ = ["bp"]
