"""Tables to and from spreadsheets, for the assessments' and the tracker's imports and
exports: an uploaded CSV or XLSX file read as rows of text within fixed limits, and text
that a spreadsheet would run as a formula kept as text, then read back as it was.

The limits are checked while the file is read, so a file past them is refused before the
rest of it is parsed: a 600,000-line workbook costs the first 10,000 lines, not all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from app.i18n import LocalNumber

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000  # rows of data below the header; blank rows do not count
MAX_IMPORT_LINES = 2 * MAX_IMPORT_ROWS  # every row read, blank ones too
MAX_IMPORT_CELLS = 1_000_000  # 5,000 answers to 200 questions
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Unreadable(Exception):
    """The file cannot be read as a table; the one argument says why."""


def defused(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, with an apostrophe in front so that it
    is shown as text. The rule, undone by ``restored`` on import: text that starts with a
    formula character, after any apostrophes of its own, gets one more apostrophe; so
    ``-Minus Trading`` is written ``'-Minus Trading`` and ``'=x`` is written ``''=x``,
    while ``'t Hooft`` is written as it is. An export thus imports back unchanged."""
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_START):
        return f"'{value}"
    return value


def restored(text: str) -> str:
    """An imported cell without the apostrophe ``defused`` added. Spreadsheets do not save
    the apostrophe typed to keep a cell as text, so one found before a formula character
    was put there by an export like ours (ours, or another app's, guarding the same way)."""
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


def table_records(data: bytes, filename: str) -> list[list[str]]:
    """Every line of a .csv or .xlsx file, as ``csv_records`` and ``xlsx_records`` read it."""
    extension = Path(filename).suffix.lower()
    if extension == ".csv":
        return csv_records(data)
    if extension == ".xlsx":
        return xlsx_records(data)
    raise Unreadable(_l("Upload a .csv or .xlsx file."))


def csv_records(data: bytes) -> list[list[str]]:
    """Every line of a CSV file (blank ones too, so that line numbers match), as text:
    UTF-8 with or without Excel's byte order mark, with comma, semicolon, tab or the
    Persian semicolon between cells."""
    _check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(_l("The file is not UTF-8 text: save it as “CSV UTF-8”.")) from None
    header = text.splitlines()[0] if text else ""
    try:
        delimiter = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:  # one column, or Excel's Persian list separator, which it cannot see
        delimiter = "؛" if "؛" in header else ","
    try:
        return _within_limits(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise Unreadable(_l("The file cannot be read as CSV.")) from None


def xlsx_records(data: bytes) -> list[list[str]]:
    """Every line of the workbook's first sheet, as text. The sheet is read row by row
    (openpyxl's read-only mode), never loaded whole."""
    _check_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # A damaged file fails in many ways (zip, XML, openpyxl's own checks): all mean the same.
    except Exception:  # noqa: BLE001
        raise Unreadable(_l("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        # The size the file declares may be wrong, or a lie: trusted, it would cut rows off
        # (silently) or pad every row to a huge width. Read the rows that are there.
        sheet.reset_dimensions()
        return _within_limits(sheet.iter_rows(values_only=True))
    except Unreadable:
        raise
    except Exception:  # noqa: BLE001 - as above, for damage found further into the sheet
        raise Unreadable(_l("The file cannot be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def _check_size(data: bytes) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        megabytes = LocalNumber(MAX_IMPORT_BYTES // (1024 * 1024))
        raise Unreadable(_l("The file is larger than %(size)s MB.", size=megabytes))


def _within_limits(rows: Iterable[Iterable[object]]) -> list[list[str]]:
    """The rows as text, read until the first limit passed, which raises Unreadable."""
    records: list[list[str]] = []
    data_rows = cells = 0
    for row in rows:
        record = [_cell_text(cell) for cell in row]
        cells += len(record)
        data_rows += bool(records and any(record))
        if data_rows > MAX_IMPORT_ROWS:
            count = LocalNumber(MAX_IMPORT_ROWS)
            raise Unreadable(_l("The file has more than %(count)s rows.", count=count))
        if len(records) == MAX_IMPORT_LINES or cells > MAX_IMPORT_CELLS:
            raise Unreadable(
                _l(
                    "The file is too large to import: at most %(lines)s lines and "
                    "%(cells)s cells are read.",
                    lines=LocalNumber(MAX_IMPORT_LINES),
                    cells=LocalNumber(MAX_IMPORT_CELLS),
                )
            )
        records.append(record)
    return records


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float
    return restored(str(value).strip())
