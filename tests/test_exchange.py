"""Exports (CSV, Excel, JSON) and the import of answers collected on paper.

The fixture questionnaire is ``mini`` (see tests/test_scoring.py) on a five-point scale
(1 -> 0, 2 -> 25, 3 -> 50, 4 -> 75, 5 -> 100), with item ``e`` changed to allow no
"not applicable":
  lead (weight 2, critical below 40): a, b (reverse), c (weight 2)
  ops  (weight 1):                    d, e (no N/A)
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from app.assessments.exchange import (
    ImportResult,
    RespondentAnswers,
    answers_table,
    parse_import,
    results_table,
    template_columns,
    template_csv,
    template_xlsx,
    to_csv,
    to_json,
    to_xlsx,
)
from app.assessments.services import SubmittedAnswer
from app.instrument.definitions import Questionnaire
from app.instrument.loader import load_questionnaire
from app.instrument.results import Consensus, Response
from app.instrument.scoring import score_assessment
from app.spreadsheets import MAX_IMPORT_ROWS, defused, restored

FIXTURES = Path(__file__).parent / "fixtures" / "questionnaires"
GROUPS = ["executive", "manager", "staff"]
TEHRAN = timezone(timedelta(hours=3, minutes=30))
RESPONDENTS = [
    RespondentAnswers(
        name="مریم رضایی",
        email="maryam@example.com",
        group="manager",
        submitted_at=datetime(2024, 5, 1, 12, 0, tzinfo=TEHRAN),
        answers={
            ("mini", "a"): (4, False, "خوب است"),
            ("mini", "b"): (2, False, ""),
            ("mini", "d"): (None, True, ""),
        },
    ),
    RespondentAnswers(
        name="Sam",
        email="",
        group="staff",
        submitted_at=None,
        answers={
            ("mini", "a"): (2, False, ""),
            ("mini", "b"): (5, False, ""),
            ("mini", "c"): (3, False, ""),
            ("mini", "e"): (1, False, "=HYPERLINK(1)"),
        },
    ),
]


@pytest.fixture(scope="module")
def definitions() -> list[Questionnaire]:
    data = load_questionnaire(FIXTURES / "mini.yaml").definition.model_dump()
    data["dimensions"][1]["items"][1]["allow_na"] = False  # item e
    return [Questionnaire.model_validate(data)]


@pytest.fixture(scope="module")
def result(definitions):
    responses = [
        Response(r.name, r.group, {key: value for key, (value, _na, _c) in r.answers.items()})
        for r in RESPONDENTS
    ]
    # Groups of one are shown here so their columns can be checked (the app's minimum is 3).
    return score_assessment(definitions, responses, min_group_size=1)


def problems(imported: ImportResult) -> list[tuple[int | None, str | None, str]]:
    return [(error.line, error.column, str(error.message)) for error in imported.errors]


# --- Exports ------------------------------------------------------------------------


def test_answers_table_has_a_row_per_respondent_and_item(definitions):
    headers, rows = answers_table(definitions, RESPONDENTS)
    assert headers == [
        "name",
        "email",
        "group",
        "submitted_at",
        "questionnaire",
        "version",
        "dimension",
        "item",
        "value",
        "not_applicable",
        "item_score",
        "comment",
    ]
    assert len(rows) == 2 * 5
    by_item = {(row[0], row[7]): row for row in rows}
    # b is a reverse item: 2 -> 25, mirrored -> 75; noon in Tehran is 08:30 UTC.
    assert by_item["مریم رضایی", "b"] == [
        "مریم رضایی",
        "maryam@example.com",
        "manager",
        "2024-05-01T08:30:00+00:00",
        "mini",
        "1.0.0",
        "lead",
        "b",
        2,
        "",
        75.0,
        "",
    ]
    assert by_item["مریم رضایی", "a"][8:] == [4, "", 75.0, "خوب است"]
    assert by_item["مریم رضایی", "c"][8:] == ["", "", "", ""]  # not answered
    assert by_item["مریم رضایی", "d"][8:] == ["", "yes", "", ""]  # not applicable
    assert by_item["Sam", "b"][3] == ""  # not submitted
    assert by_item["Sam", "b"][8:11] == [5, "", 0.0]


def test_results_table_has_a_row_per_dimension_with_unrounded_numbers(definitions, result):
    headers, rows = results_table(definitions, result, "fa")
    assert headers[-2:] == ["group:manager", "group:staff"]
    # lead: item means a (75+25)/2 = 50, b (75+0)/2 = 37.5, c 50 (weight 2)
    #       (50 + 37.5 + 100) / 4 = 46.875 -> developing; ops 0: the index (46.875 x 2 + 0)
    #       / 3 = 31.25 is emerging, so the target is developing (40): lead has no gap;
    #       manager 75, staff (25 + 0 + 100) / 4 = 31.25
    assert rows[0] == [
        "mini",
        "lead",
        "رهبری",
        46.875,
        "developing",
        1.0,
        2,
        "developing",
        0.0,
        0.0,
        "",
        75.0,
        31.25,
    ]
    # ops: d only N/A, e = 1 -> 0 on half the weight; the manager group has no score.
    assert rows[1][:7] == ["mini", "ops", "عملیات", 0.0, "initial", 0.5, 1]
    assert rows[1][-2:] == ["", 0.0]
    assert results_table(definitions, result, "en")[1][0][2] == "Leadership"


def test_results_table_leaves_out_groups_too_small_to_show(definitions):
    responses = [
        Response(r.name, r.group, {k: v for k, (v, _na, _c) in r.answers.items()})
        for r in RESPONDENTS
    ]
    headers, _rows = results_table(definitions, score_assessment(definitions, responses), "en")
    assert not [header for header in headers if header.startswith("group:")]


def test_csv_has_a_bom_and_round_trips_persian_text(definitions):
    data = to_csv(*answers_table(definitions, RESPONDENTS))
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    text = data.decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0][0] == "name"
    assert records[1][0] == "مریم رضایی"
    assert records[1][11] == "خوب است"
    assert len(records) == 1 + 10


def test_csv_and_xlsx_keep_formula_like_text_as_text(definitions):
    table = answers_table(definitions, RESPONDENTS)
    records = list(csv.reader(io.StringIO(to_csv(*table).decode("utf-8-sig"), newline="")))
    assert "'=HYPERLINK(1)" in [record[11] for record in records]
    sheet = load_workbook(io.BytesIO(to_xlsx({"answers": table})))["answers"]
    cell = next(c for c in sheet["L"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_xlsx_has_the_sheets_with_bold_frozen_headers(definitions, result):
    data = to_xlsx(
        {
            "answers": answers_table(definitions, RESPONDENTS),
            "results of the assessment: 2024/05": results_table(definitions, result, "fa"),
        }
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["answers", "results of the assessment- 2024"]
    results = workbook.worksheets[1]
    assert [cell.value for cell in results[1]][:4] == [
        "questionnaire",
        "dimension",
        "title",
        "score",
    ]
    assert all(cell.font.bold for cell in results[1])
    assert results.freeze_panes == "A2"
    assert [cell.value for cell in results[2]][2:4] == ["رهبری", 46.875]
    assert workbook["answers"]["A2"].value == "مریم رضایی"
    assert 8 <= workbook["answers"].column_dimensions["A"].width <= 62


def test_json_holds_meta_results_action_plan_and_answers(definitions):
    responses = [
        Response(r.name, r.group, {k: v for k, (v, _n, _c) in r.answers.items()})
        for r in RESPONDENTS
    ]
    agreed = {("mini", "d"): Consensus(value=5, note="agreed in the workshop")}
    result = score_assessment(definitions, responses, consensus=agreed)
    meta = {
        "title": "ارزیابی ۱۴۰۳",
        "deadline": date(2024, 6, 1),
        "exported_at": datetime(2024, 6, 2, tzinfo=UTC),
    }
    data = to_json(meta, definitions, result, RESPONDENTS)
    assert "ارزیابی ۱۴۰۳".encode() in data  # not \u-escaped
    document = json.loads(data)
    assert document["meta"] == {
        "title": "ارزیابی ۱۴۰۳",
        "deadline": "2024-06-01",
        "exported_at": "2024-06-02T00:00:00+00:00",
    }
    assert document["questionnaires"] == [{"id": "mini", "version": "1.0.0"}]
    lead, ops = document["results"]["questionnaires"][0]["dimensions"]
    assert lead["score"] == 46.875
    item_b = lead["items"][1]
    assert item_b["item_id"] == "b"
    assert item_b["answers"] == {
        "n": 2,
        "mean": 37.5,
        "median": 37.5,
        "sd": 37.5,
        "min": 0.0,
        "max": 75.0,
    }
    assert item_b["consensus"] is None
    assert item_b["disagreement"] is False  # spread 37.5, but two answers judge no agreement
    item_d = ops["items"][0]
    assert item_d["consensus"] == {"value": 5, "note": "agreed in the workshop"}
    assert item_d["not_applicable"] == 1
    plan = document["action_plan"]
    # ops: the consensus d = 5 -> 100 with e = 0 gives 50; the index (46.875 x 2 + 50) / 3
    # = 47.9 is developing, so both aim at "established" (60): ops is 10 under it; lead
    # comes first as it is critical, though its priority is higher anyway.
    assert [(entry["dimension_id"], entry["gap"]) for entry in plan] == [
        ("lead", 13.125),
        ("ops", 10.0),
    ]
    assert plan[0]["recommendations"][0]["text"]["en"] == "Act at developing"
    maryam, sam = document["answers"]
    assert maryam["submitted_at"] == "2024-05-01T08:30:00+00:00"
    assert sam["submitted_at"] is None
    assert maryam["answers"][0] == {
        "questionnaire": "mini",
        "item": "a",
        "value": 4,
        "not_applicable": False,
        "comment": "خوب است",
    }
    assert len(sam["answers"]) == 4


# --- Import templates and round trips -----------------------------------------------

FILLED = [
    # name, email, group, a, b, c, d, e
    ["مریم رضایی", "Maryam@Example.com", "Manager", 4, "۲", "na", None, "٣"],
    ["Sam", None, "staff", 1.0, 5, 3, "N/A", 1],
]
EXPECTED = [
    [
        SubmittedAnswer("mini", "a", 4, False, ""),
        SubmittedAnswer("mini", "b", 2, False, ""),
        SubmittedAnswer("mini", "c", None, True, ""),
        SubmittedAnswer("mini", "e", 3, False, ""),
    ],
    [
        SubmittedAnswer("mini", "a", 1, False, ""),
        SubmittedAnswer("mini", "b", 5, False, ""),
        SubmittedAnswer("mini", "c", 3, False, ""),
        SubmittedAnswer("mini", "d", None, True, ""),
        SubmittedAnswer("mini", "e", 1, False, ""),
    ],
]


def filled_csv(template: bytes, rows: list[list], delimiter: str = ",") -> bytes:
    text = template.decode("utf-8-sig").replace(",", delimiter)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (text + buffer.getvalue()).encode("utf-8-sig")


def filled_xlsx(template: bytes, rows: list[list]) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    for row in rows:
        workbook["answers"].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_template_filled_in_round_trips(definitions, kind):
    if kind == "csv":
        data = filled_csv(template_csv(definitions, GROUPS, "en"), FILLED)
    else:
        data = filled_xlsx(template_xlsx(definitions, GROUPS, "fa"), FILLED)
    imported = parse_import(data, f"answers.{kind}", definitions, GROUPS)
    assert imported.errors == []
    first, second = imported.rows
    assert (first.line, first.name, first.email, first.group) == (
        2,
        "مریم رضایی",
        "maryam@example.com",
        "manager",
    )
    assert (second.line, second.name, second.email, second.group) == (3, "Sam", "", "staff")
    assert [first.answers, second.answers] == EXPECTED


def test_csv_template_is_the_header_line(definitions):
    data = template_csv(definitions, GROUPS, "fa")
    assert data == "\ufeffname,email,group,mini:a,mini:b,mini:c,mini:d,mini:e\r\n".encode()


def test_xlsx_template_explains_the_columns_and_offers_the_values(definitions):
    workbook = load_workbook(io.BytesIO(template_xlsx(definitions, GROUPS, "fa")))
    assert workbook.sheetnames == ["answers", "help"]
    answers = workbook["answers"]
    assert [cell.value for cell in answers[1]] == template_columns(definitions)
    assert answers.max_row == 1
    assert answers.sheet_view.rightToLeft
    lists = {str(v.sqref): v.formula1 for v in answers.data_validations.dataValidation}
    assert lists["C2:C5001"] == '"executive,manager,staff"'
    assert lists["E2:E5001"] == '"1,2,3,4,5,na"'
    assert lists["H2:H5001"] == '"1,2,3,4,5"'  # e allows no N/A
    help_rows = {row[0]: row for row in workbook["help"].iter_rows(min_row=2, values_only=True)}
    # Lists in the Persian sheet take the Persian comma (with CLDR's right-to-left mark).
    assert help_rows["group"][2] == "executive،\u200f manager،\u200f staff"
    _column, statement, allowed = help_rows["mini:b"]
    assert statement == "گزاره b"
    assert allowed.startswith("1 = کاملاً مخالفم،\u200f 2 = مخالفم")
    assert allowed.endswith("na = نمی\u200cدانم / موضوعیت ندارد")
    assert "na =" not in help_rows["mini:e"][2]


@pytest.mark.parametrize("delimiter", [";", "\t", "؛"])  # Excel's separator in Persian Windows
def test_csv_with_another_delimiter(definitions, delimiter):
    data = filled_csv(template_csv(definitions, GROUPS, "fa"), FILLED, delimiter)
    imported = parse_import(data, "answers.csv", definitions, GROUPS)
    assert imported.errors == []
    assert [row.answers for row in imported.rows] == EXPECTED


def test_semicolons_and_persian_digits_without_a_bom(definitions):
    data = "name;group;mini:a;mini:e\nعلی;executive;۵;٢\n".encode()
    imported = parse_import(data, "ANSWERS.CSV", definitions, GROUPS)
    assert imported.errors == []
    assert imported.rows[0].answers == [
        SubmittedAnswer("mini", "a", 5, False, ""),
        SubmittedAnswer("mini", "e", 2, False, ""),
    ]


def test_blank_rows_are_skipped_but_counted(english, definitions):
    data = b"name,group,mini:a\n\nSam,staff,4\n,,\nAli,staff,7\n"
    imported = parse_import(data, "answers.csv", definitions, GROUPS)
    assert problems(imported) == [
        (5, "mini:a", "Line 5, column mini:a: 7 is not a value on this question's scale.")
    ]


def test_one_bad_row_means_no_rows(english, definitions):
    data = b"name,group,mini:a\nSam,staff,4\nAli,staff,6\n"
    imported = parse_import(data, "answers.csv", definitions, GROUPS)
    assert imported.rows == []
    assert len(imported.errors) == 1


# --- Import errors ------------------------------------------------------------------

HEADER = "name,email,group,mini:a,mini:e\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Sam,,staff,9,",
            ("mini:a", "Line 2, column mini:a: 9 is not a value on this question's scale."),
        ),
        (
            "Sam,,staff,4.5,",
            ("mini:a", "Line 2, column mini:a: 4.5 is not a value on this question's scale."),
        ),
        (
            "Sam,,staff,often,",
            ("mini:a", "Line 2, column mini:a: often is not a value on this question's scale."),
        ),
        (
            "Sam,,staff,,na",
            ("mini:e", "Line 2, column mini:e: this question cannot be answered “not applicable”."),
        ),
        (",,staff,4,", ("name", "Line 2: the name is missing.")),
        ("Sam,sam@,staff,4,", ("email", "Line 2: sam@ is not a valid e-mail address.")),
        (
            "Sam,,board,4,",
            ("group", "Line 2: the group must be one of: executive, manager, staff."),
        ),
        ("Sam,,,4,", ("group", "Line 2: the group must be one of: executive, manager, staff.")),
        ("Sam,,staff,4,,5", ("F", "Line 2, column F: this column has no name.")),
    ],
)
def test_a_bad_cell_is_named_by_line_and_column(english, definitions, line, expected):
    imported = parse_import((HEADER + line).encode(), "answers.csv", definitions, GROUPS)
    assert imported.rows == []
    assert problems(imported) == [(2, *expected)]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "name,group,mini:a,mini:z,notes",
            [("mini:z", "Unknown column mini:z."), ("notes", "Unknown column notes.")],
        ),
        ("name,mini:a", [("group", "Line 1 has no group column.")]),
        ("email,group,mini:a", [("name", "Line 1 has no name column.")]),
        ("name,group", [(None, "Line 1 has no question column, such as mini:a.")]),
        ("Name,Group,mini:a,MINI:A", [("mini:a", "Column mini:a appears more than once.")]),
    ],
)
def test_a_bad_header_is_reported_alone(english, definitions, header, expected):
    data = f"{header}\nSam,staff,9\n".encode()
    imported = parse_import(data, "answers.csv", definitions, GROUPS)
    assert problems(imported) == [(1, column, message) for column, message in expected]


def test_a_persian_report_numbers_its_lines_in_persian_digits(app, definitions):
    data = (HEADER + "Sam,,staff,4,\n" * 10 + "Ava,ava@,staff,4,\n").encode()
    imported = parse_import(data, "answers.csv", definitions, GROUPS)
    with app.test_request_context(), force_locale("fa"):
        [problem] = imported.errors
        assert "۱۲" in str(problem.message)
        assert "12" not in str(problem.message)


def test_an_e_mail_used_twice_is_an_error(english, definitions):
    data = (HEADER + "A,a@example.com,staff,4,\nB,,staff,4,\nC,A@Example.com,staff,4,\n").encode()
    imported = parse_import(data, "answers.csv", definitions, GROUPS)
    assert problems(imported) == [
        (4, "email", "Line 4: the e-mail a@example.com is already on line 2.")
    ]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("answers.txt", b"name,group,mini:a\n", "Upload a .csv or .xlsx file."),
        (
            "answers.xlsx",
            b"PK\x03\x04 not really a zip",
            "The file cannot be read as an Excel workbook (.xlsx).",
        ),
        ("answers.xlsx", HEADER.encode(), "The file cannot be read as an Excel workbook (.xlsx)."),
        (
            "answers.csv",
            "name,group\nسلام,staff\n".encode("cp1256"),
            "The file is not UTF-8 text: save it as “CSV UTF-8”.",
        ),
        ("answers.csv", b"", "The file is empty."),
        ("answers.csv", b"\xef\xbb\xbf\r\n,,\r\n", "The file is empty."),
    ],
)
def test_an_unreadable_file_gives_one_error(english, definitions, filename, data, message):
    imported = parse_import(data, filename, definitions, GROUPS)
    assert problems(imported) == [(None, None, message)]
    assert imported.rows == []


def test_xlsx_numbers_must_be_whole(english, definitions):
    data = filled_xlsx(template_xlsx(definitions, GROUPS, "en"), [["Sam", None, "staff", 4.0, 2.5]])
    imported = parse_import(data, "answers.xlsx", definitions, GROUPS)
    assert problems(imported) == [
        (2, "mini:b", "Line 2, column mini:b: 2.5 is not a value on this question's scale.")
    ]


def test_an_empty_workbook_is_empty(english, definitions):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    imported = parse_import(buffer.getvalue(), "answers.xlsx", definitions, GROUPS)
    assert problems(imported) == [(None, None, "The file is empty.")]


def test_too_many_rows(english, definitions):
    data = "name,group,mini:a\n" + "Sam,staff,4\n" * (MAX_IMPORT_ROWS + 1)
    imported = parse_import(data.encode(), "answers.csv", definitions, GROUPS)
    assert problems(imported) == [(None, None, "The file has more than 5000 rows.")]
    just_enough = "name,group,mini:a\n" + "Sam,staff,4\n" * MAX_IMPORT_ROWS
    assert len(parse_import(just_enough.encode(), "answers.csv", definitions, GROUPS).rows) == 5000


def test_many_errors_are_cut_short(english, definitions):
    data = "name,group,mini:a\n" + "Sam,staff,9\n" * 150
    messages = [
        message
        for _line, _column, message in problems(
            parse_import(data.encode(), "a.csv", definitions, GROUPS)
        )
    ]
    assert len(messages) == 101
    assert messages[-1] == "… and 50 more problems."


@given(st.text(max_size=12))
def test_what_an_export_quotes_an_import_unquotes_exactly(text):
    assert restored(defused(text)) == text


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("-Minus Trading", "'-Minus Trading"),
        ("+98 912 000 0000", "'+98 912 000 0000"),
        ("@home note", "'@home note"),
        ("'=x", "''=x"),  # an apostrophe of its own survives the round trip
        ("'t Hooft", "'t Hooft"),  # not formula-like: written and read as it is
        ("Plain", "Plain"),
    ],
)
def test_formula_like_text_gets_one_apostrophe_more(stored, written):
    assert defused(stored) == written
    assert restored(written) == stored
