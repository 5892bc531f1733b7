from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.dates import show_day
from app.forms import DateField, is_email, normalise_email, strip_whitespace
from app.i18n import localize_digits, to_latin_digits
from app.models import SCORE_RANGES, FeedbackKind, utcnow
from app.tracker.labels import (
    CHANNEL_LABELS,
    DIRECTION_LABELS,
    FEEDBACK_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    SOURCE_LABELS,
    STAGE_KIND_LABELS,
    choices,
)


def today() -> date:
    """Today where the user is (the configured time zone)."""
    return to_user_timezone(utcnow()).date()


def moment_on(day: date) -> datetime:
    """When something that happened on ``day`` is recorded: now, for today; otherwise that
    day at this time of day, so entries of one day keep the order they were written in."""
    now = to_user_timezone(utcnow())
    if day == now.date():
        return utcnow()
    return to_utc(datetime.combine(day, now.time())).replace(tzinfo=UTC)


def _optional_email(_form, field) -> None:
    if field.data and not is_email(field.data):
        raise ValidationError(_l("Enter a valid e-mail address, such as name@example.com."))


class CustomerForm(FlaskForm):
    kind = SelectField(_l("Person or company"), choices=choices(KIND_LABELS))
    name = StringField(
        _l("Name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter the customer's name.")), Length(max=200)],
    )
    company = StringField(
        _l("Company (for a person)"),
        filters=[strip_whitespace],
        validators=[Length(max=200)],
        description=_l("The name of a company already in the tracker."),
    )
    email = StringField(
        _l("E-mail"), filters=[normalise_email], validators=[Length(max=254), _optional_email]
    )
    phone = StringField(_l("Phone"), filters=[strip_whitespace], validators=[Length(max=40)])
    address = StringField(_l("Address"), filters=[strip_whitespace], validators=[Length(max=300)])
    segment = StringField(
        _l("Segment"),
        filters=[strip_whitespace],
        validators=[Length(max=80)],
        description=_l("For example: wholesale, retail, key account."),
    )
    source = SelectField(_l("Acquisition source"), choices=choices(SOURCE_LABELS, "—"))
    owner = SelectField(_l("Owner"))
    stage = SelectField(_l("Stage"), coerce=int)
    notes = TextAreaField(_l("Notes"), filters=[strip_whitespace], validators=[Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def validate_phone(self, field):
        if field.data and not re.search(r"\d", to_latin_digits(field.data)):
            raise ValidationError(_l("Enter a phone number with digits."))


class MoveForm(FlaskForm):
    stage = SelectField(_l("Move to"), coerce=int)
    reason = StringField(_l("Reason"), filters=[strip_whitespace], validators=[Length(max=500)])
    next = HiddenField()
    submit = SubmitField(_l("Move"))

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._stages = {stage.id: stage for stage in stages}

    def validate_reason(self, field):
        stage = self._stages.get(self.stage.data)
        if stage is not None and stage.needs_reason and not field.data:
            raise ValidationError(
                _l("Say why the customer was lost or left: a reason is required for this stage.")
            )


class InteractionForm(FlaskForm):
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS))
    direction = SelectField(_l("Direction"), choices=choices(DIRECTION_LABELS))
    occurred_on = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Enter the date of the contact."))]
    )
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOME_LABELS))
    notes = TextAreaField(_l("Notes"), filters=[strip_whitespace], validators=[Length(max=5000)])
    submit = SubmitField(_l("Add contact"))

    def validate_occurred_on(self, field):
        if field.data and field.data > today() + timedelta(days=1):
            raise ValidationError(_l("A contact cannot be in the future."))


class FollowUpForm(FlaskForm):
    title = StringField(
        _l("Task"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Say what is to be done.")), Length(max=200)],
    )
    due_on = DateField(_l("Due"), validators=[InputRequired(message=_l("Enter the due date."))])
    assignee = SelectField(_l("Assigned to"))
    submit = SubmitField(_l("Add follow-up"))


class FeedbackForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(FEEDBACK_LABELS))
    score = StringField(
        _l("Score"),
        filters=[strip_whitespace],
        description=_l("CSAT from 1 to 5, NPS from 0 to 10; none for complaints and returns."),
    )
    comment = TextAreaField(
        _l("Comment"), filters=[strip_whitespace], validators=[Length(max=5000)]
    )
    received_on = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Enter the date of the feedback."))]
    )
    submit = SubmitField(_l("Add feedback"))

    def validate_score(self, field):
        kind = next((k for k in FeedbackKind if k.value == self.kind.data), None)
        text = to_latin_digits(field.data or "")
        if kind not in SCORE_RANGES:
            if text:
                raise ValidationError(_l("Complaints and returns have no score."))
            return
        low, high = SCORE_RANGES[kind]
        if not text.isdecimal() or not low <= int(text) <= high:  # not "²", int() refuses it
            raise ValidationError(
                _l(
                    "Enter a whole number from %(low)s to %(high)s.",
                    low=localize_digits(low),
                    high=localize_digits(high),
                )
            )

    def validate_comment(self, field):
        if self.kind.data in (FeedbackKind.COMPLAINT, FeedbackKind.PRODUCT_RETURN) and not (
            field.data
        ):
            raise ValidationError(_l("Describe the complaint or the return."))

    def score_value(self) -> int | None:
        text = to_latin_digits(self.score.data or "")
        return int(text) if text else None


