"""Respondents fill in an assessment's questionnaires: by private link, or from their
own account when they are members of the organisation."""

from app.respond.routes import bp

__all__ = ["bp"]
