"""Language choice and locale-aware display: Persian digits and Solar Hijri dates in
Persian, Gregorian dates in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps

import jdatetime
from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

SESSION_KEY = "locale"
RTL_LANGUAGES = frozenset({"fa"})
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
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


def to_persian_digits(text: str) -> str:
    return text.translate(_PERSIAN_DIGITS)


def to_latin_digits(text: str) -> str:
    """What a person typed, with Persian or Arabic-Indic digits read as 0-9."""
    return text.translate(_LATIN_DIGITS)


# A run of Latin words ("CRM", "Gartner CRM", "e-mail"), with numbers after its first word;
# punctuation at its ends stays out, as it belongs to the sentence around it.
_LATIN_WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-&.'/+][A-Za-z0-9]+)*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?: (?:{_LATIN_WORD}|[0-9]+))*")  # "Readiness 2026"
# A run of Arabic-script words, Persian digits and joiners included.
_ARABIC_LETTER = "\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_WORD = f"[{_ARABIC_LETTER}][{_ARABIC_LETTER}\u200c]*"
_ARABIC_RUN = re.compile(f"{_ARABIC_WORD}(?: {_ARABIC_WORD})*")


def isolate_runs(text: str, rtl: bool) -> Markup:
    """``text`` escaped, with each run of the other direction's script (Latin words in
    right-to-left text, Persian words in left-to-right text) in a ``<bdi>`` of its own.

    Browsers show the same either way. WeasyPrint draws each such element as a box of its
    own, in the order of the text, where one box of mixed text would be drawn run by run
    from left to right: so text copied or extracted from the PDF reads in logical order.
    """
    pattern, direction = (_LATIN_RUN, "ltr") if rtl else (_ARABIC_RUN, "rtl")
    parts, end = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[end : match.start()]))
        parts.append(Markup('<bdi dir="{}">{}</bdi>').format(direction, match.group()))
        end = match.end()
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


def localize_digits(value: object) -> str:
    text = str(value)
    return to_persian_digits(text) if current_language() == "fa" else text


class LocalNumber(int):
    """A whole number that prints in the digits of the language in use when it is
    printed, for numbers inside lazily translated messages ("Line 4: ..." in an import
    report, translated and shown on the next page)."""

    def __str__(self) -> str:
        return localize_digits(int(self))


def join_list(items) -> str:
    """Items joined with the language's comma (Persian has its own: «،»)."""
    return ("، " if current_language() == "fa" else ", ").join(str(item) for item in items)


def format_number(value: float | None, decimals: int = 1) -> str:
    """A score for display (the only place scores are rounded): Persian digits and
    decimal separator in Persian."""
    if value is None:
        return "—"
    text = f"{value:.{decimals}f}"
    return to_persian_digits(text).replace(".", "٫") if current_language() == "fa" else text


def format_day(value: date | datetime | None) -> str:
    """A date for people: '4 آذر 1405' in Persian (digits shaped), 'Nov 25, 2026' in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    if current_language() == "fa":
        day = value.date() if isinstance(value, datetime) else value
        jalali = jdatetime.date.fromgregorian(date=day, locale="fa_IR")
        return to_persian_digits(jalali.strftime("%-d %B %Y"))
    return format_date(value, "medium")


def format_moment(value: datetime | None) -> str:
    """A date and time in the user's time zone, Solar Hijri in Persian."""
    if value is None:
        return ""
    if current_language() == "fa":
        local = to_user_timezone(value)
        return to_persian_digits(f"{format_day(local)}، {local:%H:%M}")
    return format_datetime(value, "medium")


def bidi(text: object) -> Markup:
    """Text for the report: escaped, with runs of the other script isolated."""
    return isolate_runs(str(text), rtl=current_language() in RTL_LANGUAGES)


def format_gregorian(day: date) -> str:
    """A Gregorian date in the page's language (Persian month names and digits in fa),
    for the report's cover, which gives both calendars in Persian."""
    text = format_date(day, "long")
    return to_persian_digits(text) if current_language() == "fa" else text


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
            "join_list": join_list,
            "day": format_day,
            "moment": format_moment,
            "gregorian": format_gregorian,
            "bidi": bidi,
        },
    )
    app.add_template_global(current_language)
    app.add_template_global(text_direction)
