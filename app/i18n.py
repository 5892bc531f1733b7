"""Language choice and locale-aware display: Persian digits and Solar Hijri dates in
Persian, Gregorian dates in English, and the template filters that format numbers
(``app/formatting.py``) and isolate data in sentences (``app/bidi.py``) in the page's
language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps

import jdatetime
from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from app import formatting
from app.bidi import direction_of, isolate, isolate_text

SESSION_KEY = "locale"
RTL_LANGUAGES = frozenset({"fa"})
# Persian and Arabic-Indic digits, and the Persian decimal separator, as typed by people.
_LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789.")


def select_locale() -> str:
    """The signed-in user's preference, else this browser's choice, else the
    browser's Accept-Language, else the configured default."""
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get(SESSION_KEY) in languages:
        return session[SESSION_KEY]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    # Locales here are bare languages ("fa", "en"); reading the attribute is much cheaper
    # than str(locale), and pages ask for it dozens of times.
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction() -> str:
    return "rtl" if current_language() in RTL_LANGUAGES else "ltr"


def to_latin_digits(text: str) -> str:
    """What a person typed, with Persian or Arabic-Indic digits read as 0-9."""
    return text.translate(_LATIN_DIGITS)


def localize_digits(value: object) -> str:
    return formatting.digits(value, current_language())


class LocalNumber(int):
    """A whole number that prints in the digits of the language in use when it is
    printed, for numbers inside lazily translated messages ("Line 4: ..." in an import
    report, translated and shown on the next page)."""

    def __str__(self) -> str:
        return localize_digits(int(self))


def format_number(value: float | None, decimals: int = 1) -> str:
    """A score or figure for display (the only place they are rounded), in the page's
    language (``app/formatting.py``)."""
    return formatting.format_decimal(value, current_language(), decimals)


def format_percent(ratio: float | None, decimals: int = 0) -> str:
    return formatting.format_percent(ratio, current_language(), decimals)


def format_change(value: float | None, decimals: int = 1) -> str:
    return formatting.format_change(value, current_language(), decimals)


class LocalList:
    """Items joined as the language in use writes a list when it is printed, for lists
    inside lazily translated messages (the groups an import accepts)."""

    def __init__(self, items, conjunction: bool = True):
        self.items = [str(item) for item in items]
        self.conjunction = conjunction

    def __str__(self) -> str:
        return formatting.join_list(self.items, current_language(), conjunction=self.conjunction)


def join_markup(items, conjunction: bool = True) -> Markup:
    """``join_list`` for templates: plain items are escaped, markup items kept."""
    return Markup(
        formatting.join_list(
            [escape(item) for item in items], current_language(), conjunction=conjunction
        )
    )


def isolate_in_page(value: object) -> Markup:
    """``value`` isolated in a sentence or cell of the page (``app/bidi.py``)."""
    return isolate(value, text_direction())


def format_day(value: date | datetime | None) -> str:
    """A date for people: '4 آذر 1405' in Persian (digits shaped), 'Nov 25, 2026' in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    if current_language() == "fa":
        day = value.date() if isinstance(value, datetime) else value
        jalali = jdatetime.date.fromgregorian(date=day, locale="fa_IR")
        return formatting.digits(jalali.strftime("%-d %B %Y"), "fa")
    return format_date(value, "medium")


def format_moment(value: datetime | None) -> str:
    """A date and time in the user's time zone, Solar Hijri in Persian."""
    if value is None:
        return ""
    if current_language() == "fa":
        local = to_user_timezone(value)
        return formatting.digits(f"{format_day(local)}، {local:%H:%M}", "fa")
    return format_datetime(value, "medium")


def format_gregorian(day: date) -> str:
    """A Gregorian date in the page's language (Persian month names and digits in fa),
    for the report's cover, which gives both calendars in Persian."""
    text = format_date(day, "long")
    return formatting.digits(text, current_language())


def add_language_filters(app: Flask, filters: dict[str, Callable]) -> None:
    """Register template filters whose output depends on the request's language.

    Jinja runs a filter applied to a constant once, when it compiles the template, unless
    the filter takes the template context: ``{{ 100|digits }}`` would keep the digits of
    whichever language compiled the template first. So each is wrapped to take it."""
    for name, function in filters.items():
        app.add_template_filter(_at_render_time(function), name)


def _at_render_time(function: Callable) -> Callable:
    @pass_context
    @wraps(function)
    def filter_(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return filter_


def init_app(app: Flask) -> None:
    add_language_filters(
        app,
        {
            "digits": localize_digits,
            "number": format_number,
            "percent": format_percent,
            "change": format_change,
            "join_list": join_markup,
            "day": format_day,
            "moment": format_moment,
            "gregorian": format_gregorian,
            "isolate": isolate_in_page,
            "isolate_text": isolate_text,
            "text_dir": direction_of,
        },
    )
    app.add_template_global(current_language)
    app.add_template_global(text_direction)
