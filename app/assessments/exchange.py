"""Exporting an assessment (CSV, Excel, JSON) and importing answers collected on paper.

Exports are plain tables, ``(headers, rows)``, written out by ``to_csv`` or ``to_xlsx``.
Numbers are not rounded: rounding is for display only. ``to_json`` writes ``{"format": 1,
"meta": {...the caller's details}, "questionnaires": [{"id", "version"}], "results",
"action_plan", "answers"}``, where ``results`` and ``action_plan`` are the scoring
result's dataclasses as they are (see app/instrument/results.py): for the assessment and
each questionnaire its level, ``provisional`` and ``unscored_critical`` (docs/scoring.md,
section 3); per questionnaire its ``dimensions``, per dimension its ``items`` with
``answers`` (the statistics n, mean, median, sd, min, max, or null), ``not_applicable``,
``consensus`` ({value, note} or null) and ``disagreement``. ``answers`` lists the
respondents (name, email, group, submitted_at) with their answers (questionnaire, item,
value, not_applicable, comment).

Imports use a wide layout, one row per respondent (see ``template_columns``). They are
all or nothing: ``ImportResult.rows`` is empty whenever ``errors`` is not.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from app import formatting
from app.assessments.services import SubmittedAnswer
from app.forms import is_email, normalise_email
from app.i18n import LocalList, LocalNumber, to_latin_digits
from app.instrument.definitions import Dimension, Item, Questionnaire
from app.instrument.exact import item_scores
from app.instrument.results import AssessmentResult
from app.instrument.sharing import ItemKey
from app.spreadsheets import MAX_IMPORT_ROWS, Unreadable, defused, table_records

Table = tuple[list[str], list[list[Any]]]
JSON_FORMAT = 1
MAX_REPORTED_ERRORS = 100
NAME, EMAIL, GROUP = "name", "email", "group"
NOT_APPLICABLE = "na"
_NOT_APPLICABLE_SPELLINGS = frozenset({"na", "n/a"})
_INTEGRAL = re.compile(r"[+-]?[0-9]+(?:\.0*)?", re.ASCII)
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# --- Exports ------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondentAnswers:
    """One respondent and their answers: (value or None, not applicable, comment) by
    (questionnaire id, item id)."""

    name: str
    email: str
    group: str
    submitted_at: datetime | None
    answers: Mapping[ItemKey, tuple[int | None, bool, str]]


def answers_table(definitions: list[Questionnaire], respondents: list[RespondentAnswers]) -> Table:
    """One row per respondent and item, unanswered items included."""
    headers = [NAME, EMAIL, GROUP, "submitted_at", "questionnaire", "version", "dimension"]
    headers += ["item", "value", "not_applicable", "item_score", "comment"]
    scores = {(q.id, item.id): item_scores(item, q) for q, _d, item in _items(definitions)}
    rows = []
    for respondent in respondents:
        submitted = _iso(respondent.submitted_at) if respondent.submitted_at else ""
        who = [respondent.name, respondent.email, respondent.group, submitted]
        for questionnaire, dimension, item in _items(definitions):
            key = (questionnaire.id, item.id)
            value, not_applicable, comment = respondent.answers.get(key, (None, False, ""))
            where = [questionnaire.id, questionnaire.version, dimension.id, item.id]
            answer = [_blank(value), _yes(not_applicable), scores[key].get(value, ""), comment]
            rows.append([*who, *where, *answer])
    return headers, rows


def results_table(
    definitions: list[Questionnaire], result: AssessmentResult, language: str
) -> Table:
    """One row per dimension, with a score column for each respondent group."""
    titles = {
        (q.id, d.id): d.title.in_language(language) for q in definitions for d in q.dimensions
    }
    headers = ["questionnaire", "dimension", "title", "score", "level", "coverage"]
    headers += ["respondents", "target_level", "gap", "priority", "critical_breach"]
    headers += [f"group:{group}" for group in result.groups]
    rows = []
    for scored in result.questionnaires:
        qid = scored.questionnaire_id
        for d in scored.dimensions:
            rows.append(
                [qid, d.dimension_id, titles.get((qid, d.dimension_id), "")]
                + [_blank(d.score), _blank(d.level), d.coverage]
                + [d.respondents.n if d.respondents else 0, _blank(d.target_level)]
                + [_blank(d.gap), _blank(d.priority), _yes(d.critical_breach)]
                + [_blank(d.by_group.get(group)) for group in result.groups]
            )
    return headers, rows


def to_csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to show Persian text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([defused(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: dict[str, Table]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (headers, rows) in sheets.items():
        _write_sheet(workbook.create_sheet(_sheet_title(title)), headers, rows)
    return _saved(workbook)


def to_json(
    assessment_meta: dict,
    definitions: list[Questionnaire],
    result: AssessmentResult,
    respondents: list[RespondentAnswers],
) -> bytes:
    """The whole assessment in the structure described at the top of this module."""
    results = dataclasses.asdict(result)
    action_plan = results.pop("action_plan")
    document = {
        "format": JSON_FORMAT,
        "meta": assessment_meta,
        "questionnaires": [{"id": q.id, "version": q.version} for q in definitions],
        "results": results,
        "action_plan": action_plan,
        "answers": [_respondent_document(definitions, r) for r in respondents],
    }
    # Without indentation, Python writes JSON with its C encoder: ten thousand answers take
    # milliseconds instead of a second (issue 14).
    text = json.dumps(document, ensure_ascii=False, default=_json_default)
    return text.encode("utf-8")


def _respondent_document(definitions: list[Questionnaire], respondent: RespondentAnswers) -> dict:
    answers = []
    for questionnaire, _dimension, item in _items(definitions):
        answer = respondent.answers.get((questionnaire.id, item.id))
        if answer is not None:
            value, not_applicable, comment = answer
            answers.append(
                {
                    "questionnaire": questionnaire.id,
                    "item": item.id,
                    "value": value,
                    "not_applicable": not_applicable,
                    "comment": comment,
                }
            )
    return {
        "name": respondent.name,
        "email": respondent.email,
        "group": respondent.group,
        "submitted_at": respondent.submitted_at,
        "answers": answers,
    }


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):  # a definition's recommendation, in the action plan
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _write_sheet(sheet: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
    sheet.append(headers)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # text that looks like a formula stays text
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        longest = max([len(str(header))] + [len(str(row[index])) for row in rows[:500]])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest, 6), 60) + 2


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_FORBIDDEN.sub("-", title)[:31] or "Sheet"


def _xlsx_value(value: Any) -> Any:
    # Control characters (other than tab and newlines) are not allowed in a sheet.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _items(definitions: list[Questionnaire]) -> Iterator[tuple[Questionnaire, Dimension, Item]]:
    for questionnaire in definitions:
        for dimension in questionnaire.dimensions:
            for item in dimension.items:
                yield questionnaire, dimension, item


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC; a time without a zone is taken to be UTC, as the database keeps it."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


# --- Import templates ---------------------------------------------------------------


def template_columns(definitions: list[Questionnaire]) -> list[str]:
    """The import layout: name, e-mail and group, then ``<questionnaire id>:<item id>``."""
    return [NAME, EMAIL, GROUP, *(f"{q.id}:{item.id}" for q, _d, item in _items(definitions))]


def template_csv(
    definitions: list[Questionnaire],
    groups: list[str],  # noqa: ARG001 - same signature as template_xlsx; CSV has no help
    language: str,  # noqa: ARG001
) -> bytes:
    return to_csv(template_columns(definitions), [])


def template_xlsx(definitions: list[Questionnaire], groups: list[str], language: str) -> bytes:
    """An "answers" sheet to fill in, with a drop-down of allowed values on each column,
    and a "help" sheet with each column's question and values in ``language``."""
    workbook = Workbook()
    answers = workbook.active
    answers.title = "answers"
    _write_sheet(answers, template_columns(definitions), [])
    _add_choices(answers, 3, groups)
    for column, (questionnaire, _dimension, item) in enumerate(_items(definitions), start=4):
        choices = _choices(questionnaire, item, language)
        _add_choices(answers, column, [choice for choice, _label in choices])
    _write_sheet(workbook.create_sheet("help"), *_help_table(definitions, groups, language))
    for sheet in workbook.worksheets:
        sheet.sheet_view.rightToLeft = language == "fa"
    return _saved(workbook)


