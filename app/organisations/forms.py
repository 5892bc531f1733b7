from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from app.forms import email_field, language_field, strip_whitespace
from app.labels import MEMBER_ROLE_LABELS, SIZE_LABELS, choices
from app.models import User
from app.organisations.queries import name_taken

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

    def __init__(self, *args, editor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._editor = editor

    def validate_name(self, field):
        """Checked when a name is chosen; an organisation keeps its own on other edits,
        even where another the editor now sees has the same one."""
        if field.data != field.object_data and name_taken(self._editor, field.data):
            raise ValidationError(_l("One of the organisations you can see already has this name."))


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
