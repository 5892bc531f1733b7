"""The customer-process tracker: one per organisation, kept by its owners and managers."""

from app.tracker import activity, imports, stages  # noqa: F401 - their views attach to bp
from app.tracker.routes import bp

__all__ = ["bp"]
