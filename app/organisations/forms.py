from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.forms import email_field, language_field, strip_whitespace
from app.labels import MEMBER_ROLE_LABELS, SIZE_LABELS, choices
from app.models import Organisation

SIZE_CHOICES = choices(SIZE_LABELS)
ROLE_CHOICES = choices(MEMBER_ROLE_LABELS)


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the organisation's name.")), Length(max=200)],
    )
    sector = StringField(_l("Sector"), filters=[strip_whitespace], validators=[Length(max=120)])
    size = SelectField(_l("Size"), choices=SIZE_CHOICES)
    default_locale = language_field(_l("Default language"))
    notes = TextAreaField(_l("Notes"), filters=[strip_whitespace], validators=[Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, organisation_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisation_id = organisation_id

    def validate_name(self, field):
        clash = db.session.scalar(select(Organisation.id).where(Organisation.name == field.data))
        if clash is not None and clash != self._organisation_id:
            raise ValidationError(_l("Another organisation already has this name."))


class MemberForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the member's name.")), Length(max=120)],
    )
    email = email_field()
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    locale = language_field()
    submit = SubmitField(_l("Add member"))


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))


class AssignConsultantForm(FlaskForm):
    consultant = SelectField(_l("Consultant"), coerce=int)
    submit = SubmitField(_l("Assign"))