def _help_table(definitions: list[Questionnaire], groups: list[str], language: str) -> Table:
    with force_locale(language):
        headers = [str(_l("Column")), str(_l("Question")), str(_l("Allowed values"))]
        rows = [
            [NAME, str(_l("Respondent's name (required)")), ""],
            [EMAIL, str(_l("E-mail address (optional)")), ""],
            [
                GROUP,
                str(_l("Respondent group (required)")),
                formatting.join_list(groups, language, conjunction=False),
            ],
        ]
    for questionnaire, _dimension, item in _items(definitions):
        allowed = formatting.join_list(
            [f"{choice} = {label}" for choice, label in _choices(questionnaire, item, language)],
            language,
            conjunction=False,
        )
        column = f"{questionnaire.id}:{item.id}"
        rows.append([column, item.statement.in_language(language), allowed])
    return headers, rows


def _choices(questionnaire: Questionnaire, item: Item, language: str) -> list[tuple[str, str]]:
    """An item's allowed values, each with its label."""
    scale = questionnaire.scales[item.scale]
    choices = [(str(point.value), point.label.in_language(language)) for point in scale.points]
    if item.allow_na:
        choices.append((NOT_APPLICABLE, scale.not_applicable.in_language(language)))
    return choices


def _add_choices(sheet: Worksheet, column: int, choices: list[str]) -> None:
    formula = '"' + ",".join(choices) + '"'
    if any("," in choice or '"' in choice for choice in choices) or len(formula) > 255:
        return  # Excel cannot hold such a list inline; the help sheet still names the values
    # A drop-down to help, not a lock: the import checks every value anyway, and accepts
    # Persian digits, which such a list would refuse.
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    sheet.add_data_validation(validation)
    letter = get_column_letter(column)
    validation.add(f"{letter}2:{letter}{MAX_IMPORT_ROWS + 1}")


