from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class ConsentForm(FlaskForm):
    consent = BooleanField(
        _l("Include our published results, anonymously, in the benchmarks of other organisations")
    )
    submit = SubmitField(_l("Save"))
