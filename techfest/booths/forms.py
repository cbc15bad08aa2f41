"""Forms of the booth pages: every message in the visitor's language, every value kept."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from techfest.booths.availability import HALL_HEIGHT, HALL_WIDTH
from techfest.booths.catalogue import MAX_PRICE_VND
from techfest.booths.editing import MAX_BOOTHS_LIMIT, MAX_HOLD_HOURS
from techfest.core.forms import TranslatedForm
from techfest.core.inputs import id_value
from techfest.i18n import pick

REQUIRED = _l("This field is required.")
CHOOSE = _l("Choose one of the listed options.")
CODE_HELP = _l("Use 1 to 16 letters, digits, dots, dashes or underscores.")


def no_control_characters(_form, field) -> None:
    """Text a database may refuse (NUL) or a reader cannot see is turned away politely."""
    if any(ord(c) < 32 and c not in "\r\n\t" for c in field.data or ""):
        raise ValidationError(_l("Remove the invisible control characters."))


class WholeNumberField(IntegerField):
    """An integer field whose parse error is translated (WTForms has no Vietnamese)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw) if len(raw) <= 12 else None
        except ValueError:
            self.data = None
        if self.data is None:
            raise ValueError(_l("Enter a whole number."))


def number(label, low: int, high: int, description=None) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(
                low,
                high,
                message=_l("Enter a number from %(low)s to %(high)s.", low=low, high=high),
            ),
        ],
        description=description,
    )


def code_field(label) -> StringField:
    return StringField(
        label,
        validators=[
            InputRequired(message=REQUIRED),
            Length(max=16, message=CODE_HELP),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", message=CODE_HELP),
        ],
        description=CODE_HELP,
    )


SIZE_CHOICES = [
    SelectChoice("S", _l("S – 3 × 3 m")),
    SelectChoice("M", _l("M – 6 × 3 m")),
    SelectChoice("L", _l("L – 6 × 6 m")),
]


class BoothForm(TranslatedForm):
    code = code_field(_l("Booth code"))
    zone_id = SelectField(_l("Zone"), choices=[], invalid_choice_message=CHOOSE)
    size = SelectField(_l("Size"), choices=SIZE_CHOICES, invalid_choice_message=CHOOSE)
    price_vnd = number(_l("Price (VND)"), 0, MAX_PRICE_VND)
    x = number(
        _l("Left edge (x)"), 0, HALL_WIDTH - 1, _l("Map units from the left wall; 10 units = 1 m.")
    )
    y = number(_l("Top edge (y)"), 0, HALL_HEIGHT - 1, _l("Map units from the back wall."))
    w = number(_l("Width"), 1, HALL_WIDTH)
    h = number(_l("Depth"), 1, HALL_HEIGHT)

    def set_zones(self, zones) -> None:
        self.zone_id.choices = [
            SelectChoice(str(z.id), f"{z.code} – {pick(z, 'name')}") for z in zones
        ]


class ZoneForm(TranslatedForm):
    code = code_field(_l("Zone code"))
    name_vi = StringField(
        _l("Name in Vietnamese"),
        validators=[
            InputRequired(message=REQUIRED),
            Length(max=120, message=_l("At most 120 characters.")),
            no_control_characters,
        ],
    )
    name_en = StringField(
        _l("Name in English"),
        validators=[
            InputRequired(message=REQUIRED),
            Length(max=120, message=_l("At most 120 characters.")),
            no_control_characters,
        ],
    )
    color = StringField(
        _l("Colour"),
        default="#6c757d",
        validators=[
            InputRequired(message=REQUIRED),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Give a colour such as #1d3557.")),
        ],
        render_kw={"type": "color"},
    )


class ReasonForm(TranslatedForm):
    reason = TextAreaField(
        _l("Reason (sent to the startup)"),
        validators=[
            Optional(),
            Length(max=1000, message=_l("At most 1000 characters.")),
            no_control_characters,
        ],
        render_kw={"rows": 3},
    )


class ImportForm(TranslatedForm):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})


class SettingsForm(TranslatedForm):
    hold_hours = number(
        _l("Hold time (hours)"),
        1,
        MAX_HOLD_HOURS,
        _l("How long a request keeps its booth before it lapses unless approved."),
    )
    max_booths = number(_l("Booths per organisation"), 0, MAX_BOOTHS_LIMIT)


class AllowanceForm(TranslatedForm):
    organisation_id = SelectField(
        _l("Organisation"), coerce=str, choices=[], invalid_choice_message=CHOOSE
    )
    max_booths = number(_l("Booths this organisation may hold"), 0, MAX_BOOTHS_LIMIT)

    def set_organisations(self, organisations) -> None:
        self.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in organisations]


class IdListField(Field):
    """Ids ticked in a list (checkboxes sharing one name); anything else is refused."""

    widget = None  # the list's template draws one checkbox per row

    def process_formdata(self, valuelist):
        self.data = []
        for raw in valuelist:
            try:
                self.data.append(id_value(raw))
            except (TypeError, ValueError):
                self.data = []
                raise ValueError(_l("Choose requests from the list.")) from None

    def _value(self):
        return ""


class BulkDecisionForm(TranslatedForm):
    """Approve or reject the requests ticked in the organiser's list, in one go."""

    bookings = IdListField(_l("Requests"))
    action = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve the selected requests")),
            SelectChoice("reject", _l("Reject the selected requests")),
        ],
        validators=[InputRequired(message=CHOOSE)],
    )
    reason = TextAreaField(
        _l("Reason (sent to each startup; needed to reject)"),
        validators=[
            Optional(),
            Length(max=1000, message=_l("At most 1000 characters.")),
            no_control_characters,
        ],
        render_kw={"rows": 2},
    )
