"""The staff's work queue: every assessment of the organisations a consultant is assigned
to (every one, for the admin) with where it stands and its next step, overdue first; the
totals above it; and the organisations still without an assessment.

Each is a fixed number of queries whatever the number of organisations and assessments:
the page of assessments with their organisations in one, the respondents' counts of that
page in one more, the totals in one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import contains_eager
from wtforms import Form, SelectField, widgets

from app.assessments.steps import RUNNING, Progress, Step, next_step, respondent_counts
from app.extensions import db
from app.labels import STATUS_LABELS
from app.models import Assessment, AssessmentStatus, ConsultantAssignment, Organisation, User
from app.organisations.queries import organisations_of

FINISHED = (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)


@dataclass(frozen=True)
class QueueEntry:
    assessment: Assessment  # its organisation loaded with it
    progress: Progress
    step: Step | None
    overdue: bool


@dataclass
class Totals:
    by_status: dict[AssessmentStatus, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def active(self) -> int:
        return sum(
            n for status, n in self.by_status.items() if status is not AssessmentStatus.ARCHIVED
        )


def _assigned(query: Select, user: User) -> Select:
    """``query`` (on assessments) narrowed to what the member of staff works on."""
    if user.is_admin:
        return query
    return query.join(
        ConsultantAssignment,
        and_(
            ConsultantAssignment.organisation_id == Assessment.organisation_id,
            ConsultantAssignment.consultant_id == user.id,
        ),
    )


def visible_assessments(user: User) -> Select:
    """The assessments a member of staff works on, with their organisation."""
    return _assigned(
        select(Assessment)
        .join(Assessment.organisation)
        .options(contains_eager(Assessment.organisation)),
        user,
    )


def _overdue(today: date):
    return and_(
        Assessment.deadline.is_not(None),
        Assessment.deadline < today,
        Assessment.status.in_(RUNNING),
    )


class PlainSelect(widgets.Select):
    """WTForms' select, each plain option written out directly: through ``html_params``,
    the options of a consultant's two hundred organisations took a tenth of the home
    page's time."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option value="{escape(choice.value)}"{selected}>{label}</option>')


class QueueFilterForm(Form):
    """The queue's filters, read from the query string (a GET form needs no CSRF token)."""

    organisation = SelectField(_l("Organisation"), widget=PlainSelect())
    state = SelectField(_l("State"))


def filter_form(user: User, args) -> QueueFilterForm:
    form = QueueFilterForm(args)
    organisations = db.session.execute(
        organisations_of(user).with_only_columns(Organisation.id, Organisation.name)
    )
    form.organisation.choices = [("", _l("All organisations"))] + [
        (str(organisation_id), name) for organisation_id, name in organisations
    ]
    form.state.choices = [("", _l("All but archived"))] + [
        (status.value, label) for status, label in STATUS_LABELS.items()
    ]
    return form


def queue(user: User, form: QueueFilterForm, today: date, page: int, per_page: int):
    """A page of the queue (Flask-SQLAlchemy's Pagination) and its entries: overdue first,
    published ones last, then by deadline (those without one last), newest first."""
    query = visible_assessments(user)
    if form.organisation.data and form.organisation.data.isdigit():
        query = query.where(Assessment.organisation_id == int(form.organisation.data))
    if form.state.data in {status.value for status in AssessmentStatus}:
        query = query.where(Assessment.status == AssessmentStatus(form.state.data))
    else:
        query = query.where(Assessment.status != AssessmentStatus.ARCHIVED)
    query = query.order_by(
        case((_overdue(today), 0), else_=1),
        case((Assessment.status.in_(FINISHED), 1), else_=0),
        case((Assessment.deadline.is_(None), 1), else_=0),
        Assessment.deadline,
        Assessment.id.desc(),
    )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    counts = {
        row.assessment_id: row
        for row in db.session.execute(respondent_counts([a.id for a in pagination.items]))
    }
    entries = []
    for assessment in pagination.items:
        row = counts.get(assessment.id)
        progress = Progress(
            status=assessment.status,
            deadline=assessment.deadline,
            invited=row.invited if row else 0,
            submitted=row.submitted if row else 0,
            waiting=row.waiting if row else 0,
            reviewed=bool(assessment.observations),
        )
        entries.append(
            QueueEntry(assessment, progress, next_step(progress, today), progress.is_overdue(today))
        )
    return pagination, entries


def totals(user: User, today: date) -> Totals:
    """Assessments by state and how many are overdue, in one query."""
    overdue = case((_overdue(today), 1))
    result = Totals()
    for status, count, overdue_count in db.session.execute(
        _assigned(
            select(Assessment.status, func.count(), func.count(overdue)).group_by(
                Assessment.status
            ),
            user,
        )
    ):
        result.by_status[status] = count
        result.overdue += overdue_count
    return result


def organisations_without_assessment(user: User) -> list[Organisation]:
    """Assigned organisations with no assessment yet: the queue's first step for them is
    to create one."""
    has_one = exists().where(Assessment.organisation_id == Organisation.id)
    return list(db.session.scalars(organisations_of(user).where(~has_one)))
