from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from app.labels import LANGUAGE_CHOICES


class LanguageForm(FlaskForm):
    """Sent by the language switcher in every page's header."""

    language = SelectField(choices=LANGUAGE_CHOICES)
    next = HiddenField()
