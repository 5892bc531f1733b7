from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import DateField, email_field, is_email, language_field, strip_whitespace
from app.labels import GROUP_LABELS
from app.models import DEFAULT_GROUPS

GROUP_PATTERN = re.compile(r"^[\w][\w -]{0,58}$")


class CheckboxesField(SelectMultipleField):
    """One checkbox per choice, listed without bullets (the ``choice-list`` style)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"class": "choice-list"})
        super().__init__(label, validators, **kwargs)


def parse_groups(text: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,،\n]", text or "") if part.strip()]


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
    submit = SubmitField(_l("Create assessment"))

    def validate_questionnaires(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one questionnaire."))

    def validate_other_groups(self, field):
        others = parse_groups(field.data)
        if any(not GROUP_PATTERN.match(group) for group in others):
            raise ValidationError(_l("Use letters, digits, spaces and hyphens in group names."))
        chosen = (self.groups.data or []) + others
        if not chosen:
            raise ValidationError(_l("Choose or name at least one group."))
        if len(set(chosen)) != len(chosen):
            raise ValidationError(_l("Each group may appear only once."))

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


@dataclass(frozen=True)
class PastedRespondent:
    name: str
    email: str
    group: str


class PasteRespondentsForm(FlaskForm):
    lines = TextAreaField(
        _l("Respondents, one per line: name, e-mail, group"),
        validators=[DataRequired(message=_l("Paste at least one line."))],
    )
    locale = language_field(_l("Questionnaire language"))
    submit = SubmitField(_l("Add all"))

    def __init__(self, *args, groups: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # A group may be written as its key or its name in either language.
        self._groups = {}
        for group in groups:
            self._groups[group.lower()] = group
            if group in GROUP_LABELS:
                for language in ("en", "fa"):
                    with force_locale(language):
                        self._groups[str(GROUP_LABELS[group]).lower()] = group
        self.parsed: list[PastedRespondent] = []

    def validate_lines(self, field):
        """All lines or none: every faulty line is listed with its number."""
        problems, parsed = [], []
        for number, line in enumerate(field.data.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in re.split(r"[,،\t;]", line)]
            if len(parts) != 3 or not all(parts):
                problems.append(_l("Line %(n)s: write name, e-mail, group.", n=number))
                continue
            name, email, written_group = parts[0], parts[1].lower(), parts[2]
            group = self._groups.get(written_group.lower())
            if not is_email(email):
                problems.append(
                    _l("Line %(n)s: %(email)s is not an e-mail address.", n=number, email=email)
                )
            elif group is None:
                problems.append(
                    _l("Line %(n)s: unknown group %(group)s.", n=number, group=written_group)
                )
            else:
                parsed.append(PastedRespondent(name[:120], email, group))
        if problems:
            # One error per faulty line, all shown beside the box.
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])
        self.parsed = parsed


class StatusForm(FlaskForm):
    to = HiddenField()


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
