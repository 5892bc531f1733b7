"""Numbers and lists as each language writes them, from the Unicode CLDR data Babel ships.

Every figure a person reads goes through here: the pages (through the template filters in
``app/i18n.py``), the charts (``app/charts.py``) and the report. In Persian that means
Persian digits, the Persian decimal and group separators («٫» and «٬»), the percent sign
«٪», and CLDR's minus sign, U+2212 after a left-to-right mark: the mark makes the sign and
the digits one left-to-right run, so the minus stays on the left of the number inside a
right-to-left sentence instead of jumping to its right («۲۷-»). Lists take the language's
own separators («،» with CLDR's right-to-left mark in Persian) and its word for "and".

Nothing here needs Flask: every function takes the language. Rounding is half up, as
people round by hand (55.25 gives 55.3), the same everywhere a score is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from markupsafe import Markup

# CLDR's "arabext" numbering system, the one Persian uses by default.
_NATIVE_DIGITS = {"arabext": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}


@dataclass(frozen=True)
class NumberSymbols:
    decimal: str
    group: str
    minus: str
    plus: str
    percent: str
    percent_after: bool  # whether the percent sign follows the number (CLDR's pattern)
    digits: dict[int, str] | None  # Latin digit -> the language's digit, None for 0-9


@cache
def number_symbols(language: str) -> NumberSymbols:
    """The separators, signs and digits of ``language``'s default numbering system."""
    locale = Locale.parse(language)
    system = locale.default_numbering_system
    symbols = locale.number_symbols[system]
    pattern = locale.percent_formats[None].pattern
    return NumberSymbols(
        decimal=symbols["decimal"],
        group=symbols["group"],
        minus=symbols["minusSign"],
        plus=symbols["plusSign"],
        percent=symbols["percentSign"],
        percent_after=pattern.index("%") > pattern.index("0"),
        digits=_NATIVE_DIGITS.get(system),
    )


def digits(value: object, language: str) -> str:
    """``value`` as text with its digits in the language's own (codes, years, counts that
    need no grouping: "version 3", "page 4")."""
    text = str(value)
    table = number_symbols(language).digits
    return text.translate(table) if table else text


def round_half_up(value: float, decimals: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(_quantum(decimals), ROUND_HALF_UP)


@cache
def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


@cache
def _number_table(language: str) -> dict[int, str]:
    """Python's separators and digits (1,234.5) to the language's, in one pass: a page
    writes hundreds of figures."""
    symbols = number_symbols(language)
    return {ord(","): symbols.group, ord("."): symbols.decimal} | {
        latin: chr(native) for latin, native in (symbols.digits or {}).items()
    }


def format_decimal(value: float | None, language: str, decimals: int = 1) -> str:
    """A number with ``decimals`` decimals, grouped in thousands; "—" for no value."""
    if value is None:
        return "—"
    rounded = round_half_up(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}".translate(_number_table(language))
    return number_symbols(language).minus + text if rounded < 0 else text


def format_percent(ratio: float | None, language: str, decimals: int = 0) -> str:
    """A share (0.6) as a percentage ("60%", «۶۰٪»); "—" for no value."""
    if ratio is None:
        return "—"
    symbols = number_symbols(language)
    number = format_decimal(ratio * 100, language, decimals)
    return number + symbols.percent if symbols.percent_after else symbols.percent + number


def format_change(value: float | None, language: str, decimals: int = 1) -> str:
    """A difference with its sign: "+3.2", "-1.0", «‎+۳٫۲»; no sign when it rounds to 0."""
    if value is None:
        return "—"
    text = format_decimal(value, language, decimals)
    return number_symbols(language).plus + text if round_half_up(value, decimals) > 0 else text


def join_list(items: Iterable[object], language: str, *, conjunction: bool = True) -> str:
    """Items joined as the language writes a list in a sentence: "A, B, and C",
    «الف،‏ ب، و پ»; without ``conjunction`` every pair is joined by the separator alone
    ("A, B, C"), for lists that are not a sentence. Markup items stay markup (the
    separators need no escaping), so isolated names can be joined in a template."""
    items = list(items)
    if not items:
        return ""
    patterns = Locale.parse(language).list_patterns["standard"]
    middle = patterns["middle"]
    if len(items) == 1:
        return items[0] if hasattr(items[0], "__html__") else str(items[0])
    if len(items) == 2:
        return _fill(patterns["2"] if conjunction else middle, *items)
    start, end = (patterns["start"], patterns["end"]) if conjunction else (middle, middle)
    text = _fill(end, items[-2], items[-1])
    for item in reversed(items[1:-2]):
        text = _fill(middle, item, text)
    return _fill(start, items[0], text)


def _fill(pattern: str, first: object, second: object) -> str:
    if hasattr(first, "__html__") or hasattr(second, "__html__"):
        return Markup(pattern).format(first, second)
    return pattern.format(first, second)
