"""The audit trail in words: each event with the question, dimension or recommendation it
concerns in the reader's language, and its old and new values as the labels people chose
from (scale points, "not applicable", levels, states). It filters by kind of event and by
person, pages, and exports as CSV. The views attach to the assessments blueprint.

Events store what they concern as text (``AuditEvent.subject``): an answer's
``<respondent>: <questionnaire>/<item>``, a consensus value's ``<questionnaire>/<item>``, a
target's ``<questionnaire>/<dimension>``, an action-plan owner's
``<questionnaire>/<dimension>/<level>/<position>``; anything else names a person or a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from sqlalchemy import Select, distinct, select
from wtforms import Form, SelectField

from app.assessments import scores
from app.assessments.routes import assessment_or_404, bp
from app.extensions import db
from app.formatting import join_list
from app.i18n import current_language, format_day, localize_digits
from app.instrument.definitions import Questionnaire
from app.labels import AUDIT_ACTION_LABELS, AUDIT_FIELD_LABELS, STATUS_LABELS, label
from app.models import Assessment, AssessmentStatus, AuditEvent
from app.tracker.exchange import csv_lines

PER_PAGE = 50
NO_VALUE = "—"


@dataclass(frozen=True)
class AuditRow:
    when: datetime
    who: str
    what: str  # the kind of event
    concerning: str  # the question, dimension, recommendation, person or file
    respondent: str  # whose answer, for answers
    old: str
    new: str


class AuditReader:
    """Reads events in words, given the questionnaires of their assessments."""

    def __init__(self, definitions: dict[int, list[Questionnaire]], language: str):
        self.language = language
        self.questionnaires = {
            (assessment_id, questionnaire.id): questionnaire
            for assessment_id, questionnaires in definitions.items()
            for questionnaire in questionnaires
        }

    def row(self, event: AuditEvent) -> AuditRow:
        concerning, respondent, old, new = event.subject, "", event.old_value, event.new_value
        action = event.action
        describe = self._plain
        if action == "answer":
            respondent, _colon, concerning = event.subject.rpartition(": ")
            describe = self._answer(event.assessment_id, concerning)
            concerning = self._item_text(event.assessment_id, concerning)
        elif action == "consensus":
            describe = self._answer(event.assessment_id, concerning)
            concerning = self._item_text(event.assessment_id, concerning)
        elif action == "target":
            describe = self._level(event.assessment_id, concerning)
            concerning = self._dimension_text(event.assessment_id, concerning)
        elif action in ("action owner", "action done"):
            concerning = self._recommendation_text(event.assessment_id, concerning)
        elif action in ("status", "reopened"):
            describe = _status
        return AuditRow(
            when=event.created_at,
            who=event.actor_label,
            what=str(label(action)),
            concerning=concerning,
            respondent=respondent,
            old=describe(old),
            new=describe(new),
        )

    def _questionnaire(self, assessment_id: int, key: str) -> Questionnaire | None:
        return self.questionnaires.get((assessment_id, key))

    def _item(self, assessment_id: int, subject: str):
        key, _slash, item_id = subject.partition("/")
        questionnaire = self._questionnaire(assessment_id, key)
        if questionnaire is None:
            return None, None
        for dimension in questionnaire.dimensions:
            for item in dimension.items:
                if item.id == item_id:
                    return questionnaire, item
        return questionnaire, None

    def _item_text(self, assessment_id: int, subject: str) -> str:
        _questionnaire, item = self._item(assessment_id, subject)
        return item.statement.in_language(self.language) if item else subject

    def _dimension(self, assessment_id: int, key: str, dimension_id: str):
        questionnaire = self._questionnaire(assessment_id, key)
        if questionnaire is None:
            return None
        return next((d for d in questionnaire.dimensions if d.id == dimension_id), None)

    def _dimension_text(self, assessment_id: int, subject: str) -> str:
        key, _slash, dimension_id = subject.partition("/")
        dimension = self._dimension(assessment_id, key, dimension_id)
        return dimension.title.in_language(self.language) if dimension else subject

    def _recommendation_text(self, assessment_id: int, subject: str) -> str:
        parts = subject.split("/")
        if len(parts) != 4 or not parts[3].isdigit():
            return subject
        key, dimension_id, level, position = parts
        dimension = self._dimension(assessment_id, key, dimension_id)
        recommendations = dimension.recommendations.get(level, []) if dimension else []
        if int(position) >= len(recommendations):
            return subject
        title = dimension.title.in_language(self.language)
        return f"{title}: {recommendations[int(position)].text.in_language(self.language)}"

    def _answer(self, assessment_id: int, subject: str):
        """Values of an answer or a consensus value: the scale point's label, "not
        applicable" in the scale's words, and any comment or note."""
        questionnaire, item = self._item(assessment_id, subject)
        if item is None:
            return self._plain
        scale = questionnaire.scales[item.scale]
        points = {point.value: point.label.in_language(self.language) for point in scale.points}
        not_applicable = scale.not_applicable.in_language(self.language)

        def describe(value) -> str:
            if not isinstance(value, dict):
                return self._plain(value)
            parts = []
            if value.get("not_applicable"):
                parts.append(not_applicable)
            elif value.get("value") is not None:
                parts.append(points.get(value["value"], localize_digits(value["value"])))
            for field in ("comment", "note"):
                if value.get(field):
                    parts.append(f"{AUDIT_FIELD_LABELS[field]}: {value[field]}")
            return join_list(parts, self.language, conjunction=False) or NO_VALUE

        return describe

    def _level(self, assessment_id: int, subject: str):
        questionnaire = self._questionnaire(assessment_id, subject.partition("/")[0])
        names = (
            {band.id: band.name.in_language(self.language) for band in questionnaire.levels}
            if questionnaire
            else {}
        )
        return lambda value: NO_VALUE if value is None else names.get(value, str(value))

    def _plain(self, value) -> str:
        """Any other value: a number, a text, a yes or no, or fields with their names (an
        action plan's owner and due date)."""
        if value is None or value == "":
            return NO_VALUE
        if isinstance(value, bool):
            return str(_l("yes") if value else _l("no"))
        if isinstance(value, int | float):
            return localize_digits(value)
        if isinstance(value, dict):
            shown = [
                f"{AUDIT_FIELD_LABELS.get(key, key)}: {self._field(key, item)}"
                for key, item in value.items()
                if item not in (None, "", False)
            ]
            return join_list(shown, self.language, conjunction=False) or NO_VALUE
        return str(value)

    def _field(self, key: str, value) -> str:
        if key == "due_date" and isinstance(value, str):
            try:
                return format_day(date.fromisoformat(value))
            except ValueError:
                return value
        return self._plain(value)


