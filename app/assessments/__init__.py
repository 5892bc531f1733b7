"""Assessments: set up, invite respondents, review results and publish."""

from app.assessments.routes import bp

__all__ = ["bp"]
