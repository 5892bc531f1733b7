"""Assessments: set up, invite respondents, review results and publish."""

from app.assessments import audit, files, results  # noqa: F401 - their views attach to bp
from app.assessments.routes import bp

__all__ = ["bp"]