# --- Import -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedRespondent:
    line: int
    name: str
    email: str
    group: str
    answers: list[SubmittedAnswer]


@dataclass(frozen=True)
class ImportProblem:
    line: int | None  # as a spreadsheet numbers it: the header is line 1
    column: str | None
    message: str  # lazily translated


@dataclass(frozen=True)
class ImportResult:
    rows: list[ImportedRespondent]  # empty whenever there are errors: nothing half-imported
    errors: list[ImportProblem]


def parse_import(
    data: bytes, filename: str, definitions: list[Questionnaire], groups: list[str]
) -> ImportResult:
    """Read and check a filled-in template (.csv or .xlsx); every problem is reported."""
    try:
        records = table_records(data, filename)
    except Unreadable as unreadable:
        return _failed([ImportProblem(None, None, unreadable.args[0])])
    if not any(any(cells) for cells in records):
        return _failed([ImportProblem(None, None, _l("The file is empty."))])
    items = {f"{q.id}:{item.id}": (q, item) for q, _d, item in _items(definitions)}
    columns = [cell.lower() for cell in records[0]]
    errors = _header_errors(columns, items)
    if errors:
        return _failed(errors)
    body = [(LocalNumber(n), cells) for n, cells in enumerate(records[1:], start=2) if any(cells)]
    known_groups = {group.casefold(): group for group in groups}
    rows, first_line = [], {}
    for line, cells in body:
        respondent, row_errors = _read_row(line, columns, cells, items, known_groups)
        errors += row_errors
        if respondent.email in first_line:
            message = _l(
                "Line %(line)s: the e-mail %(value)s is already on line %(first)s.",
                line=line,
                value=respondent.email,
                first=first_line[respondent.email],
            )
            errors.append(ImportProblem(line, EMAIL, message))
        elif respondent.email:
            first_line[respondent.email] = line
        rows.append(respondent)
    return _failed(errors) if errors else ImportResult(rows=rows, errors=[])


def _failed(errors: list[ImportProblem]) -> ImportResult:
    if len(errors) > MAX_REPORTED_ERRORS:
        more = _l("… and %(count)s more problems.", count=len(errors) - MAX_REPORTED_ERRORS)
        errors = [*errors[:MAX_REPORTED_ERRORS], ImportProblem(None, None, more)]
    return ImportResult(rows=[], errors=errors)


