from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from app.forms import (
    CheckboxesField,
    DateField,
    email_field,
    is_email,
    language_field,
    strip_whitespace,
)
from app.labels import GROUP_LABELS
from app.models import DEFAULT_GROUPS, utcnow

GROUP_PATTERN = re.compile(r"^[\w][\w -]{0,58}$")
# Links last until a day after the deadline; a bound keeps that day within the calendar.
MAX_DEADLINE_AHEAD = timedelta(days=5 * 366)


def parse_groups(text: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,،\n]", text or "") if part.strip()]


@dataclass(frozen=True)
class PastedRespondent:
    name: str
    email: str
    group: str


def group_lookup(groups: list[str]) -> dict[str, str]:
    """A group as people write it (its key, or its name in either language) to its key."""
    lookup = {}
    for group in groups:
        lookup[group.lower()] = group
        if group in GROUP_LABELS:
            for language in ("en", "fa"):
                with force_locale(language):
                    lookup[str(GROUP_LABELS[group]).lower()] = group
    return lookup


def parse_respondent_lines(
    text: str, groups: list[str], taken: set[str]
) -> tuple[list[PastedRespondent], list]:
    """Lines of ``name, e-mail, group``: the respondents, or every faulty line with its
    number. An address already in ``taken`` (lower case) or twice in the list is one."""
    lookup = group_lookup(groups)
    problems, parsed, seen = [], [], set(taken)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in re.split(r"[,،\t;]", line)]
        if len(parts) != 3 or not all(parts):
            problems.append(_l("Line %(n)s: write name, e-mail, group.", n=number))
            continue
        name, email, written_group = parts[0], parts[1].lower(), parts[2]
        group = lookup.get(written_group.lower())
        if not is_email(email):
            problems.append(
                _l("Line %(n)s: %(email)s is not an e-mail address.", n=number, email=email)
            )
        elif email in seen:
            problems.append(
                _l(
                    "Line %(n)s: %(email)s is already invited to this assessment.",
                    n=number,
                    email=email,
                )
            )
        elif group is None:
            problems.append(
                _l("Line %(n)s: unknown group %(group)s.", n=number, group=written_group)
            )
        else:
            seen.add(email)
            parsed.append(PastedRespondent(name[:120], email, group))
    return parsed, problems


def report_problems(field, problems: list) -> None:
    """One error per faulty line, all shown beside the box."""
    if problems:
        field.errors.extend(problems[:-1])
        raise ValidationError(problems[-1])


class AssessmentForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Give the assessment a title.")), Length(max=200)],
    )
    questionnaires = CheckboxesField(_l("Questionnaires"))
    groups = CheckboxesField(
        _l("Respondent groups"),
        choices=[SelectChoice(group, GROUP_LABELS[group]) for group in DEFAULT_GROUPS],
        default=list(DEFAULT_GROUPS),
    )
    other_groups = StringField(
        _l("Other groups (optional)"),
        filters=[strip_whitespace],
        description=_l("Names separated by commas"),
    )
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    respondents = TextAreaField(
        _l("Respondents (optional)"),
        description=_l(
            "One per line: name, e-mail, group. Each gets a private link; more can be added later."
        ),
    )
    locale = language_field(_l("Questionnaire language"))
    open_now = BooleanField(_l("Open for answers now"))
    submit = SubmitField(_l("Create assessment"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed: list[PastedRespondent] = []

    def validate_questionnaires(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one questionnaire."))

    def validate_deadline(self, field):
        if field.data and field.data > utcnow().date() + MAX_DEADLINE_AHEAD:
            raise ValidationError(_l("Choose a deadline within five years from today."))

    def validate_other_groups(self, field):
        others = parse_groups(field.data)
        if any(not GROUP_PATTERN.match(group) for group in others):
            raise ValidationError(_l("Use letters, digits, spaces and hyphens in group names."))
        chosen = (self.groups.data or []) + others
        if not chosen:
            raise ValidationError(_l("Choose or name at least one group."))
        if len(set(chosen)) != len(chosen):
            raise ValidationError(_l("Each group may appear only once."))

    def validate_respondents(self, field):
        self.parsed, problems = parse_respondent_lines(
            field.data or "", self.chosen_groups(), taken=set()
        )
        report_problems(field, problems)

    def chosen_groups(self) -> list[str]:
        return (self.groups.data or []) + parse_groups(self.other_groups.data)


class RespondentForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the respondent's name.")), Length(max=120)],
    )
    email = email_field()
    group = SelectField(_l("Group"))
    locale = language_field(_l("Questionnaire language"))
    submit = SubmitField(_l("Add respondent"))

    def __init__(self, *args, taken: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self._taken = taken

    def validate_email(self, field):
        if field.data and field.data.lower() in self._taken:
            raise ValidationError(
                _l("%(email)s is already invited to this assessment.", email=field.data)
            )


class PasteRespondentsForm(FlaskForm):
    lines = TextAreaField(
        _l("Respondents, one per line: name, e-mail, group"),
        validators=[DataRequired(message=_l("Paste at least one line."))],
    )
    locale = language_field(_l("Questionnaire language"))
    submit = SubmitField(_l("Add all"))

    def __init__(self, *args, groups: list[str], taken: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._groups, self._taken = groups, taken
        self.parsed: list[PastedRespondent] = []

    def validate_lines(self, field):
        """All lines or none: every faulty line is listed with its number."""
        self.parsed, problems = parse_respondent_lines(field.data, self._groups, self._taken)
        report_problems(field, problems)


class StatusForm(FlaskForm):
    to = HiddenField()
    next = HiddenField()  # where to come back to, when not the assessment's page


class ObservationsForm(FlaskForm):
    observations = TextAreaField(_l("Observations"), validators=[Length(max=20000)])
    submit = SubmitField(_l("Save observations"))


class ConsensusForm(FlaskForm):
    questionnaire = HiddenField()
    item = HiddenField()
    value = SelectField(_l("Consensus value"))
    note = StringField(_l("Note"), filters=[strip_whitespace], validators=[Length(max=500)])
    submit = SubmitField(_l("Set"))


ASSESSMENT_TARGET = ""  # a dimension's choice: no target of its own
DEFAULT_TARGET = ""  # the assessment's choice: the level above the overall level


def targets_form(
    definitions,
    current: dict[tuple[str, str], str],
    assessment_target: str | None,
    default_label: str,
    language: str,
    formdata=None,
):
    """The target level of the whole assessment (``default_label`` names the default, the
    level above the overall level) and, in place of it, one per dimension."""

    class TargetsForm(FlaskForm):
        submit = SubmitField(_l("Save targets"))

    levels = [
        SelectChoice(level.id, level.name.in_language(language)) for level in definitions[0].levels
    ]
    TargetsForm.assessment_target = SelectField(
        _l("Target level of the whole assessment"),
        choices=[SelectChoice(DEFAULT_TARGET, default_label), *levels],
        default=assessment_target or DEFAULT_TARGET,
    )
    fields = {}
    for definition in definitions:
        for dimension in definition.dimensions:
            name = f"t_{definition.id}__{dimension.id}"
            fields[(definition.id, dimension.id)] = name
            setattr(
                TargetsForm,
                name,
                SelectField(
                    dimension.title.in_language(language),
                    choices=[
                        SelectChoice(ASSESSMENT_TARGET, _l("The assessment's target")),
                        *levels,
                    ],
                    default=current.get((definition.id, dimension.id), ASSESSMENT_TARGET),
                ),
            )
    return TargetsForm(formdata=formdata), fields


class ImportForm(FlaskForm):
    file = FileField(
        _l("Filled-in template (.xlsx or .csv)"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["xlsx", "csv"], message=_l("Upload an .xlsx or .csv file.")),
        ],
    )
    submit = SubmitField(_l("Import answers"))
