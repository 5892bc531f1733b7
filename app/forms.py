"""Form pieces shared by several blueprints."""

from __future__ import annotations

from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.dates import date_hint, parse_day, show_day
from app.i18n import localize_digits
from app.labels import LANGUAGE_CHOICES
from app.passwords import MIN_PASSWORD_LENGTH


def strip_whitespace(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def normalise_email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def is_email(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("E-mail"),
        filters=[normalise_email],
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            Email(message=_l("Enter a valid e-mail address, such as name@example.com.")),
            Length(max=254),
        ],
    )


def language_field(label=None) -> SelectField:
    return SelectField(label or _l("Preferred language"), choices=LANGUAGE_CHOICES)


class MinimumLength:
    """Like WTForms' Length, but the number in the message is written in the page's digits."""

    def __init__(self, minimum: int, message):
        self.minimum = minimum
        self.message = message

    def __call__(self, _form, field) -> None:
        if len(field.data or "") < self.minimum:
            raise ValidationError(self.message % {"min": localize_digits(self.minimum)})


def new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("New password"),
        validators=[
            DataRequired(message=_l("Enter a password.")),
            MinimumLength(MIN_PASSWORD_LENGTH, _l("Use at least %(min)s characters.")),
            Length(max=200),
        ],
    )


def confirm_password_field(field_name: str = "password") -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo(field_name, message=_l("The two passwords do not match.")),
        ],
    )


class CheckboxesField(SelectMultipleField):
    """One checkbox per choice, listed without bullets (the ``choice-list`` style)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"class": "choice-list"})
        super().__init__(label, validators, **kwargs)


class ConfirmForm(FlaskForm):
    """A button-only form: carries the CSRF token for actions such as removing."""


class DateField(StringField):
    """The app's one date field, for every date a person types: a text box that takes
    Solar Hijri dates in Persian and Gregorian ones in English (``app/dates.py``), with
    the format shown beside it. Not the browser's date box, which writes Gregorian
    mm/dd/yyyy on Persian pages too. ``data`` is a ``datetime.date``."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", date_hint())
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return show_day(self.data) if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            # A DateError is a ValueError: WTForms shows its message beside the field.
            self.data = parse_day(valuelist[0])
