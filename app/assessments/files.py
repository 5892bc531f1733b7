"""Files in and out of an assessment: exports (CSV, XLSX, JSON), the import template and
the import of answers collected on paper. The views attach to the assessments blueprint."""

from flask import abort, flash, render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.assessments import exchange, scores, services
from app.assessments.forms import ImportForm
from app.assessments.routes import assessment_or_404, back_to_assessment, bp, current_actor
from app.extensions import db
from app.guards import accepts_upload
from app.i18n import current_language, localize_digits
from app.models import utcnow
from app.spreadsheets import MAX_IMPORT_BYTES

EXPORT_TYPES = {
    "answers.csv": "text/csv",
    "results.csv": "text/csv",
    "assessment.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "assessment.json": "application/json",
}


@bp.route("/assessments/<int:assessment_id>/export/<name>")
def export(assessment_id: int, name: str):
    """Raw answers and results as CSV, XLSX or JSON."""
    assessment = assessment_or_404(assessment_id)
    if name not in EXPORT_TYPES:
        abort(404)
    definitions = scores.definitions(assessment)
    stored = scores.read_responses([assessment.id], submitted_only=False)[assessment.id]
    # Only what the file holds is worked out: the JSON has no table, the answers' table
    # no scores (for a JSON export, a row for every respondent and item was a fifth of
    # its time).
    if name == "answers.csv":
        data = exchange.to_csv(*exchange.answers_table(definitions, _respondent_answers(stored)))
        return _download(data, EXPORT_TYPES[name], f"assessment-{assessment.id}-{name}")
    result = scores.score_many(
        [assessment],
        questionnaires={assessment.id: definitions},
        responses=scores.submitted({assessment.id: stored}),
    )[assessment.id]
    if name == "results.csv":
        data = exchange.to_csv(*exchange.results_table(definitions, result, current_language()))
    elif name == "assessment.xlsx":
        results = exchange.results_table(definitions, result, current_language())
        answers = exchange.answers_table(definitions, _respondent_answers(stored))
        data = exchange.to_xlsx({"results": results, "answers": answers})
    else:
        meta = {
            "assessment": assessment.title,
            "organisation": assessment.organisation.name,
            "status": assessment.status.value,
            "published_at": assessment.published_at,
            "exported_at": utcnow(),
        }
        data = exchange.to_json(meta, definitions, result, _respondent_answers(stored))
    return _download(data, EXPORT_TYPES[name], f"assessment-{assessment.id}-{name}")


def _respondent_answers(stored: list[scores.StoredResponse]) -> list[exchange.RespondentAnswers]:
    return [
        exchange.RespondentAnswers(
            name=r.name,
            email=r.email,
            group=r.group,
            submitted_at=r.submitted_at,
            answers={key: (a.value, a.not_applicable, a.comment) for key, a in r.answers.items()},
        )
        for r in stored
    ]


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/assessments/<int:assessment_id>/import/template.<kind>")
def import_template(assessment_id: int, kind: str):
    assessment = assessment_or_404(assessment_id)
    definitions = scores.definitions(assessment)
    if kind == "xlsx":
        data = exchange.template_xlsx(definitions, assessment.groups, current_language())
        return _download(data, EXPORT_TYPES["assessment.xlsx"], "answers-template.xlsx")
    if kind == "csv":
        data = exchange.template_csv(definitions, assessment.groups, current_language())
        return _download(data, "text/csv", "answers-template.csv")
    abort(404)


@bp.route("/assessments/<int:assessment_id>/import", methods=["GET", "POST"])
@accepts_upload(MAX_IMPORT_BYTES)
def import_answers(assessment_id: int):
    """Answers collected on paper: the whole file is checked first, then added at once
    as submitted responses, or nothing is added."""
    assessment = assessment_or_404(assessment_id)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        parsed = exchange.parse_import(
            upload.read(MAX_IMPORT_BYTES + 1),  # enough to tell that it is too big
            upload.filename,
            scores.definitions(assessment),
            assessment.groups,
        )
        problems = parsed.errors
        if not problems:
            services.import_responses(assessment, parsed.rows, upload.filename, current_actor())
            db.session.commit()
            flash(
                _(
                    "%(count)s responses imported from %(file)s.",
                    count=localize_digits(len(parsed.rows)),
                    file=upload.filename,
                ),
                "success",
            )
            return back_to_assessment(assessment)
    return render_template(
        "assessments/import.html", assessment=assessment, form=form, problems=problems
    )
