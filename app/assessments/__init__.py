"""Assessments: set up, invite respondents, review results and publish."""

from app.assessments import files  # noqa: F401 - its views attach to bp
from app.assessments.routes import bp

__all__ = ["bp"]
