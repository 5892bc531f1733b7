"""The questionnaire library: the shipped questionnaires and consultants' own, written,
previewed, compared and published in the app."""

from app.library import editing, versions  # noqa: F401 - their views attach to bp
from app.library.routes import bp

__all__ = ["bp"]
