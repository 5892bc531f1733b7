"""Days as people type them into a form and read them back in it: Solar Hijri in Persian
(۱۴۰۵/۰۹/۱۵), Gregorian in English (2026-12-06).

Both calendars are read in both languages, told apart by the year (1405 is Solar Hijri,
2026 Gregorian), in Persian, Arabic-Indic or Latin digits, with -, / or . between the
parts. A day that does not exist is refused with a message that says why, such as
"Esfand 1405 has 29 days", rather than read as some other day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import jdatetime
from babel.dates import get_month_names
from flask_babel import lazy_gettext as _l

from app import formatting
from app.i18n import current_language, to_latin_digits

_DATE = re.compile(r"^\s*(\d{1,4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,4})\s*$")
# Years before this are Solar Hijri (1405 SH is 2026): no Gregorian date typed today is.
SOLAR_HIJRI_BEFORE = 1700
# Neither calendar's years are written with fewer digits in a date anyone types here.
EARLIEST_YEAR = 1000
EXAMPLE_DAY = date(2026, 12, 6)  # 1405/09/15


class DateError(ValueError):
    """What is wrong with a typed date, as a message for the person who typed it."""


class DateExample:
    """The example in the date field's hint, in the calendar and digits of the language
    in use when the hint is shown."""

    def __str__(self) -> str:
        return show_day(EXAMPLE_DAY)


def date_hint():
    return _l("Year/month/day, such as %(example)s", example=DateExample())


def parse_day(text: str) -> date:
    """The day ``text`` names; DateError when it is not written as a date or names a day
    its calendar does not have."""
    match = _DATE.match(to_latin_digits(text or ""))
    if not match:
        raise DateError(
            _l("Write the date as year/month/day, such as %(example)s.", example=DateExample())
        )
    year, month, day = (int(part) for part in match.groups())
    if day > 31 and year <= 31:  # written day first: 25/11/2026
        year, day = day, year
    if year < EARLIEST_YEAR:
        raise DateError(_l("Write the year in full, such as %(example)s.", example=DateExample()))
    solar_hijri = year < SOLAR_HIJRI_BEFORE
    if not 1 <= month <= 12:
        raise DateError(
            _l("There is no month %(month)s: months run from 1 to 12.", month=_digits(month))
        )
    days = _days_in_month(year, month, solar_hijri)
    if not 1 <= day <= days:
        raise DateError(
            _l(
                "There is no day %(day)s in %(month)s %(year)s: it has %(days)s days.",
                day=_digits(day),
                month=_month_name(month, solar_hijri),
                year=_digits(year),
                days=_digits(days),
            )
        )
    if solar_hijri:
        return jdatetime.date(year, month, day).togregorian()
    return date(year, month, day)


def show_day(day: date) -> str:
    """A day as a date field shows it: Solar Hijri in Persian digits in Persian, ISO 8601
    in English."""
    if current_language() == "fa":
        return formatting.digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"), "fa")
    return day.isoformat()


def _days_in_month(year: int, month: int, solar_hijri: bool) -> int:
    if not solar_hijri:
        return calendar.monthrange(year, month)[1]
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def _month_name(month: int, solar_hijri: bool) -> str:
    language = current_language()
    if solar_hijri:
        names = jdatetime.date.j_months_fa if language == "fa" else jdatetime.date.j_months_en
        return names[month - 1]
    return get_month_names("wide", locale=language)[month]


def _digits(number: int) -> str:
    return formatting.digits(number, current_language())