def _header_errors(
    columns: list[str], items: dict[str, tuple[Questionnaire, Item]]
) -> list[ImportProblem]:
    errors, seen = [], set()
    for column in filter(None, columns):
        if column in seen:
            message = _l("Column %(column)s appears more than once.", column=column)
            errors.append(ImportProblem(1, column, message))
        elif column not in items and column not in (NAME, EMAIL, GROUP):
            errors.append(ImportProblem(1, column, _l("Unknown column %(column)s.", column=column)))
        seen.add(column)
    for required in (NAME, GROUP):
        if required not in seen:
            message = _l("Line 1 has no %(column)s column.", column=required)
            errors.append(ImportProblem(1, required, message))
    if not seen & items.keys():
        example = next(iter(items), "questionnaire:item")
        message = _l("Line 1 has no question column, such as %(column)s.", column=example)
        errors.append(ImportProblem(1, None, message))
    return errors


def _read_row(
    line: int,
    columns: list[str],
    cells: list[str],
    items: dict[str, tuple[Questionnaire, Item]],
    groups: dict[str, str],
) -> tuple[ImportedRespondent, list[ImportProblem]]:
    """The respondent on one line (only to be used if there are no errors)."""
    fields, errors = _named_cells(line, columns, cells)
    name, email = fields.get(NAME, ""), normalise_email(fields.get(EMAIL, ""))
    group = groups.get(fields.get(GROUP, "").casefold(), "")
    if not name:
        errors.append(
            ImportProblem(line, NAME, _l("Line %(line)s: the name is missing.", line=line))
        )
    if email and not is_email(email):
        message = _l(
            "Line %(line)s: %(value)s is not a valid e-mail address.", line=line, value=email
        )
        errors.append(ImportProblem(line, EMAIL, message))
    if not group:
        message = _l(
            "Line %(line)s: the group must be one of: %(groups)s.",
            line=line,
            groups=LocalList(groups.values(), conjunction=False),
        )
        errors.append(ImportProblem(line, GROUP, message))
    answers = []
    for column, text in fields.items():
        if column in items and text:
            answer = _read_answer(line, column, text, *items[column])
            (errors if isinstance(answer, ImportProblem) else answers).append(answer)
    return ImportedRespondent(line, name, email, group, answers), errors


def _named_cells(
    line: int, columns: list[str], cells: list[str]
) -> tuple[dict[str, str], list[ImportProblem]]:
    """A line's cells by column name; a value in a column without a name is an error."""
    fields, errors = {}, []
    for index, cell in enumerate(cells):
        column = columns[index] if index < len(columns) else ""
        if column:
            fields[column] = cell
        elif cell:
            at = {"line": line, "column": get_column_letter(index + 1)}
            message = _l("Line %(line)s, column %(column)s: this column has no name.", **at)
            errors.append(ImportProblem(line, at["column"], message))
    return fields, errors


def _read_answer(
    line: int, column: str, text: str, questionnaire: Questionnaire, item: Item
) -> SubmittedAnswer | ImportProblem:
    """One cell's answer: a whole number on the item's scale (Persian and Arabic-Indic
    digits too), or "na" where the item allows it."""
    at = {"line": line, "column": column, "value": text}
    if text.casefold() in _NOT_APPLICABLE_SPELLINGS:
        if item.allow_na:
            return SubmittedAnswer(questionnaire.id, item.id, None, True, "")
        message = _l(
            "Line %(line)s, column %(column)s: this question cannot be answered “not applicable”.",
            **at,
        )
        return ImportProblem(line, column, message)
    latin = to_latin_digits(text)
    value = int(latin.split(".")[0]) if _INTEGRAL.fullmatch(latin) else None
    if value not in {point.value for point in questionnaire.scales[item.scale].points}:
        message = _l(
            "Line %(line)s, column %(column)s: %(value)s is not a value on this question's scale.",
            **at,
        )
        return ImportProblem(line, column, message)
    return SubmittedAnswer(questionnaire.id, item.id, value, False, "")