class StageForm(FlaskForm):
    name_fa = StringField(
        _l("Name in Persian"), filters=[strip_whitespace], validators=[Length(max=80)]
    )
    name_en = StringField(
        _l("Name in English"), filters=[strip_whitespace], validators=[Length(max=80)]
    )
    kind = SelectField(_l("Kind"), choices=choices(STAGE_KIND_LABELS))
    submit = SubmitField(_l("Save"))

    def validate_name_en(self, field):
        if not field.data and not self.name_fa.data:
            raise ValidationError(_l("Give the stage a name in at least one language."))


class StageShiftForm(FlaskForm):
    step = HiddenField()


class DoneForm(FlaskForm):
    """Marks a follow-up done, then goes back to the page it was marked on."""

    next = HiddenField()


class FilterForm(Form):
    """The list's and the board's search and filters, read from the query string."""

    q = StringField(_l("Name, e-mail or phone"), filters=[strip_whitespace])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    segment = SelectField(_l("Segment"), validators=[Optional()])
    source = SelectField(
        _l("Acquisition source"), choices=choices(SOURCE_LABELS, _l("Any")), validators=[Optional()]
    )
    owner = SelectField(_l("Owner"), validators=[Optional()])
    channel = SelectField(
        _l("Last contact by"), choices=choices(CHANNEL_LABELS, _l("Any")), validators=[Optional()]
    )
    overdue = BooleanField(_l("With an overdue follow-up"))

    def active(self) -> dict[str, str]:
        """The filters in use, for links that keep them (pages, export, board)."""
        values = {
            name: self[name].data
            for name in ("q", "stage", "segment", "source", "owner", "channel")
        }
        if self.overdue.data:
            values["overdue"] = "y"
        return {name: value for name, value in values.items() if value}


CUSTOM = "custom"
MAX_DAYS_AHEAD = 366  # how far past today a period may end


class PeriodForm(Form):
    """The period the metrics cover: the last 30, 90 or 365 days, or from one day to
    another (both included)."""

    period = SelectField(
        _l("Period"),
        choices=[
            SelectChoice("30", _l("Last 30 days")),
            SelectChoice("90", _l("Last 90 days")),
            SelectChoice("365", _l("Last 365 days")),
            SelectChoice(CUSTOM, _l("From … to …")),
        ],
        default="90",
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate_start(self, field):
        if self.period.data == CUSTOM and not field.data:
            raise ValidationError(_l("Enter the first day of the period."))

    def validate_end(self, field):
        if self.period.data != CUSTOM:
            return
        if not field.data:
            raise ValidationError(_l("Enter the last day of the period."))
        if self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The period must end on or after its first day."))
        # Nothing is recorded in the future; a bound also keeps the end's day after (up to
        # which the period counts) within the calendar.
        latest = today() + timedelta(days=MAX_DAYS_AHEAD)
        if field.data > latest:
            raise ValidationError(_l("The period must end by %(day)s.", day=show_day(latest)))


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["csv"], message=_l("Upload a .csv file.")),
        ],
    )
    submit = SubmitField(_l("Upload"))


def mapping_form(fields: dict[str, object], columns: list[str], guessed: dict[str, int]):
    """One choice per tracker field: which of the file's columns feeds it, if any."""

    class MappingForm(FlaskForm):
        submit = SubmitField(_l("Preview"))

    options = [SelectChoice("", _l("(not imported)"))] + [
        SelectChoice(str(index), header or f"#{index + 1}") for index, header in enumerate(columns)
    ]
    for field, text in fields.items():
        default = str(guessed[field]) if field in guessed else ""
        setattr(MappingForm, field, SelectField(text, choices=options, default=default))
    return MappingForm


class ImportCommitForm(FlaskForm):
    on_duplicate = RadioField(
        _l("Customers already in the tracker (same e-mail or phone)"),
        choices=[
            SelectChoice("skip", _l("Skip them: keep what the tracker has")),
            SelectChoice("update", _l("Update them with the file's values")),
        ],
        default="skip",
    )
    submit = SubmitField(_l("Import"))
