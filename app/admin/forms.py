from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.forms import email_field, language_field, strip_whitespace
from app.labels import STAFF_ROLE_LABELS, choices
from app.models import StaffRole, User

NO_STAFF_ROLE = ""
STAFF_ROLE_CHOICES = [
    *choices(STAFF_ROLE_LABELS),
    SelectChoice(NO_STAFF_ROLE, _l("Organisation member (no staff role)")),
]


class UserForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the person's name.")), Length(max=120)],
    )
    email = email_field()
    staff_role = SelectField(_l("Staff role"), choices=STAFF_ROLE_CHOICES)
    locale = language_field()
    active = BooleanField(_l("Active (may log in)"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_id = user_id

    def validate_email(self, field):
        clash = db.session.scalar(select(User.id).where(User.email == field.data))
        if clash is not None and clash != self._user_id:
            raise ValidationError(_l("Another account already uses this e-mail address."))

    def chosen_staff_role(self) -> StaffRole | None:
        return StaffRole(self.staff_role.data) if self.staff_role.data else None
