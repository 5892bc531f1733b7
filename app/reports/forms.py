from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from PIL import Image, UnidentifiedImageError
from wtforms import (
    BooleanField,
    ColorField,
    HiddenField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from app.dates import show_day
from app.forms import DateField, strip_whitespace
from app.i18n import localize_digits
from app.instrument.scoring import ActionItem
from app.models.reports import ACCENT_PATTERN, ActionAssignment, BrandingMixin
from app.reports.actions import RecommendationKey

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_SIDE = 4000  # pixels
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class CheckedLogo:
    data: bytes
    mimetype: str
    sha256: str


def check_logo(data: bytes) -> CheckedLogo:
    """The bytes, if they are a PNG or JPEG image of sensible size; else ValidationError.

    Pillow reads the header to learn the format and size, then verifies the whole file,
    so a renamed or truncated file is refused, not drawn half."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(_l("The logo may be at most %(size)s MB.", size=localize_digits(1)))
    too_large = ValidationError(
        _l(
            "The logo may be at most %(side)s pixels wide and high.",
            side=localize_digits(MAX_LOGO_SIDE),
        )
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns of an image over 89 million pixels (a small file can declare
            # one) and refuses one over twice that: either way far beyond a logo's size.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(LOGO_TYPES)) as image:
                kind, (width, height) = image.format, image.size
                if max(width, height) > MAX_LOGO_SIDE:
                    raise too_large
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_l("Upload a PNG or JPEG image.")) from None
    return CheckedLogo(data, LOGO_TYPES[kind], hashlib.sha256(data).hexdigest())


class BrandingForm(FlaskForm):
    """An organisation's or a consultant's report branding: the same checks for both."""

    logo = FileField(_l("Logo (PNG or JPEG, up to 1 MB)"))
    remove_logo = BooleanField(_l("Remove the current logo"))
    accent_colour = ColorField(
        _l("Accent colour"),
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
        validators=[DataRequired(message=_l("Choose a colour."))],
    )
    submit = SubmitField(_l("Save"))

    checked_logo: CheckedLogo | None = None

    def validate_logo(self, field):
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        try:
            data = upload.read(MAX_LOGO_BYTES + 1)  # enough to tell that it is too big
        finally:
            upload.close()
        self.checked_logo = check_logo(data)

    def validate_accent_colour(self, field):
        if not ACCENT_PATTERN.match(field.data or ""):
            raise ValidationError(
                _l("Give the colour as # and six hexadecimal digits, such as #0b5c8a.")
            )

    def apply_to(self, branding: BrandingMixin) -> None:
        """Write the validated colour and logo (or the logo's removal) into ``branding``."""
        branding.accent_colour = self.accent_colour.data
        if self.checked_logo is not None:
            branding.logo = self.checked_logo.data
            branding.logo_type = self.checked_logo.mimetype
            branding.logo_hash = self.checked_logo.sha256
        elif self.remove_logo.data:
            branding.logo, branding.logo_type, branding.logo_hash = None, "", ""


class ActionOwnerForm(FlaskForm):
    """Who carries out one recommendation of the action plan, and by when."""

    questionnaire = HiddenField()
    dimension = HiddenField()
    level = HiddenField()
    position = HiddenField()
    owner = StringField(_l("Owner"), filters=[strip_whitespace], validators=[Length(max=120)])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def key(self) -> RecommendationKey:
        """The recommendation the form is about, as the hidden fields name it."""
        position = self.position.data or ""
        return (
            self.questionnaire.data,
            self.dimension.data,
            self.level.data,
            int(position) if position.isdecimal() else -1,  # isdigit() lets "²" through
        )


class ActionDoneForm(FlaskForm):
    """Marks an action item done (``done`` = "1") or open again, then goes back to ``next``."""

    done = HiddenField()
    next = HiddenField()


@dataclass(frozen=True)
class OwnerFields:
    """One recommendation's owner form as the results page shows it: the text of its two
    fields and, after a refused save, why. Plain values, not a form per recommendation:
    built and drawn by WTForms, a hundred of them took a third of the page's time (issue
    14). A save is still read and checked by ``ActionOwnerForm``."""

    owner: str
    due_date: str
    owner_errors: tuple[str, ...] = ()
    due_date_errors: tuple[str, ...] = ()


def action_owner_fields(
    plan: Sequence[ActionItem],
    assigned: Mapping[RecommendationKey, ActionAssignment],
    failed: ActionOwnerForm | None = None,
) -> dict[RecommendationKey, OwnerFields]:
    """Each recommendation's owner form, holding its saved owner and due date; the
    ``failed`` form, whose save was refused, in place of its recommendation's, so what was
    typed stays on the page beside the reason."""
    fields = {}
    for action in plan:
        for position in range(len(action.recommendations)):
            key = (action.questionnaire_id, action.dimension_id, action.level, position)
            saved = assigned.get(key)
            fields[key] = OwnerFields(
                owner=saved.owner if saved else "",
                due_date=show_day(saved.due_date) if saved and saved.due_date else "",
            )
    if failed is not None and failed.key() in fields:
        fields[failed.key()] = OwnerFields(
            owner=failed.owner._value(),
            due_date=failed.due_date._value(),
            owner_errors=tuple(map(str, failed.owner.errors)),
            due_date_errors=tuple(map(str, failed.due_date.errors)),
        )
    return fields
