"""The editor's forms. Each field names the place in the definition it edits (``PATHS``,
see app/library/fields.py); what is typed is checked by the questionnaire schema, not
here, so the rules are the YAML files' rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from app.forms import CheckboxesField
from app.instrument.definitions import KNOWN_SOURCES
from app.library.fields import NumberField

SOURCE_CHOICES = sorted(KNOWN_SOURCES)


def sources_field() -> CheckboxesField:
    return CheckboxesField(
        _l("Sources"), choices=SOURCE_CHOICES, render_kw={"class": "choice-list source-list"}
    )


class QuestionnaireForm(FlaskForm):
    id = StringField(
        _l("Identifier"),
        description=_l("Lowercase letters, digits and hyphens, such as my-questionnaire."),
    )
    title_en = StringField(_l("Title in English"))
    title_fa = StringField(_l("Title in Persian"))
    description_en = TextAreaField(_l("Description in English"))
    description_fa = TextAreaField(_l("Description in Persian"))
    weight = NumberField(_l("Weight in the overall index"))
    min_coverage = NumberField(
        _l("Least share of a dimension's item weight answered (0 to 1)"),
    )
    disagreement_sd = NumberField(_l("Spread flagged as disagreement (score points)"))
    submit = SubmitField(_l("Save"))

    PATHS = {
        "id": "id",
        "title_en": "title.en",
        "title_fa": "title.fa",
        "description_en": "description.en",
        "description_fa": "description.fa",
        "weight": "weight",
        "min_coverage": "settings.min_coverage",
        "disagreement_sd": "settings.disagreement_sd",
    }


class DimensionForm(FlaskForm):
    id = StringField(_l("Identifier"))
    title_en = StringField(_l("Title in English"))
    title_fa = StringField(_l("Title in Persian"))
    description_en = TextAreaField(_l("Description in English"))
    description_fa = TextAreaField(_l("Description in Persian"))
    weight = NumberField(_l("Weight in the questionnaire index"))
    critical = BooleanField(_l("Critical: below its threshold it caps the level"))
    critical_threshold = NumberField(_l("Critical threshold (0 to 100)"))
    source = sources_field()
    submit = SubmitField(_l("Save"))

    PATHS = {
        "id": "id",
        "title_en": "title.en",
        "title_fa": "title.fa",
        "description_en": "description.en",
        "description_fa": "description.fa",
        "weight": "weight",
        "critical": "critical",
        "critical_threshold": "critical_threshold",
        "source": "source",
    }


class ItemForm(FlaskForm):
    id = StringField(_l("Identifier"))
    statement_en = TextAreaField(_l("Statement in English"))
    statement_fa = TextAreaField(_l("Statement in Persian"))
    help_en = TextAreaField(_l("Help in English"))
    help_fa = TextAreaField(_l("Help in Persian"))
    scale = SelectField(_l("Answer scale"), validate_choice=False)
    weight = NumberField(_l("Weight in the dimension"))
    reverse = BooleanField(_l("Reverse item: agreeing means less readiness"))
    allow_na = BooleanField(_l("Offer \u201cdon't know / not applicable\u201d"))
    source = sources_field()
    same_as_questionnaire = StringField(
        _l("Same as: questionnaire"),
        description=_l(
            "Only when this question is another questionnaire's, asked once when both are used."
        ),
    )
    same_as_item = StringField(_l("Same as: item"))
    submit = SubmitField(_l("Save"))

    PATHS = {
        "id": "id",
        "statement_en": "statement.en",
        "statement_fa": "statement.fa",
        "help_en": "help.en",
        "help_fa": "help.fa",
        "scale": "scale",
        "weight": "weight",
        "reverse": "reverse",
        "allow_na": "allow_na",
        "source": "source",
        "same_as_questionnaire": "same_as.questionnaire",
        "same_as_item": "same_as.item",
    }


class LevelRow(Form):
    id = StringField(_l("Identifier"))
    min = NumberField(_l("From score"))
    name_en = StringField(_l("Name in English"))
    name_fa = StringField(_l("Name in Persian"))
    description_en = TextAreaField(_l("Description in English"))
    description_fa = TextAreaField(_l("Description in Persian"))
    remove = BooleanField(_l("Remove this band"))

    PATHS = {
        "id": "id",
        "min": "min",
        "name_en": "name.en",
        "name_fa": "name.fa",
        "description_en": "description.en",
        "description_fa": "description.fa",
    }


class LevelsForm(FlaskForm):
    rows = FieldList(FormField(LevelRow))
    submit = SubmitField(_l("Save"))


class RecommendationRow(Form):
    level = SelectField(_l("Level"), validate_choice=False)
    text_en = TextAreaField(_l("Recommendation in English"))
    text_fa = TextAreaField(_l("Recommendation in Persian"))
    source = sources_field()
    remove = BooleanField(_l("Remove this recommendation"))

    PATHS = {"text_en": "text.en", "text_fa": "text.fa", "source": "source"}


class RecommendationsForm(FlaskForm):
    rows = FieldList(FormField(RecommendationRow))
    submit = SubmitField(_l("Save"))


class CompareForm(Form):
    """Read from the query string: comparing changes nothing, so it is a GET."""

    old = SelectField(_l("Older"), validate_choice=False)
    new = SelectField(_l("Newer"), validate_choice=False)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Questionnaire file (YAML)"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["yaml", "yml"], message=_l("Upload a .yaml file.")),
        ],
    )
    submit = SubmitField(_l("Import"))
