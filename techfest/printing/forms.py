"""Forms of printing: the organiser's bulk print buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


class PrintForm(FlaskForm):
    """Start a bulk print of one document kind (the form's prefix), in a language or layout."""

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
