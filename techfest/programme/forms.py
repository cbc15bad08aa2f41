"""Forms of the programme: sessions, tracks, rooms, CSV import, sign-up buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from techfest.core.forms import TranslatedForm
from techfest.programme import catalogue, editing


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not a choice: "Not a valid choice"


TOO_LONG = _l("At most %(max)d characters.")


CODE = [
    DataRequired(),
    Length(max=40, message=TOO_LONG),
    Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dot, dash or underscore.")),
]


class SessionForm(TranslatedForm):
    code = StringField(_l("Code"), validators=CODE, filters=[_strip])
    title_vi = StringField(
        _l("Title (Vietnamese)"),
        validators=[DataRequired(), Length(max=300, message=TOO_LONG)],
        filters=[_strip],
    )
    title_en = StringField(
        _l("Title (English)"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        filters=[_strip],
    )
    description_vi = TextAreaField(
        _l("Description (Vietnamese)"), validators=[Optional(), Length(max=5000, message=TOO_LONG)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000, message=TOO_LONG)]
    )
    speakers = TextAreaField(
        _l("Speakers"),
        validators=[Optional(), Length(max=5000, message=TOO_LONG)],
        description=_l(
            "One per line: name | organisation | title in Vietnamese | title in English"
        ),
    )
    track_id = SelectField(_l("Track"), coerce=_optional_int, validate_choice=True)
    room_id = SelectField(_l("Room"), coerce=_optional_int, validate_choice=True)
    day = SelectField(_l("Day"), validators=[InputRequired()])
    start_time = StringField(
        _l("Starts at"),
        validators=[
            DataRequired(),
            Regexp(r"^\d{1,2}:\d{2}$", message=_l("Write the time as HH:MM.")),
        ],
        filters=[_strip],
        render_kw={"type": "time"},
    )
    end_time = StringField(
        _l("Ends at"),
        validators=[
            DataRequired(),
            Regexp(r"^\d{1,2}:\d{2}$", message=_l("Write the time as HH:MM.")),
        ],
        filters=[_strip],
        render_kw={"type": "time"},
    )
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, label) for code, label in catalogue.LANGUAGE_LABELS.items()],
        default="vi",
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[InputRequired(), NumberRange(min=1, max=catalogue.MAX_CAPACITY)],
        default=100,
    )

    def set_choices(self, tracks, rooms, days, pick, fmt_date) -> None:
        none = SelectChoice("", _l("— none —"))
        self.track_id.choices = [none, *(SelectChoice(t.id, pick(t, "name")) for t in tracks)]
        self.room_id.choices = [
            none,
            *(SelectChoice(r.id, f"{pick(r, 'name')} ({r.capacity})") for r in rooms),
        ]
        self.day.choices = [SelectChoice(d.isoformat(), fmt_date(d)) for d in days]

    def _time(self, field):
        try:
            return datetime.strptime(field.data, "%H:%M").time()  # noqa: DTZ007 - wall clock
        except (TypeError, ValueError):
            field.errors.append(_l("Write the time as HH:MM."))
            return None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok:
            return False
        start, end = self._time(self.start_time), self._time(self.end_time)
        if start is None or end is None:
            return False
        if end <= start:
            self.end_time.errors.append(_l("The session must end after it starts."))
            return False
        return True

    def to_data(self, tz) -> editing.SessionData:
        day = datetime.fromisoformat(self.day.data).date()
        start = datetime.strptime(self.start_time.data, "%H:%M").time()  # noqa: DTZ007
        end = datetime.strptime(self.end_time.data, "%H:%M").time()  # noqa: DTZ007
        return editing.SessionData(
            code=self.code.data,
            title_vi=self.title_vi.data,
            title_en=self.title_en.data or "",
            description_vi=(self.description_vi.data or "").strip(),
            description_en=(self.description_en.data or "").strip(),
            speakers=editing.parse_speakers(self.speakers.data or ""),
            track_id=self.track_id.data,
            room_id=self.room_id.data,
            starts_at=datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
            ends_at=datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
            language=self.language.data,
            capacity=self.capacity.data,
        )

    def fill_from(self, ps, tz) -> None:
        self.code.data = ps.code
        self.title_vi.data = ps.title_vi
        self.title_en.data = ps.title_en
        self.description_vi.data = ps.description_vi
        self.description_en.data = ps.description_en
        self.speakers.data = editing.format_speakers(ps.speakers)
        self.track_id.data = ps.track_id
        self.room_id.data = ps.room_id
        start = ps.starts_at.astimezone(tz)
        self.day.data = start.date().isoformat()
        self.start_time.data = start.strftime("%H:%M")
        self.end_time.data = ps.ends_at.astimezone(tz).strftime("%H:%M")
        self.language.data = ps.language
        self.capacity.data = ps.capacity


class TrackForm(TranslatedForm):
    code = StringField(_l("Code"), validators=CODE, filters=[_strip])
    name_vi = StringField(
        _l("Name (Vietnamese)"),
        validators=[DataRequired(), Length(max=160, message=TOO_LONG)],
        filters=[_strip],
    )
    name_en = StringField(
        _l("Name (English)"),
        validators=[DataRequired(), Length(max=160, message=TOO_LONG)],
        filters=[_strip],
    )
    color = StringField(
        _l("Colour"),
        validators=[
            DataRequired(),
            Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use a colour such as #0b4f7c.")),
        ],
        default="#0b4f7c",
        render_kw={"type": "color"},
    )

    def values(self) -> dict:
        return {
            "code": self.code.data,
            "name_vi": self.name_vi.data,
            "name_en": self.name_en.data,
            "color": self.color.data.lower(),
        }


class RoomForm(TranslatedForm):
    code = StringField(_l("Code"), validators=CODE, filters=[_strip])
    name_vi = StringField(
        _l("Name (Vietnamese)"),
        validators=[DataRequired(), Length(max=160, message=TOO_LONG)],
        filters=[_strip],
    )
    name_en = StringField(
        _l("Name (English)"),
        validators=[DataRequired(), Length(max=160, message=TOO_LONG)],
        filters=[_strip],
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[InputRequired(), NumberRange(min=1, max=catalogue.MAX_CAPACITY)],
        default=100,
    )
    location_vi = StringField(
        _l("Location (Vietnamese)"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
        filters=[_strip],
    )
    location_en = StringField(
        _l("Location (English)"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
        filters=[_strip],
    )

    def values(self) -> dict:
        return {
            "code": self.code.data,
            "name_vi": self.name_vi.data,
            "name_en": self.name_en.data,
            "capacity": self.capacity.data,
            "location_vi": self.location_vi.data or "",
            "location_en": self.location_en.data or "",
        }


class ImportForm(TranslatedForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])
