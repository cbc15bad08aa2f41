"""Forms of printing: the organiser's bulk print buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from techfest.printing.services import KINDS

LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


class PrintForm(FlaskForm):
    """Start a bulk print: which document, in which language or layout."""

    kind = HiddenField(validators=[DataRequired()])
    lang = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="vi")
    layout = SelectField(
        _l("Badge layout"),
        choices=[
            SelectChoice("a4", _l("Four per A4 sheet, with cut marks")),
            SelectChoice("a6", _l("One per A6 page")),
        ],
        default="a4",
    )
    force = BooleanField(_l("Render again even if nothing changed"))

    def validate_kind(self, field) -> None:
        from wtforms.validators import ValidationError

        if field.data not in KINDS:
            raise ValidationError(_l("Unknown document."))