def _status(value) -> str:
    try:
        return str(STATUS_LABELS[AssessmentStatus(value)])
    except ValueError:
        return NO_VALUE if value is None else str(value)


class AuditFilterForm(Form):
    """The trail's filters, read from the query string (a GET form needs no CSRF token)."""

    kind = SelectField(_l("Kind of event"))
    person = SelectField(_l("Person"))


def _filter_form(assessment: Assessment) -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.kind.choices = [("", _l("All kinds"))] + [
        (kind, name) for kind, name in AUDIT_ACTION_LABELS.items()
    ]
    people = db.session.scalars(
        select(distinct(AuditEvent.actor_label))
        .where(AuditEvent.assessment_id == assessment.id)
        .order_by(AuditEvent.actor_label)
    )
    form.person.choices = [("", _l("Everyone"))] + [(person, person) for person in people]
    return form


def _events(assessment: Assessment, form: AuditFilterForm) -> Select:
    query = select(AuditEvent).where(AuditEvent.assessment_id == assessment.id)
    if form.kind.data in AUDIT_ACTION_LABELS:
        query = query.where(AuditEvent.action == form.kind.data)
    if form.person.data:
        query = query.where(AuditEvent.actor_label == form.person.data)
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


@bp.route("/assessments/<int:assessment_id>/audit")
def audit(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = _filter_form(assessment)
    page = db.paginate(_events(assessment, form), per_page=PER_PAGE, error_out=False)
    reader = AuditReader({assessment.id: scores.definitions(assessment)}, current_language())
    filters = {
        name: value
        for name, value in (("kind", form.kind.data), ("person", form.person.data))
        if value
    }
    return render_template(
        "assessments/audit.html",
        assessment=assessment,
        form=form,
        page=page,
        rows=[reader.row(event) for event in page.items],
        filters=filters,
    )


@bp.route("/assessments/<int:assessment_id>/audit.csv")
def audit_export(assessment_id: int):
    """The filtered trail as CSV, in the reader's language; cells that a spreadsheet
    would run as formulas are kept as text."""
    assessment = assessment_or_404(assessment_id)
    form = _filter_form(assessment)
    reader = AuditReader({assessment.id: scores.definitions(assessment)}, current_language())
    events = db.session.scalars(_events(assessment, form))
    response = Response(
        stream_with_context(csv_lines(_audit_table(reader, events))),
        mimetype="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="assessment-{assessment.id}-audit.csv"'
    )
    return response


def _audit_table(reader: AuditReader, events: Iterable[AuditEvent]) -> Iterator[list[object]]:
    yield [
        str(_l("When")),
        str(_l("Who")),
        str(_l("What")),
        str(_l("Concerning")),
        str(_l("Respondent")),
        str(_l("Old value")),
        str(_l("New value")),
    ]
    for event in events:
        row = reader.row(event)
        yield [
            to_user_timezone(row.when).isoformat(timespec="seconds"),  # sorts as text
            row.who,
            row.what,
            row.concerning,
            row.respondent,
            row.old,
            row.new,
        ]
