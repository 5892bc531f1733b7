from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from app.forms import confirm_password_field, email_field, new_password_field


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password."))]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Log in"))


WRONG_CODE = _l("This code is not correct or has been used already. Wait for the next one.")


def code_field(label, *, numeric: bool = True) -> StringField:
    """A one-time code box: the browser may offer a code it received, and a phone shows
    its number pad (not for recovery codes, which have letters)."""
    render_kw = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
    if numeric:
        render_kw["inputmode"] = "numeric"
    return StringField(
        label,
        render_kw=render_kw,
        validators=[DataRequired(message=_l("Enter the code.")), Length(max=40)],
    )


class TwoFactorLoginForm(FlaskForm):
    code = code_field(_l("Code from your authenticator app, or a recovery code"), numeric=False)
    submit = SubmitField(_l("Continue"))


class EnableTwoFactorForm(FlaskForm):
    code = code_field(_l("The 6-digit code your app shows now"))
    submit = SubmitField(_l("Turn on two-step sign-in"))


class RecoveryCodesForm(FlaskForm):
    code = code_field(_l("The 6-digit code your app shows now"))
    submit = SubmitField(_l("Make new recovery codes"))


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password."))]
    )
    code = code_field(_l("Code from your authenticator app, or a recovery code"), numeric=False)
    submit = SubmitField(_l("Turn off two-step sign-in"))


class EndSessionForm(FlaskForm):
    session_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    password = new_password_field()
    confirm = confirm_password_field()
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password = new_password_field()
    confirm = confirm_password_field()
    submit = SubmitField(_l("Set password"))
